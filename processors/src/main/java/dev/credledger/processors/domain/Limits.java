package dev.credledger.processors.domain;

import java.time.Duration;

/**
 * Configurable bounds of the rules.
 *
 * @param maxAllowedIps allow-list entries per account+environment (default 100)
 * @param maxGracePeriod longest grace period of a refreshed-away token (default 24 h)
 */
public record Limits(int maxAllowedIps, Duration maxGracePeriod) {

    public static final Limits DEFAULT = new Limits(100, Duration.ofHours(24));

    public Limits {
        if (maxAllowedIps < 1) {
            throw new IllegalArgumentException("maxAllowedIps must be at least 1");
        }
        if (maxGracePeriod.isNegative()) {
            throw new IllegalArgumentException("maxGracePeriod must not be negative");
        }
    }
}
