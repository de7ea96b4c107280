/**
 * The runnable ledger: configuration (CLI, environment, properties file), the embedded default
 * (broker, schema registry, processors, HTTP API in one process) and the lifecycle that starts and
 * stops it all in order.
 */
package dev.credledger.app;
