/**
 * Incident analysis from the event log: an account's events folded, by the same {@code Evolver} as the
 * processors, into its state at any instant, with the event that made each fact true; and each event as
 * a timeline line without any secret. Shared by {@code credledger replay} and the HTTP API.
 */
package dev.credledger.processors.history;
