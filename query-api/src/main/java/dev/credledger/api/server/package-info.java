/**
 * Assembles the HTTP API from the feature packages: routes, roles checked by bearer key, limits, error handling and
 * request metrics.
 */
package dev.credledger.api.server;
