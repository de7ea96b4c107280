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
 * Feeds an {@link EnforcementView} on every ledger instance: reads {@code credential-revocations} and
 * {@code credential-enforcement-acks} from their beginning ({@code read_committed}, no consumer group) on a thread
 * of its own, apart from Kafka Streams, so nothing here touches the command path. Publishes
 * {@code credledger_enforcement_lag_seconds{enforcement_point}} and counts, in
 * {@code credledger_enforcement_late_revocations_total}, each revocation not effective at every live point within
 * {@code alertAfter} (judged one second after that deadline, so reports sent in time have arrived).
 */
public final class EnforcementFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EnforcementFeed.class);
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final Duration ARRIVAL_SLACK = Duration.ofSeconds(1);

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
    private volatile boolean closed;

    public EnforcementFeed(String bootstrapServers, Topics topics, EnforcementView view, Duration alertAfter,
            Duration retention, MeterRegistry meters) {
        this.view = view;
        this.alertAfter = alertAfter;
        this.retention = retention;
        this.revocations = topics.revocations.valueSerde().deserializer();
        this.acks = topics.enforcementAcks.valueSerde().deserializer();
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "credledger-enforcement-feed"),
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

    /** Whether both topics have been read to where they ended at start: before that, answers could be incomplete. */
    public boolean caughtUp() {
        return caughtUp.getCount() == 0;
    }

    private void run() {
        try {
            List<TopicPartition> all = new ArrayList<>();
            for (String topic : List.of(Topics.REVOCATIONS, Topics.ENFORCEMENT_ACKS)) {
                consumer.partitionsFor(topic).forEach(p -> all.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(all);
            consumer.seekToBeginning(all);
            Map<TopicPartition, Long> endAtStart = consumer.endOffsets(all);
            Instant nextTick = Instant.now();
            Instant nextPrune = Instant.now().plus(Duration.ofHours(1));
            while (!closed) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    apply(r);
                }
                if (caughtUp.getCount() > 0 && endAtStart.entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp.countDown();
                }
                Instant now = Instant.now();
                if (!now.isBefore(nextTick)) {
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
            if (r.topic().equals(Topics.REVOCATIONS)) {
                CredentialRevoked v = revocations.deserialize(r.topic(), r.value());
                EnforcementView.Revocation revocation = new EnforcementView.Revocation(v.getEventId(), r.partition(), r.offset(),
                        v.getFingerprint(), v.getPrefix(), v.getAccountId(), v.getEnvironment().name(), v.getKind().name(),
                        v.getReason().name(), v.getRevokedAt(), v.getCausedBy());
                view.addRevocation(revocation);
                // Judged only if its deadline falls after this instance started: a restart does not count old ones again.
                if (!v.getRevokedAt().plus(alertAfter).isBefore(startedAt)) {
                    toJudge.add(revocation);
                }
            } else {
                EnforcementAck ack = acks.deserialize(r.topic(), r.value());
                Map<Integer, Long> positions = new HashMap<>();
                for (AppliedPosition p : ack.getPositions()) {
                    positions.merge(p.getPartition(), p.getOffset(), Math::max);
                }
                view.report(ack.getEnforcementPoint(), ack.getInstance(), ack.getStartedAt(), ack.getAppliedAt(), positions);
            }
        } catch (RuntimeException e) {
            // A record that cannot be read (a client writing garbage to the acknowledgements) is skipped, and said so.
            LOG.warn("Skipped an unreadable record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
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
