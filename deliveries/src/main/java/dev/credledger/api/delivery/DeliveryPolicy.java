package dev.credledger.api.delivery;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How deliveries are retried, and where they may go.
 *
 * @param allowPrivateAddresses whether URLs may name loopback, private and link-local addresses, and plain http
 *     (development and tests only)
 * @param attempts attempts per message before it is given up on (webhooks) or pushing pauses (streams)
 * @param backoff the wait before the second attempt; each later wait doubles, up to {@link #MAX_BACKOFF}, with
 *     jitter (a wait is drawn between half and all of it, so receivers that failed together do not retry together)
 */
public record DeliveryPolicy(boolean allowPrivateAddresses, int attempts, Duration backoff) {

    public static final Duration MAX_BACKOFF = Duration.ofMinutes(15);
    public static final DeliveryPolicy DEFAULT = new DeliveryPolicy(false, 10, Duration.ofSeconds(5));

    public DeliveryPolicy {
        if (attempts < 1 || attempts > 30) {
            throw new IllegalArgumentException("--delivery-attempts must be between 1 and 30");
        }
        if (backoff == null || !backoff.isPositive()) {
            throw new IllegalArgumentException("--delivery-backoff must be positive");
        }
    }

    /** The wait after failed attempt {@code n} (from 1). */
    public Duration waitAfter(int n) {
        long full = Math.min(MAX_BACKOFF.toMillis(), backoff.toMillis() << Math.min(n - 1, 20));
        return Duration.ofMillis(full / 2 + ThreadLocalRandom.current().nextLong(full / 2 + 1));
    }
}
