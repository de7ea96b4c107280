/**
 * The domain core, free of Kafka and HTTP: commands, the per-account state a command needs, and the
 * two functions of the ledger — {@link dev.credledger.processors.domain.Decider#decide decide} a command
 * into events or a rejection, and {@link dev.credledger.processors.domain.Evolver#evolve evolve} state by
 * an event. The Streams processors only adapt.
 */
package dev.credledger.processors.domain;
