package dev.credledger.events.model;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;

/**
 * The envelope every event carries.
 *
 * @param eventId unique ID of the event
 * @param accountId the account the event belongs to; the Kafka key
 * @param environment the environment, or {@code null} for account-wide facts (a plan change)
 * @param occurredAt when the ledger decided it, kept to the millisecond (as the wire format keeps it)
 * @param actor who caused it
 * @param correlationId ties together everything one request caused; may be {@code null}
 * @param causationId the command (or event) that caused it; may be {@code null}
 * @param sequence per-account sequence number, from 1, without gaps
 */
public record EventMetadata(
        UUID eventId,
        AccountId accountId,
        Environment environment,
        Instant occurredAt,
        Actor actor,
        UUID correlationId,
        UUID causationId,
        long sequence) {

    public EventMetadata {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(accountId, "accountId");
        occurredAt = Objects.requireNonNull(occurredAt, "occurredAt").truncatedTo(ChronoUnit.MILLIS);
        Objects.requireNonNull(actor, "actor");
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence starts at 1, was " + sequence);
        }
    }
}
