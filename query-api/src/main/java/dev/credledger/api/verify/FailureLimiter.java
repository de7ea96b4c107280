package dev.credledger.api.verify;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;

/**
 * Throttles failed verifications — guessing, or replaying revoked secrets — without ever slowing a successful one:
 * a verification is decided first, and only a failure takes a token from two buckets (Bucket4j, greedy refill): the
 * caller's (the role key that asked) and, when the caller presents one, the end client's source address. An empty
 * bucket turns the failure into 429 with {@code Retry-After}. Buckets live in a Caffeine cache bounded in entries and
 * idle time, so a flood of distinct addresses costs bounded memory (the oldest idle buckets go; an evicted address
 * starts again with a full burst, which is the worst it can gain).
 */
public final class FailureLimiter {

    /**
     * How failures are bounded. {@code trackedSources}: at most this many source addresses have a bucket at once;
     * {@code clock}: what refills the buckets, in nanoseconds (the system's monotonic clock; a test's own to decide
     * exactly what may have refilled).
     */
    public record Limits(long perSecond, long burst, long trackedSources, TimeMeter clock) {
        public static final Limits DEFAULT = new Limits(10, 100, 100_000);

        public Limits {
            if (perSecond < 1 || burst < 1 || trackedSources < 1) {
                throw new IllegalArgumentException("--verify-failure-rate and --verify-failure-burst must be positive");
            }
            java.util.Objects.requireNonNull(clock, "clock");
        }

        public Limits(long perSecond, long burst, long trackedSources) {
            this(perSecond, burst, trackedSources, TimeMeter.SYSTEM_NANOTIME);
        }
    }

    /** The verdict on a failure: allowed, or throttled for at least {@code retryAfterSeconds} by {@code by}. */
    public record Verdict(boolean allowed, String by, long retryAfterSeconds) {
        public static final Verdict ALLOWED = new Verdict(true, null, 0);
    }

    private final Limits limits;
    private final Cache<String, Bucket> callers;
    private final Cache<String, Bucket> sources;
    private final MeterRegistry meters;

    public FailureLimiter(Limits limits, MeterRegistry meters) {
        this.limits = limits;
        this.meters = meters;
        this.callers = Caffeine.newBuilder().maximumSize(1_000).expireAfterAccess(Duration.ofMinutes(10)).build();
        this.sources = Caffeine.newBuilder().maximumSize(limits.trackedSources()).expireAfterAccess(Duration.ofMinutes(10))
                .build();
        meters.gauge("credledger.verify.limiter.tracked.sources", sources, Cache::estimatedSize);
    }

    /** A verification by {@code caller} (for {@code sourceIp}, or {@code null}) failed: may it be answered? */
    public Verdict failure(String caller, String sourceIp) {
        // The address first: a flooding address is named as such even once its caller's bucket is empty too.
        if (sourceIp != null) {
            ConsumptionProbe bySource = sources.get(sourceIp, k -> bucket()).tryConsumeAndReturnRemaining(1);
            if (!bySource.isConsumed()) {
                return throttled("source", bySource);
            }
        }
        ConsumptionProbe byCaller = callers.get(caller, k -> bucket()).tryConsumeAndReturnRemaining(1);
        if (!byCaller.isConsumed()) {
            return throttled("caller", byCaller);
        }
        return Verdict.ALLOWED;
    }

    /** How many source addresses have a bucket now (after pending evictions). */
    public long trackedSources() {
        sources.cleanUp();
        return sources.estimatedSize();
    }

    private Verdict throttled(String by, ConsumptionProbe probe) {
        meters.counter("credledger.verify.throttled", "by", by).increment();
        long seconds = Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L);
        return new Verdict(false, by, seconds);
    }

    private Bucket bucket() {
        return Bucket.builder()
                .withCustomTimePrecision(limits.clock())
                .addLimit(limit -> limit.capacity(limits.burst()).refillGreedy(limits.perSecond(), Duration.ofSeconds(1)))
                .build();
    }
}
