package dev.credledger.processors.domain;

import dev.credledger.events.model.SealedSecret;
import dev.credledger.events.model.SecretRef;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * API access of one account+environment: the auth token, the private salt, a token in its grace period
 * and the IP allow-list. Token and salt are {@code null} while disabled; the allow-list is the environment's
 * network policy, governs every secret of the environment (auth token and client credentials) and is kept
 * whether API access is on or off, so that no command but an allow-list change ever widens where a secret works.
 * {@code sealedSalt} is the salt in its sealed form, when it was issued sealed. {@code enabledBy} (the actor who
 * enabled it) and {@code tokenIssuedAt} (when the current token was issued) are for compliance reports; {@code null}
 * in state written before they were kept. {@code tokenExpiresAt}: when the current token expires ({@code null}:
 * never); {@code tokenExpired}: its expiry was recorded (the token no longer verifies; a refresh issues a new one).
 */
public record ApiAccess(
        boolean enabled, SecretRef token, SecretRef salt, GraceToken graceToken, List<String> allowedIps,
        Instant enabledAt, Instant updatedAt, SealedSecret sealedSalt, String enabledBy, Instant tokenIssuedAt,
        Instant tokenExpiresAt, boolean tokenExpired) {

    public ApiAccess {
        allowedIps = List.copyOf(Objects.requireNonNull(allowedIps, "allowedIps"));
        if (enabled && (token == null || salt == null)) {
            throw new IllegalArgumentException("enabled API access has a token and a salt");
        }
    }

    /** As above, with no sealed salt (salts issued before they were sealed, and tests that do not sign). */
    public ApiAccess(boolean enabled, SecretRef token, SecretRef salt, GraceToken graceToken, List<String> allowedIps,
            Instant enabledAt, Instant updatedAt) {
        this(enabled, token, salt, graceToken, allowedIps, enabledAt, updatedAt, null, null, null, null, false);
    }

    public ApiAccess(boolean enabled, SecretRef token, SecretRef salt, GraceToken graceToken, List<String> allowedIps,
            Instant enabledAt, Instant updatedAt, SealedSecret sealedSalt) {
        this(enabled, token, salt, graceToken, allowedIps, enabledAt, updatedAt, sealedSalt, null, null, null, false);
    }

    public ApiAccess(boolean enabled, SecretRef token, SecretRef salt, GraceToken graceToken, List<String> allowedIps,
            Instant enabledAt, Instant updatedAt, SealedSecret sealedSalt, String enabledBy, Instant tokenIssuedAt) {
        this(enabled, token, salt, graceToken, allowedIps, enabledAt, updatedAt, sealedSalt, enabledBy, tokenIssuedAt,
                null, false);
    }

    /** Whether the current token's expiry has passed at {@code now}, recorded or not. */
    public boolean tokenExpiredAt(Instant now) {
        return tokenExpired || (tokenExpiresAt != null && !now.isBefore(tokenExpiresAt));
    }

    /** Never enabled: nothing issued, no allow-list. */
    public static ApiAccess disabled(Instant updatedAt) {
        return new ApiAccess(false, null, null, null, List.of(), null, updatedAt, null, null, null, null, false);
    }
}
