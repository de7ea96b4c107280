/**
 * Delivery of credential changes outside Kafka (webhooks, Shared Signals push streams): targets and their progress
 * kept in compacted topics, one worker per target on the instance that owns it, retries with backoff, and an
 * outbound HTTP client that never reaches a private address unless told to.
 */
package dev.credledger.api.delivery;
