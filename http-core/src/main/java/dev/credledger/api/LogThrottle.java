package dev.credledger.api;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * At most one log line per interval for events a client can cause at will (a flood of refused
 * verifications must not flood the log); the lines not written are counted and reported with the next one.
 */
public final class LogThrottle {

    private final long intervalNanos;
    private final AtomicLong nextAllowed = new AtomicLong(System.nanoTime());
    private final AtomicLong suppressed = new AtomicLong();
    private volatile long reportable;

    public LogThrottle(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /** Whether a line may be written now; if not, it is counted as suppressed. */
    public boolean tryAcquire() {
        long now = System.nanoTime();
        long next = nextAllowed.get();
        if (now - next >= 0 && nextAllowed.compareAndSet(next, now + intervalNanos)) {
            reportable = suppressed.getAndSet(0);
            return true;
        }
        suppressed.incrementAndGet();
        return false;
    }

    /** How many lines were suppressed before the one {@link #tryAcquire()} just allowed. */
    public long suppressedSinceLast() {
        return reportable;
    }
}
