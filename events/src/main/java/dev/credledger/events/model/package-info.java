/**
 * The ledger's own view of its facts: plain Java records and sealed interfaces with no Avro or Kafka
 * types, for the domain core to decide and evolve on. The Avro classes stay at the edge, behind
 * {@link dev.credledger.events.mapping}.
 */
package dev.credledger.events.model;
