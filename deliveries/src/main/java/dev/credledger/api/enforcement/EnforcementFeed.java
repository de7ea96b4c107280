package dev.credledger.api.enforcement;

import dev.credledger.events.avro.AppliedPosition;
import dev.credledger.events.avro.CredentialRevoked;
import dev.credledger.events.avro.EnforcementAck;
import dev.credledger.processors.topology.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds an {@link EnforcementView} on every ledger instance: reads {@code credential-revocations}, its early copy
 * {@code credential-revocations-early} and {@code credential-enforcement-acks} from their beginning ({@code read_committed}, no consumer group) on a thread
 * of its own, apart from Kafka Streams, so nothing here touches the command path. A report is applied only once
 * the revocations have been read to where they ended when the report was read, and a reported position is never
 * taken past that end nor past a revocation issued after the report was written: a report cannot vouch for
 * revocations that did not exist yet. Reports come from clients,
 * so each is checked (its key names its point and instance, names are short and printable, partitions exist)
 * and dated by the broker (the topic's log-append time), never by the client's clock. Publishes
 * {@code credledger_enforcement_lag_seconds{enforcement_point}} and counts, in
 * {@code credledger_enforcement_late_revocations_total}, each revocation not effective at every live point within
 * {@code alertAfter} (judged one second after that deadline, so reports sent in time have arrived).
 */
public final class EnforcementFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EnforcementFeed.class);
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final Duration ARRIVAL_SLACK = Duration.ofSeconds(1);
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[\\x21-\\x7b\\x7d\\x7e]{1,128}");

    private final EnforcementView view;
    private final Duration alertAfter;
    private final Duration retention;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<CredentialRevoked> revocations;
    private final Deserializer<EnforcementAck> acks;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final PriorityQueue<EnforcementView.Revocation> toJudge =
            new PriorityQueue<>(Comparator.comparing(EnforcementView.Revocation::revokedAt));
    private final MultiGauge lag;
    private final Counter late;
    private final Instant startedAt = Instant.now();
    private final Thread thread;
    /** A report read, waiting until the revocations are read to where they ended then ({@code end}). */
    private record Waiting(ConsumerRecord<String, byte[]> record, EnforcementAck ack, Map<TopicPartition, Long> end) {}

    private static final int MAX_WAITING = 100_000;
    private final java.util.ArrayDeque<Waiting> waiting = new java.util.ArrayDeque<>();
    private List<TopicPartition> revocationPartitions = List.of();
    /** Both feeds a report may cover: {@code credential-revocations} and its early copy. */
    private List<TopicPartition> coveredPartitions = List.of();
    private volatile boolean closed;
    private volatile long lastPollNanos = System.nanoTime();
    private long refused;

    public EnforcementFeed(dev.credledger.processors.topology.ClientProperties clients, Topics topics, EnforcementView view, Duration alertAfter,
            Duration retention, MeterRegistry meters) {
        this.view = view;
        this.alertAfter = alertAfter;
        this.retention = retention;
        this.revocations = topics.revocations.valueSerde().deserializer();
        this.acks = topics.enforcementAcks.valueSerde().deserializer();
        this.consumer = new KafkaConsumer<>(clients.config(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "credledger-enforcement-feed")),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.lag = MultiGauge.builder("credledger.enforcement.lag").baseUnit("seconds")
                .description("Per enforcement point: age of the oldest revocation a live instance has not applied (0: caught up)")
                .register(meters);
        this.late = Counter.builder("credledger.enforcement.late.revocations")
                .description("Revocations not effective at every live enforcement point within --enforcement-alert-after")
                .register(meters);
        this.thread = Thread.ofPlatform().daemon().name("credledger-enforcement-feed").unstarted(this::run);
    }

    public EnforcementFeed start() {
        thread.start();
        return this;
    }

    /**
     * Whether answers are sound: both topics read to where they ended at start, and the feed still polling (a
     * stopped or stuck feed would let pending points turn stale on an unchanging picture).
     */
    public boolean healthy() {
        return caughtUp.getCount() == 0 && thread.isAlive()
                && System.nanoTime() - lastPollNanos < Duration.ofSeconds(10).toNanos();
    }

    private void run() {
        try {
            List<TopicPartition> all = new ArrayList<>();
            for (String topic : List.of(Topics.REVOCATIONS, Topics.EARLY_REVOCATIONS, Topics.ENFORCEMENT_ACKS)) {
                consumer.partitionsFor(topic).forEach(p -> all.add(new TopicPartition(topic, p.partition())));
            }
            revocationPartitions = all.stream().filter(p -> p.topic().equals(Topics.REVOCATIONS)).toList();
            coveredPartitions = all.stream().filter(p -> !p.topic().equals(Topics.ENFORCEMENT_ACKS)).toList();
            consumer.assign(all);
            consumer.seekToBeginning(all);
            Map<TopicPartition, Long> endAtStart = consumer.endOffsets(all);
            Instant nextTick = Instant.now();
            Instant nextPrune = Instant.now().plus(Duration.ofHours(1));
            while (!closed) {
                List<ConsumerRecord<String, byte[]>> reports = new ArrayList<>();
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(Topics.REVOCATIONS)) {
                        apply(r);
                    } else if (r.topic().equals(Topics.EARLY_REVOCATIONS)) {
                        applyEarly(r);
                    } else if (r.value() != null) {
                        reports.add(r);
                    }
                }
                if (!reports.isEmpty()) {
                    await(reports);
                }
                reportWhatIsDue();
                lastPollNanos = System.nanoTime();
                if (caughtUp.getCount() > 0 && endAtStart.entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp.countDown();
                }
                Instant now = Instant.now();
                // Judged and published only once caught up: before, reports not yet read would look missing.
                if (caughtUp.getCount() == 0 && !now.isBefore(nextTick)) {
                    judge(now);
                    lag.register(view.lagByPoint(now).entrySet().stream().map(e -> MultiGauge.Row.of(
                            Tags.of("enforcement_point", e.getKey()), e.getValue() / 1000.0)).toList(), true);
                    nextTick = now.plus(TICK);
                }
                if (!now.isBefore(nextPrune)) {
                    view.forgetBefore(now.minus(retention));
                    nextPrune = now.plus(Duration.ofHours(1));
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("The enforcement feed stopped: {}", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            return;
        }
        try {
            {
                CredentialRevoked v = revocations.deserialize(r.topic(), r.value());
                EnforcementView.Revocation revocation = new EnforcementView.Revocation(v.getEventId(), r.partition(), r.offset(),
                        v.getFingerprint(), v.getPrefix(), v.getAccountId(), v.getEnvironment().name(), v.getKind().name(),
                        v.getReason().name(), v.getRevokedAt(), v.getCausedBy());
                view.addRevocation(revocation);
                // Judged only if its deadline falls after this instance started: a restart does not count old ones again.
                if (!v.getRevokedAt().plus(alertAfter).isBefore(startedAt)) {
                    toJudge.add(revocation);
                }
            }
        } catch (RuntimeException e) {
            // A record that cannot be read (a client writing garbage to the acknowledgements) is skipped, and said so.
            LOG.warn("Skipped an unreadable record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
        }
    }

    /** Where an early copy is: what a report's early positions are checked against. */
    private void applyEarly(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            return;
        }
        try {
            CredentialRevoked v = revocations.deserialize(r.topic(), r.value());
            view.addEarly(new EnforcementView.Early(v.getEventId(), r.partition(), r.offset(), v.getRevokedAt()));
        } catch (RuntimeException e) {
            LOG.warn("Skipped an unreadable record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
        }
    }

    /** Reports wait until the revocations are read to where they end now: then every revocation they may cover is known. */
    private void await(List<ConsumerRecord<String, byte[]>> reports) {
        Map<TopicPartition, Long> end;
        try {
            end = consumer.endOffsets(coveredPartitions, Duration.ofSeconds(5));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            LOG.warn("Cannot read the end offsets of {}; reports wait for the next poll: {}", Topics.REVOCATIONS, e.toString());
            Map<TopicPartition, Long> first = new HashMap<>();
            reports.forEach(r -> first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min));
            first.forEach(consumer::seek);
            return;
        }
        for (ConsumerRecord<String, byte[]> r : reports) {
            try {
                if (waiting.size() >= MAX_WAITING) {
                    refuse(r, "too many reports waiting");
                } else {
                    waiting.add(new Waiting(r, acks.deserialize(r.topic(), r.value()), end));
                }
            } catch (RuntimeException e) {
                refuse(r, "unreadable: " + e);
            }
        }
    }

    private void reportWhatIsDue() {
        while (!waiting.isEmpty() && waiting.peek().end().entrySet().stream()
                .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
            Waiting w = waiting.poll();
            report(w.record(), w.ack(), w.end());
        }
    }

    private void report(ConsumerRecord<String, byte[]> r, EnforcementAck ack, Map<TopicPartition, Long> end) {
        String point = ack.getEnforcementPoint();
        String instance = ack.getInstance();
        String why = null;
        if (!NAME.matcher(point).matches() || !NAME.matcher(instance).matches()) {
            why = "names must be 1-128 printable ASCII characters without '|'";
        } else if (!(point + "|" + instance).equals(r.key())) {
            why = "the key does not name the point and instance of the value";
        } else if (ack.getPositions().size() > revocationPartitions.size()
                || ack.getEarlyPositions().size() > coveredPartitions.size() - revocationPartitions.size()) {
            why = "more positions than the revocation topics have partitions";
        }
        Instant at = Instant.ofEpochMilli(r.timestamp());
        Map<Integer, Long> positions = new HashMap<>();
        for (AppliedPosition p : ack.getPositions()) {
            Long endThen = end.get(new TopicPartition(Topics.REVOCATIONS, p.getPartition()));
            if (endThen == null) {
                why = why != null ? why : "partition " + p.getPartition() + " of credential-revocations does not exist";
            } else {
                long position = view.notPast(p.getPartition(), at, Math.min(p.getOffset(), endThen));
                positions.merge(p.getPartition(), position, Math::max);
            }
        }
        Map<Integer, Long> early = new HashMap<>();
        for (AppliedPosition p : ack.getEarlyPositions()) {
            Long endThen = end.get(new TopicPartition(Topics.EARLY_REVOCATIONS, p.getPartition()));
            if (endThen == null) {
                why = why != null ? why : "partition " + p.getPartition() + " of " + Topics.EARLY_REVOCATIONS + " does not exist";
            } else {
                early.merge(p.getPartition(), view.notPastEarly(p.getPartition(), at, Math.min(p.getOffset(), endThen)), Math::max);
            }
        }
        if (why == null && !view.report(point, instance, at, positions, early)) {
            why = "more than " + EnforcementView.MAX_INSTANCES + " instances";
        }
        if (why != null) {
            refuse(r, why);
        }
    }

    private void refuse(ConsumerRecord<String, byte[]> r, String why) {
        if (refused++ % 100 == 0) {
            LOG.warn("Refused an enforcement report at {}-{}@{} ({} so far): {}", r.topic(), r.partition(), r.offset(), refused, why);
        }
    }

    private void judge(Instant now) {
        while (!toJudge.isEmpty() && !toJudge.peek().revokedAt().plus(alertAfter).plus(ARRIVAL_SLACK).isAfter(now)) {
            EnforcementView.Revocation r = toJudge.poll();
            if (view.late(r, alertAfter, now)) {
                late.increment();
                LOG.warn("Revocation {} ({}) was not effective at every live enforcement point within {}", r.eventId(),
                        r.prefix(), alertAfter);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        if (thread.getState() == Thread.State.NEW) {
            consumer.close();
            return;
        }
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
