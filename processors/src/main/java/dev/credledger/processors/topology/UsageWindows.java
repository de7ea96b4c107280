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

    private WindowStore<String, VerificationCounts> windows;

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
