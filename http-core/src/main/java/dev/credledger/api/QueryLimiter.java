package dev.credledger.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Bounds how many expensive queries (audit pages, scans) one caller runs at once, keyed by the caller's
 * role key: one auditor looping queries cannot take the cores that verification needs. Over the bound:
 * 429 with {@code Retry-After}.
 */
public final class QueryLimiter {

    private final int perCaller;
    private final Map<Object, Semaphore> permits = new ConcurrentHashMap<>();

    public QueryLimiter(int perCaller) {
        this.perCaller = perCaller;
    }

    /** Runs {@code query} if the caller (the role its key stands for) has a permit free, else answers 429. */
    public void run(Object caller, Runnable query) {
        Semaphore semaphore = permits.computeIfAbsent(caller == null ? "anonymous" : caller, k -> new Semaphore(perCaller));
        if (!semaphore.tryAcquire()) {
            throw new Problem(429, "too-many-queries", "Too many requests", "at most " + perCaller
                    + " expensive queries run at once per key; retry when one has finished").retryAfter(1);
        }
        try {
            query.run();
        } finally {
            semaphore.release();
        }
    }
}
