package dev.credledger.api.usage;

import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.avro.VerificationCounts;
import dev.credledger.events.verify.Verification;
import dev.credledger.processors.topology.ClientProperties;
import dev.credledger.processors.topology.Topics;
import dev.credledger.processors.topology.UsageWindows;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts every verification outcome per credential and hour, exactly, without slowing the verify path: a verification
 * adds one to a {@link LongAdder} of its credential's hour (a map lookup and an add: no lock, no I/O); a flusher thread
 * sends what was added since its last run to {@code credential-verifications} (keyed by account, so each count lands
 * on its account's partition), one transaction per flush, and the ledger's windowed aggregation ({@link UsageWindows})
 * adds them up. What a flush sends is a difference of monotone sums, so an add made while flushing goes in the next
 * flush, and a flush whose transaction fails is sent again whole; a committed one is added up exactly once. What an
 * instance counted but had not flushed when it was killed (at most one flush interval) is lost; a clean stop flushes.
 */
public final class VerificationCounter implements AutoCloseable {

    /** What a count is about: one credential in one hour. */
    private record Key(String accountId, UUID credentialId, long windowStart) {}

    /** The running sums of one key, and what was sent of them. */
    private static final class Tally {
        final LongAdder valid = new LongAdder();
        final LongAdder[] invalid = new LongAdder[REASONS.length];
        long sentValid;
        final long[] sentInvalid = new long[REASONS.length];

        Tally() {
            for (int i = 0; i < invalid.length; i++) {
                invalid[i] = new LongAdder();
            }
        }
    }

    private static final Verification.Reason[] REASONS = Verification.Reason.values();
    private static final Logger LOG = LoggerFactory.getLogger(VerificationCounter.class);
    /** An hour's tally leaves memory once it is sent in full and the hour ended this long ago. */
    private static final long LINGER_MILLIS = Duration.ofMinutes(2).toMillis();

    private final Map<Key, Tally> tallies = new ConcurrentHashMap<>();
    private volatile boolean counting = true;
    /** Whether the producer's transactions were initialised (done by the first flush, not at start: no wait for Kafka). */
    private boolean transactional;
    private final Producer<String, VerificationCounts> producer;
    private final ScheduledExecutorService flusher;

    public VerificationCounter(ClientProperties clients, Topics topics, Duration flushInterval) {
        Properties p = new Properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // One transaction per flush; an ID of this process's own (nothing to fence: one producer per process). A process
        // killed mid-flush leaves an open transaction that holds back read_committed readers of its partitions until
        // this timeout aborts it.
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "credledger-verification-counts-" + UUID.randomUUID());
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 50);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "credledger-verification-counts");
        this.producer = new KafkaProducer<>(clients.properties(p), new StringSerializer(),
                topics.verifications.valueSerde().serializer());
        this.flusher = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("credledger-verification-counts").daemon().factory());
        long every = flushInterval.toMillis();
        flusher.scheduleWithFixedDelay(() -> {
            try {
                flush();
            } catch (RuntimeException e) {
                LOG.warn("Writing verification counts failed ({}); tried again at the next flush", e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * One verification of the secret {@code entry} names ({@code null}: no such secret, not counted), valid when
     * {@code refusal} is {@code null}. The whole cost on the verify path.
     */
    public void count(TokenLookup entry, Verification.Reason refusal) {
        if (entry == null || !counting) {
            return;
        }
        UUID credential = entry.getCredentialId() != null ? entry.getCredentialId() : entry.getSecretId();
        Key key = new Key(entry.getAccountId(), credential, UsageWindows.windowStart(System.currentTimeMillis()));
        Tally tally = tallies.get(key);
        if (tally == null) {
            tally = tallies.computeIfAbsent(key, k -> new Tally());
        }
        (refusal == null ? tally.valid : tally.invalid[refusal.ordinal()]).increment();
    }

    /** Pauses ({@code false}) or resumes counting: for a benchmark that compares both in one process. */
    public void counting(boolean on) {
        counting = on;
    }

    /**
     * Sends what was counted since the last flush, in one transaction: committed, it is added up exactly once (the
     * aggregation reads {@code read_committed}); aborted or failed, it is counted as unsent again and goes with the next
     * flush. Forgets hours that ended a while ago and were sent in full. Runs on the flusher thread only.
     */
    void flush() {
        long now = System.currentTimeMillis();
        List<ProducerRecord<String, VerificationCounts>> records = new ArrayList<>();
        List<Runnable> unsend = new ArrayList<>();
        for (Map.Entry<Key, Tally> e : tallies.entrySet()) {
            delta(e.getKey(), e.getValue(), now, records, unsend);
        }
        if (records.isEmpty()) {
            return;
        }
        try {
            if (!transactional) {
                producer.initTransactions();
                transactional = true;
            }
            producer.beginTransaction();
            records.forEach(producer::send);
            producer.commitTransaction();
        } catch (RuntimeException failure) {
            try {
                if (transactional) {
                    producer.abortTransaction();
                }
            } catch (RuntimeException alsoFailed) {
                failure.addSuppressed(alsoFailed);
            }
            unsend.forEach(Runnable::run);
            LOG.warn("Verification counts not written ({}); sent again with the next flush", failure.toString());
        }
    }

    /** The count of one credential and hour not sent yet, as a record, and how to take back marking it sent. */
    private void delta(Key key, Tally tally, long now, List<ProducerRecord<String, VerificationCounts>> records,
            List<Runnable> unsend) {
        long valid = tally.valid.sum();
        long validDelta = valid - tally.sentValid;
        Map<String, Long> invalid = new HashMap<>();
        long[] sums = new long[REASONS.length];
        for (int i = 0; i < REASONS.length; i++) {
            sums[i] = tally.invalid[i].sum();
            if (sums[i] > tally.sentInvalid[i]) {
                invalid.put(REASONS[i].name(), sums[i] - tally.sentInvalid[i]);
            }
        }
        if (validDelta == 0 && invalid.isEmpty()) {
            if (now - (key.windowStart() + UsageWindows.WINDOW.toMillis()) > LINGER_MILLIS) {
                tallies.remove(key, tally);
            }
            return;
        }
        long[] before = tally.sentInvalid.clone();
        long validBefore = tally.sentValid;
        tally.sentValid = valid;
        System.arraycopy(sums, 0, tally.sentInvalid, 0, sums.length);
        unsend.add(() -> {
            tally.sentValid = validBefore;
            System.arraycopy(before, 0, tally.sentInvalid, 0, before.length);
        });
        records.add(new ProducerRecord<>(Topics.VERIFICATIONS, key.accountId(), new VerificationCounts(key.accountId(),
                key.credentialId(), Instant.ofEpochMilli(key.windowStart()), validDelta, invalid)));
    }

    @Override
    public void close() {
        flusher.shutdown(); // a flush under way completes: interrupting it would lose nothing, but send it twice
        try {
            flusher.awaitTermination(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("Verification counts not written at shutdown: {}", e.toString());
        }
        producer.close(Duration.ofSeconds(5));
    }
}
