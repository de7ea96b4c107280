/**
 * A schema registry the ledger runs itself when no external one is configured: Confluent's REST
 * endpoints over HTTP, schemas kept in a compacted Kafka topic, so that any Confluent-compatible
 * consumer can decode the ledger's topics.
 */
package dev.credledger.events.registry.server;
