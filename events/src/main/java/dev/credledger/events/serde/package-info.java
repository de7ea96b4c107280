/**
 * Kafka serializers, deserializers and Streams serdes for Avro specific records in the Confluent wire
 * format (magic byte 0, 4-byte big-endian schema ID, Avro binary), with subjects named by topic.
 */
package dev.credledger.events.serde;
