/**
 * The Kafka Streams side: the typed catalogue of topics and stores, the topology that
 * {@code main} and the tests build from one factory, and the thin processors that adapt the
 * domain core to it.
 */
package dev.credledger.processors.topology;
