package dev.credledger.api.delivery;

import dev.credledger.events.avro.DeliveryAttempt;
import dev.credledger.events.avro.DeliveryOutcome;
import dev.credledger.events.avro.DeliveryTarget;
import dev.credledger.events.mapping.AvroToDomain;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.processors.topology.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one target from its position in credential-events: each message in turn, retried until taken or given
 * up on, the position written to credential-delivery-state after each message (and every few seconds while
 * nothing concerns the target), so that the next owner of the target continues there. Runs on its own virtual
 * thread; {@link #stop} interrupts a wait between attempts, and the attempt count of the message in hand is kept.
 */
final class DeliveryWorker implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryWorker.class);
    private static final Duration QUIET_SAVE = Duration.ofSeconds(5);

    private final String targetId;
    private final Deliveries deliveries;
    private final Target kind;
    private final Deserializer<dev.credledger.events.avro.CredentialEvent> events;
    private volatile boolean running = true;
    private volatile Thread thread;
    private volatile KafkaConsumer<String, byte[]> consumer;
    /** Counted down by {@link #stop}: ends a wait between attempts (interrupting would break the consumer's close). */
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    private Progress progress;

    DeliveryWorker(String targetId, Deliveries deliveries, Target kind,
            Deserializer<dev.credledger.events.avro.CredentialEvent> events) {
        this.targetId = targetId;
        this.deliveries = deliveries;
        this.kind = kind;
        this.events = events;
    }

    DeliveryWorker start() {
        thread = Thread.ofVirtual().name("credledger-delivery-" + targetId).start(this);
        return this;
    }

    void stop() {
        running = false;
        stopped.countDown();
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /** Waits up to {@code timeout} for the worker's thread to end. */
    void join(Duration timeout) {
        Thread t = thread;
        if (t != null) {
            try {
                t.join(timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    boolean alive() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    @Override
    public void run() {
        try {
            serve();
        } catch (RuntimeException e) {
            LOG.warn("Delivery to target {} stopped; it restarts on the next check: {}", targetId, e.toString());
        }
    }

    private void serve() {
        DeliveryTarget target = deliveries.target(targetId);
        if (target == null) {
            return;
        }
        progress = new Progress(deliveries.state(target));
        if (progress.failure != null && !kind.givesUp()) {
            return; // paused until the receiver or an admin resumes it
        }
        try (KafkaConsumer<String, byte[]> consumer = deliveries.eventConsumer(targetId)) {
            this.consumer = consumer;
            if (!running) {
                return;
            }
            int count = consumer.partitionsFor(Topics.EVENTS, Duration.ofSeconds(10)).size();
            List<Integer> wanted = kind.partitions(target, count);
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < count; p++) {
                if (wanted.isEmpty() || wanted.contains(p)) {
                    partitions.add(new TopicPartition(Topics.EVENTS, p));
                }
            }
            consumer.assign(partitions);
            for (TopicPartition tp : partitions) {
                Long at = progress.positions.get(Integer.toString(tp.partition()));
                consumer.seek(tp, at == null ? 0L : at);
            }
            long lastSave = System.nanoTime();
            boolean moved = false;
            while (running) {
                var records = consumer.poll(Duration.ofSeconds(1));
                for (ConsumerRecord<String, byte[]> record : records) {
                    if (!running) {
                        break;
                    }
                    target = deliveries.target(targetId);
                    if (target == null) {
                        return; // deleted
                    }
                    List<Message> messages = messagesOf(target, record);
                    for (Message message : messages) {
                        if (!deliver(message)) {
                            return;
                        }
                    }
                    progress.positions.put(Integer.toString(record.partition()), record.offset() + 1);
                    moved = true;
                    if (!messages.isEmpty()) {
                        save();
                        moved = false;
                        lastSave = System.nanoTime();
                    }
                }
                if (moved && System.nanoTime() - lastSave > QUIET_SAVE.toNanos()) {
                    save();
                    moved = false;
                    lastSave = System.nanoTime();
                }
            }
            if (moved) {
                save();
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            LOG.debug("Delivery worker of {} stopped while reading", targetId);
        }
    }

    private List<Message> messagesOf(DeliveryTarget target, ConsumerRecord<String, byte[]> record) {
        CredentialEvent event;
        try {
            event = AvroToDomain.event(events.deserialize(record.topic(), record.value()));
        } catch (RuntimeException e) {
            // The ledger's own log: a record it cannot read is skipped here (the processors dead-letter bad input).
            LOG.warn("Skipping {}-{}@{} for deliveries: {}", record.topic(), record.partition(), record.offset(), e.toString());
            return List.of();
        }
        return kind.messages(target, event);
    }

    /** Delivers one message; {@code false} if this worker stopped meanwhile or pushing paused. */
    private boolean deliver(Message message) {
        List<DeliveryAttempt> attempts = progress.pendingAttempts(message.id());
        Instant due = progress.nextAttemptAt(message.id());
        if (due != null && !waitUntil(due)) {
            return false;
        }
        int limit = deliveries.policy().attempts();
        for (int n = attempts.size() + 1; n <= limit; n++) {
            DeliveryTarget target = deliveries.target(targetId);
            if (target == null || !running) {
                return false;
            }
            Instant at = Instant.now();
            Outbound.Response response = kind.send(target, message);
            boolean taken = kind.accepted(response.status());
            attempts.add(new DeliveryAttempt(at, response.status(), response.durationMs(),
                    response.error() != null ? response.error() : taken ? null : "answered HTTP " + response.status()));
            if (taken) {
                progress.record(message, DeliveryOutcome.DELIVERED, attempts, null);
                deliveries.counted(target, "delivered");
                return true;
            }
            deliveries.counted(target, "failed_attempt");
            if (!kind.retryable(response.status())) {
                progress.record(message, DeliveryOutcome.FAILED, attempts, null);
                deliveries.counted(target, "rejected");
                save();
                return true; // refused for what it is: sending it again would not change that
            }
            if (n == limit) {
                break;
            }
            Instant next = Instant.now().plus(deliveries.policy().waitAfter(n));
            progress.record(message, DeliveryOutcome.PENDING, attempts, next);
            save();
            if (!waitUntil(next)) {
                return false;
            }
        }
        progress.record(message, DeliveryOutcome.FAILED, attempts, null);
        DeliveryTarget target = deliveries.target(targetId);
        if (target != null) {
            deliveries.counted(target, "given_up");
        }
        if (!kind.givesUp()) {
            progress.failure = "push delivery of " + message.id() + " failed " + attempts.size() + " times (last: "
                    + attempts.getLast().getError() + "); its events stay available to poll";
            save();
            return false;
        }
        return true;
    }

    private boolean waitUntil(Instant when) {
        long ms = Duration.between(Instant.now(), when).toMillis();
        if (ms <= 0) {
            return running;
        }
        try {
            return !stopped.await(ms, java.util.concurrent.TimeUnit.MILLISECONDS) && running;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void save() {
        if (running) { // once stopped, whoever stopped it owns the target's state
            deliveries.saveState(progress.toState());
        }
    }

    static Map<String, Long> positionsOf(DeliveryTarget target) {
        return new HashMap<>(target.getStartPositions());
    }
}
