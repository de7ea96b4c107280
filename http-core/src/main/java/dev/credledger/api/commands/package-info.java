/**
 * Commands over HTTP: secrets generated at the edge, commands sent to Kafka and their results awaited,
 * read-your-writes, and retries made safe by {@code Idempotency-Key}.
 */
package dev.credledger.api.commands;
