/**
 * Avro records of commands, results and state to and from the domain's records: the edge between
 * the domain core and the bytes on Kafka.
 */
package dev.credledger.processors.wire;
