package dev.credledger.api;

import io.javalin.http.Context;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Graceful shutdown of the HTTP API: once draining, new requests get 503 with {@code Retry-After} (another
 * instance, or this one restarted, will answer), and requests already in flight — a command waiting for its
 * result — finish before stream processing stops under them.
 */
public final class Drain {

    private static final String COUNTED = "credledger.drain.counted";

    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    public void enter(Context ctx) {
        // Counted before the check: a request that races with the start of the drain is either refused here
        // or seen by drain(), never neither.
        inFlight.incrementAndGet();
        if (draining) {
            inFlight.decrementAndGet();
            throw new Problem(503, "shutting-down", "Service unavailable", "this instance is shutting down; retry")
                    .retryAfter(1);
        }
        ctx.attribute(COUNTED, Boolean.TRUE);
    }

    public void exit(Context ctx) {
        if (ctx.attribute(COUNTED) != null) {
            ctx.attribute(COUNTED, null);
            inFlight.decrementAndGet();
        }
    }

    public boolean draining() {
        return draining;
    }

    /** Refuses new requests from now on and waits, at most {@code max}, for those in flight; returns how many were left. */
    public int drain(Duration max) {
        draining = true;
        long deadline = System.nanoTime() + max.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        return inFlight.get();
    }
}
