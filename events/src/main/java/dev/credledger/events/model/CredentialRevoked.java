package dev.credledger.events.model;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;

/**
 * A revocation as downstream services consume it: from {@code revokedAt} on, the secret with this
 * fingerprint must not be honoured.
 *
 * @param eventId stable for the same revocation (see {@link #idFor}), so consumers can drop duplicates
 * @param causedBy ID of the credential event that caused the revocation
 */
public record CredentialRevoked(
        UUID eventId,
        AccountId accountId,
        Environment environment,
        SecretRef secret,
        RevocationReason reason,
        Instant revokedAt,
        UUID causedBy) {

    public CredentialRevoked {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(reason, "reason");
        revokedAt = Objects.requireNonNull(revokedAt, "revokedAt").truncatedTo(ChronoUnit.MILLIS);
        Objects.requireNonNull(causedBy, "causedBy");
    }

    /** The revocation of {@code secret} caused by event {@code causedBy}: its ID is derived from both. */
    public static CredentialRevoked of(
            AccountId accountId, Environment environment, SecretRef secret, RevocationReason reason,
            Instant revokedAt, UUID causedBy) {
        return new CredentialRevoked(
                idFor(causedBy, secret.secretId()), accountId, environment, secret, reason, revokedAt, causedBy);
    }

    /** A name-based UUID of the causing event and the secret: the same pair always gives the same ID. */
    public static UUID idFor(UUID causedBy, UUID secretId) {
        return UUID.nameUUIDFromBytes((causedBy + "/" + secretId).getBytes(StandardCharsets.US_ASCII));
    }
}
