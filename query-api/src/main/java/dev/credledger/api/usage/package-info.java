/**
 * Usage analytics: every verification outcome counted per credential, off the request path, into hourly windows built
 * by Kafka Streams; {@code GET .../credentials/{credentialId}/usage} reads them.
 */
package dev.credledger.api.usage;
