package dev.credledger.processors.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * An account's credential policy: how long a new secret may live ({@code maxAgeDays}, {@code null}: no maximum), how
 * long before an expiry the rotation notice is recorded, and whether a secret without an expiry is refused. It governs
 * secrets issued after it is set; secrets already issued keep the expiry they were given.
 */
public record CredentialPolicy(Integer maxAgeDays, int expiryWarningDays, boolean requireExpiry) {

    /** No maximum, a notice 7 days ahead (as GitHub gives for its expiring tokens), no expiry required. */
    public static final CredentialPolicy DEFAULT = new CredentialPolicy(null, 7, false);

    public static final int MAX_AGE_DAYS_LIMIT = 3650;
    public static final int WARNING_DAYS_LIMIT = 90;

    public CredentialPolicy {
        if (maxAgeDays != null && (maxAgeDays < 1 || maxAgeDays > MAX_AGE_DAYS_LIMIT)) {
            throw new IllegalArgumentException("maxAgeDays is 1 to " + MAX_AGE_DAYS_LIMIT);
        }
        if (expiryWarningDays < 1 || expiryWarningDays > WARNING_DAYS_LIMIT) {
            throw new IllegalArgumentException("expiryWarningDays is 1 to " + WARNING_DAYS_LIMIT);
        }
    }

    /** The latest expiry a secret issued at {@code at} may have, or {@code null} when there is no maximum. */
    public Instant latestExpiry(Instant at) {
        return maxAgeDays == null ? null : at.plus(Duration.ofDays(maxAgeDays));
    }

    /** When the rotation notice of a secret expiring at {@code expiresAt} is due. */
    public Instant warningAt(Instant expiresAt) {
        return expiresAt.minus(Duration.ofDays(expiryWarningDays));
    }
}
