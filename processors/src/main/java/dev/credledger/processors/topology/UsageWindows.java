package dev.credledger.processors.topology;

import dev.credledger.events.avro.VerificationCounts;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hourly verification counts of each credential: a windowed aggregation (tumbling one-hour windows, kept for the
 * usage retention) of the counts the ledger instances flush to {@code credential-verifications}. Each record adds to
 * its hour; under exactly-once the sum holds each flushed count once. Key {@code <account>|<credentialId>}.
 */
public final class UsageWindows implements Processor<String, VerificationCounts, Void, Void> {

    public static final Duration WINDOW = Duration.ofHours(1);
    static final String PROCESSOR = "usage-windows";

    private static final Logger LOG = LoggerFactory.getLogger(UsageWindows.class);

    /**
     * The key of the one entry written at every start, so that the store has a changelog offset to checkpoint even on a
     * partition where nothing was verified: under exactly-once, Kafka Streams treats a non-empty task whose window store
     * has no checkpointed offset as corrupt and rebuilds the whole task (every store of the account's partition) from
     * the changelogs at the next start. No account ID can be {@code ~}, so no query reads it.
     */
    static final String MARKER = "~";

    private WindowStore<String, VerificationCounts> windows;
    private org.apache.kafka.streams.processor.Cancellable marking;

    /** The store key of a credential's windows. */
    public static String key(String accountId, String credentialId) {
        return accountId + "|" + credentialId;
    }

    /** The start of the hour {@code epochMillis} falls in. */
    public static long windowStart(long epochMillis) {
        return epochMillis - Math.floorMod(epochMillis, WINDOW.toMillis());
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        windows = context.getStateStore(Stores.USAGE_WINDOWS);
        marking = context.schedule(Duration.ofSeconds(1), org.apache.kafka.streams.processor.PunctuationType.WALL_CLOCK_TIME,
                now -> {
                    long start = windowStart(now);
                    windows.put(MARKER, new VerificationCounts(MARKER, new java.util.UUID(0, 0), java.time.Instant.ofEpochMilli(start),
                            0L, Map.of()), start);
                    marking.cancel();
                });
    }

    @Override
    public void process(Record<String, VerificationCounts> record) {
        VerificationCounts add = record.value();
        if (add == null || !add.getAccountId().equals(record.key())) {
            // Written only by the ledger's own instances: anything else is dropped, never allowed to stop the task.
            LOG.warn("A credential-verifications record without value, or keyed by another account, was skipped");
            return;
        }
        String key = key(add.getAccountId(), add.getCredentialId().toString());
        long start = windowStart(add.getWindowStart().toEpochMilli());
        VerificationCounts sum = windows.fetch(key, start);
        windows.put(key, sum == null ? add : plus(sum, add), start);
    }

    /** Two counts of the same credential and hour added up. */
    public static VerificationCounts plus(VerificationCounts a, VerificationCounts b) {
        Map<String, Long> invalid = new HashMap<>(a.getInvalid());
        b.getInvalid().forEach((reason, n) -> invalid.merge(reason, n, Long::sum));
        return VerificationCounts.newBuilder(a).setValid(a.getValid() + b.getValid()).setInvalid(invalid).build();
    }
}
