package dev.credledger.processors.domain;

import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Actor;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * What every command carries.
 *
 * @param commandId unique per command; a command ID seen before is not applied again
 * @param accountId the account; the Kafka key, so one processor owns the account
 * @param issuedAt when the edge accepted the request
 * @param actor who asks, and from where
 * @param correlationId the request; may be {@code null}
 * @param expectedVersion the account's state version the caller last saw, or {@code null}: if given and
 *     stale, the command is rejected as a conflict
 */
public record CommandMetadata(
        UUID commandId, AccountId accountId, Instant issuedAt, Actor actor, UUID correlationId, Long expectedVersion) {

    public CommandMetadata {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(actor, "actor");
    }
}
