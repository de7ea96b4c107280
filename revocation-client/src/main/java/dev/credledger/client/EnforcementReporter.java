package dev.credledger.client;

import dev.credledger.events.avro.AppliedPosition;
import dev.credledger.events.avro.EnforcementAck;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.serde.ConfluentAvroSerializer;
import dev.credledger.events.serde.SerdeConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the ledger how far this instance has applied {@code credential-revocations}: an {@link EnforcementAck} on
 * {@code credential-enforcement-acks} after every batch that held revocations and at least every interval. Runs
 * on a thread of its own, so a slow or unreachable broker or registry never holds up the consumer that applies
 * revocations; only the latest positions are sent (a report that is overtaken is dropped, not queued).
 */
final class EnforcementReporter implements AutoCloseable {

    static final String TOPIC = "credential-enforcement-acks";

    private static final Logger LOG = LoggerFactory.getLogger(EnforcementReporter.class);

    private record Positions(Map<Integer, Long> offsets, Map<Integer, Long> early, Instant appliedAt) {}

    private final String enforcementPoint;
    private final String instance;
    private final Duration interval;
    private final KafkaProducer<String, byte[]> producer;
    private final ConfluentAvroSerializer<EnforcementAck> serializer;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("credledger-enforcement-reporter").unstarted(r));
    private final AtomicReference<Positions> latest = new AtomicReference<>();
    private final AtomicBoolean queued = new AtomicBoolean();
    private final AtomicLong reportsSent = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile Instant startedAt;

    EnforcementReporter(Map<String, Object> kafkaProperties, SchemaRegistryClient registry, String enforcementPoint,
            String instance, Duration interval) {
        this.enforcementPoint = enforcementPoint;
        this.instance = instance;
        this.interval = interval;
        Map<String, Object> props = new HashMap<>(kafkaProperties);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // A report that cannot be sent soon is worth less than the next one.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "credledger-enforcement-reporter-" + enforcementPoint + "-" + instance);
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        serializer = new ConfluentAvroSerializer<>(registry, false);
        // The ledger registers this schema; a client only looks it up (it need not be allowed to write the registry).
        serializer.configure(Map.of(SerdeConfig.AUTO_REGISTER_SCHEMAS, false), false);
    }

    /** From now on, reports go out: after {@link #applied} and every interval. */
    void start(Instant readyAt) {
        startedAt = readyAt;
        thread.scheduleAtFixedRate(this::send, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Called by the consumer thread once a batch is applied ({@code offsets} in {@code credential-revocations},
     * {@code early} in {@code credential-revocations-early}: empty when not followed); sends soon, off that thread.
     */
    void applied(Map<Integer, Long> offsets, Map<Integer, Long> early, Instant appliedAt, boolean heldRevocations) {
        latest.set(new Positions(Map.copyOf(offsets), Map.copyOf(early), appliedAt));
        if (heldRevocations && startedAt != null && queued.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    queued.set(false);
                    send();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing: nothing more is reported
            }
        }
    }

    private void send() {
        Positions p = latest.get();
        if (p == null) {
            return;
        }
        try {
            EnforcementAck ack = EnforcementAck.newBuilder()
                    .setEnforcementPoint(enforcementPoint)
                    .setInstance(instance)
                    .setPositions(p.offsets().entrySet().stream().sorted(Map.Entry.comparingByKey())
                            .map(e -> new AppliedPosition(e.getKey(), e.getValue())).toList())
                    .setEarlyPositions(p.early().entrySet().stream().sorted(Map.Entry.comparingByKey())
                            .map(e -> new AppliedPosition(e.getKey(), e.getValue())).toList())
                    .setAppliedAt(p.appliedAt())
                    .setStartedAt(startedAt)
                    .setReportInterval(interval.toMillis())
                    .build();
            byte[] value = serializer.serialize(TOPIC, ack);
            producer.send(new ProducerRecord<>(TOPIC, enforcementPoint + "|" + instance, value), (metadata, e) -> {
                if (e == null) {
                    reportsSent.incrementAndGet();
                } else {
                    failed(e);
                }
            });
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private void failed(Exception e) {
        // The first failure and then one in a hundred: a missing ACL would otherwise log every second.
        if (failures.getAndIncrement() % 100 == 0) {
            LOG.warn("Cannot report enforcement to {} ({} failures so far): {}", TOPIC, failures.get(), e.toString());
        }
    }

    long reportsSent() {
        return reportsSent.get();
    }

    long failures() {
        return failures.get();
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }

    /** The positions a consumer of {@code feed} has applied: its next offset per partition. */
    static Map<Integer, Long> offsets(List<org.apache.kafka.common.TopicPartition> feed,
            java.util.function.ToLongFunction<org.apache.kafka.common.TopicPartition> position) {
        Map<Integer, Long> out = new HashMap<>();
        for (var p : feed) {
            out.put(p.partition(), position.applyAsLong(p));
        }
        return out;
    }
}
