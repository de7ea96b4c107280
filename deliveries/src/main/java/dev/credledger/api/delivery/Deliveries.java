package dev.credledger.api.delivery;

import dev.credledger.api.StoreLocator;
import dev.credledger.events.avro.DeliveryKind;
import dev.credledger.events.avro.DeliveryState;
import dev.credledger.events.avro.DeliveryTarget;
import dev.credledger.processors.topology.ClientProperties;
import dev.credledger.processors.topology.Stores;
import dev.credledger.processors.topology.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery targets and their workers. Targets live in credential-delivery-targets, progress in
 * credential-delivery-state (both compacted, both read into global stores on every instance). Each target is served
 * by the instance that owns its ID's partition of the command side (Kafka Streams' assignment, so a target moves when
 * instances come and go, and is served by exactly one live instance); a check every second starts the workers of
 * targets this instance gained and stops those it lost or that were deleted.
 */
public final class Deliveries implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Deliveries.class);
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration VISIBLE_TIMEOUT = Duration.ofSeconds(10);

    /** A write to the delivery topics that was not acknowledged in time. */
    public static final class NotStored extends RuntimeException {
        NotStored(String message) {
            super(message, null, false, false);
        }
    }

    private final ClientProperties clients;
    private final Topics topics;
    private final StoreLocator locator;
    private final DeliveryPolicy policy;
    private final Map<DeliveryKind, Target> kinds;
    private final MeterRegistry meters;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> offsets;
    private final Map<String, DeliveryWorker> workers = new ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.locks.ReentrantLock> locks = new ConcurrentHashMap<>();
    /** What this instance last wrote for each target it serves: the global store may not show it yet. */
    private final Map<String, DeliveryState> written = new ConcurrentHashMap<>();
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("credledger-delivery-check").unstarted(r));

    public Deliveries(ClientProperties clients, Topics topics, StoreLocator locator, DeliveryPolicy policy,
            Map<DeliveryKind, Target> kinds, MeterRegistry meters) {
        this.clients = clients;
        this.topics = topics;
        this.locator = locator;
        this.policy = policy;
        this.kinds = Map.copyOf(kinds);
        this.meters = meters;
        this.producer = new KafkaProducer<>(clients.config(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                // With the broker gone a write fails in seconds (503), instead of holding its request for a minute.
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000,
                ProducerConfig.CLIENT_ID_CONFIG, "credledger-deliveries-" + UUID.randomUUID())),
                new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
        this.offsets = eventConsumer("end-offsets");
    }

    public Deliveries start() {
        checker.scheduleWithFixedDelay(this::check, 1, 1, TimeUnit.SECONDS);
        return this;
    }

    public DeliveryPolicy policy() {
        return policy;
    }

    /** The target, as the replicated store shows it; {@code null} if there is none (or the store is not ready). */
    public DeliveryTarget target(String targetId) {
        try {
            return locator.<DeliveryTarget>global(Stores.VIEW_DELIVERY_TARGETS).get(targetId);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Every target of one kind that {@code filter} keeps. */
    public List<DeliveryTarget> targets(Predicate<DeliveryTarget> filter) {
        List<DeliveryTarget> out = new ArrayList<>();
        try (KeyValueIterator<String, DeliveryTarget> all = locator.<DeliveryTarget>global(Stores.VIEW_DELIVERY_TARGETS).all()) {
            all.forEachRemaining(kv -> {
                if (filter.test(kv.value)) {
                    out.add(kv.value);
                }
            });
        }
        return out;
    }

    /** The progress of {@code target}: this instance's latest if it serves it, else the replicated one, else its start. */
    public DeliveryState state(DeliveryTarget target) {
        String id = target.getTargetId();
        DeliveryState found = written.get(id);
        if (found == null) {
            try {
                found = locator.<DeliveryState>global(Stores.VIEW_DELIVERY_STATE).get(id);
            } catch (RuntimeException e) {
                // Never a fresh state in place of one that cannot be read: saved, it would undo the target's progress.
                throw new NotStored("the delivery state is not readable yet (" + e.getClass().getSimpleName() + ")");
            }
        }
        if (found != null) {
            return found;
        }
        return DeliveryState.newBuilder().setTargetId(id).setPositions(DeliveryWorker.positionsOf(target))
                .setAcknowledged(new ArrayList<>()).setRecent(new ArrayList<>()).setUpdatedAt(Instant.now()).build();
    }

    /**
     * Runs {@code action} alone for the target: its worker stopped (and finished) first, no other exclusive action or
     * worker start meanwhile; the worker starts again on the next check. {@code null} if the target is busy for longer
     * than {@code wait}. Only on the instance that serves the target.
     */
    public <T> T exclusive(String targetId, Duration wait, java.util.function.Supplier<T> action) {
        java.util.concurrent.locks.ReentrantLock lock = locks.computeIfAbsent(targetId,
                id -> new java.util.concurrent.locks.ReentrantLock());
        try {
            if (!lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotStored("interrupted");
        }
        try {
            stopWorker(targetId);
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@link #exclusive} for a request: waits up to 15 s for the target, then 409 {@code Retry-After}; a store that
     * cannot be written is 503.
     */
    public <T> T alone(String targetId, java.util.function.Supplier<T> action) {
        T out;
        try {
            out = exclusive(targetId, Duration.ofSeconds(15), action);
        } catch (NotStored e) {
            throw dev.credledger.api.Problem.unavailable(e.getMessage());
        }
        if (out == null) {
            throw new dev.credledger.api.Problem(409, "target-busy", "Busy", "another request is changing this webhook "
                    + "or stream; retry").retryAfter(1);
        }
        return out;
    }

    /** Whether this instance serves {@code targetId} now; otherwise where it is served (or why nobody does). */
    public StoreLocator.Location<Object> servedAt(String targetId) {
        return locator.locate(Stores.COMMAND_ACCOUNTS, targetId);
    }

    private void stopWorker(String targetId) {
        DeliveryWorker worker = workers.remove(targetId);
        if (worker != null) {
            worker.stop();
            worker.join(Outbound.ATTEMPT_TIMEOUT.plusSeconds(2));
        }
    }

    /** The next offset of every partition of credential-events (committed records only): where a new target starts. */
    public Map<String, Long> endOfEvents() {
        synchronized (offsets) {
            List<TopicPartition> partitions = offsets.partitionsFor(Topics.EVENTS, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(Topics.EVENTS, p.partition())).toList();
            if (!offsets.assignment().containsAll(partitions)) {
                offsets.assign(partitions); // never polled: assigned so that read_committed end offsets apply to it
            }
            Map<String, Long> out = new HashMap<>();
            offsets.endOffsets(partitions, Duration.ofSeconds(10)).forEach((tp, o) -> out.put(Integer.toString(tp.partition()), o));
            return out;
        }
    }

    /** Stores a target and waits until this instance's replicated store shows it. */
    public void put(DeliveryTarget target) {
        String id = target.getTargetId();
        write(Topics.DELIVERY_TARGETS, id, topics.deliveryTargets.valueSerde().serializer().serialize(Topics.DELIVERY_TARGETS, target));
        awaitVisible(id, t -> t != null && t.equals(target));
    }

    /** Deletes a target and its progress, and waits until this instance's replicated store no longer shows it. */
    public void delete(String targetId) {
        Boolean done = exclusive(targetId, Duration.ofSeconds(15), () -> {
            write(Topics.DELIVERY_TARGETS, targetId, null);
            write(Topics.DELIVERY_STATE, targetId, null);
            awaitVisible(targetId, t -> t == null);
            written.remove(targetId);
            return Boolean.TRUE;
        });
        if (done == null) {
            throw new NotStored("another request is changing this target; it was not deleted: retry");
        }
    }

    /** Stores a state (the target's worker's, or a poll's acknowledgements). */
    public void saveState(DeliveryState state) {
        written.put(state.getTargetId(), state);
        try {
            producer.send(new ProducerRecord<>(Topics.DELIVERY_STATE, state.getTargetId(),
                    topics.deliveryState.valueSerde().serializer().serialize(Topics.DELIVERY_STATE, state)));
        } catch (RuntimeException e) {
            LOG.warn("Could not write the delivery state of {}: {}", state.getTargetId(), e.toString());
        }
    }

    void counted(DeliveryTarget target, String outcome) {
        Counter.builder("credledger.deliveries").description("Delivery attempts and their outcomes, by kind of target")
                .tag("kind", target.getKind().name().toLowerCase(java.util.Locale.ROOT)).tag("outcome", outcome)
                .register(meters).increment();
    }

    /** A consumer of credential-events (committed records only), named for what it reads for. */
    public KafkaConsumer<String, byte[]> eventConsumer(String purpose) {
        Properties p = new Properties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "credledger-deliveries-" + purpose + "-" + UUID.randomUUID().toString().substring(0, 8));
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        return new KafkaConsumer<>(clients.properties(p), new StringDeserializer(), new ByteArrayDeserializer());
    }

    private void write(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new NotStored("could not write to " + topic + " (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotStored("interrupted while writing to " + topic);
        }
    }

    private void awaitVisible(String targetId, Predicate<DeliveryTarget> shown) {
        long deadline = System.nanoTime() + VISIBLE_TIMEOUT.toNanos();
        while (!shown.test(target(targetId))) {
            if (System.nanoTime() > deadline) {
                throw new NotStored("written, but not yet visible on this instance after " + VISIBLE_TIMEOUT.toSeconds() + " s");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NotStored("interrupted");
            }
        }
    }

    /** Starts the workers of the targets this instance serves now, and stops the others. */
    void check() {
        try {
            Map<String, DeliveryTarget> owned = new HashMap<>();
            for (DeliveryTarget target : targets(t -> true)) {
                if (kinds.containsKey(target.getKind())
                        && servedAt(target.getTargetId()) instanceof StoreLocator.Location.Local<?>) {
                    owned.put(target.getTargetId(), target);
                }
            }
            // Another instance serves these now (or they are gone): what this one last wrote is no longer the latest.
            written.keySet().removeIf(id -> !owned.containsKey(id));
            locks.entrySet().removeIf(e -> !owned.containsKey(e.getKey()) && !e.getValue().isLocked());
            workers.entrySet().removeIf(e -> {
                if (!owned.containsKey(e.getKey()) || !e.getValue().alive()) {
                    e.getValue().stop();
                    return true;
                }
                return false;
            });
            owned.forEach((id, target) -> {
                Target kind = kinds.get(target.getKind());
                java.util.concurrent.locks.ReentrantLock lock = locks.get(id);
                if (workers.containsKey(id) || !kind.active(target) || (lock != null && lock.isLocked())) {
                    return;
                }
                if (!kind.givesUp() && state(target).getFailure() != null) {
                    return; // pushing paused after failures, until resumed
                }
                workers.put(id, new DeliveryWorker(id, this, kind, topics.events.valueSerde().deserializer()).start());
            });
        } catch (RuntimeException e) {
            LOG.debug("Delivery check skipped: {}", e.toString());
        }
    }

    @Override
    public void close() {
        checker.shutdownNow();
        workers.values().forEach(DeliveryWorker::stop);
        // A worker in an attempt finishes it (bounded by the attempt timeout) and saves its progress first.
        long deadline = System.nanoTime() + Duration.ofSeconds(12).toNanos();
        workers.values().forEach(w -> w.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))));
        workers.clear();
        producer.close(Duration.ofSeconds(5));
        synchronized (offsets) {
            offsets.close(Duration.ofSeconds(2));
        }
    }
}
