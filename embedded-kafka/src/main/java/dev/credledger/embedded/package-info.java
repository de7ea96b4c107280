/**
 * A real, single-node Kafka broker (KRaft, broker and controller in one process) that runs inside the
 * JVM: the ledger's embedded default and the broker that the test suites share per test class.
 */
package dev.credledger.embedded;
