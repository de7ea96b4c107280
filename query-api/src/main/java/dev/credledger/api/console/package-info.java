/**
 * The audit console under {@code /console/}: static pages served from the jar that call only the public, documented
 * routes a script would call. No backend of its own.
 */
package dev.credledger.api.console;
