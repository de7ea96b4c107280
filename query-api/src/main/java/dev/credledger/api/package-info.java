/**
 * The HTTP API: commands sent to Kafka and awaited, queries answered from the local views or routed to
 * the instance that owns the account, token verification from the replicated lookup, access control by
 * bearer key, and errors as {@code application/problem+json}.
 */
package dev.credledger.api;
