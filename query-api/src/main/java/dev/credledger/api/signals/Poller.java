package dev.credledger.api.signals;

import dev.credledger.api.delivery.Deliveries;
import dev.credledger.api.delivery.Message;
import dev.credledger.events.avro.DeliveryState;
import dev.credledger.events.avro.DeliveryTarget;
import dev.credledger.events.mapping.AvroToDomain;
import dev.credledger.processors.topology.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 8936 poll delivery of one stream, on the instance that serves it. The stream's position in credential-events
 * (per partition) only moves past records whose SETs are all acknowledged; SETs acknowledged out of order are
 * remembered until the position passes them. Every SET not acknowledged is returned again by the next poll, in
 * log order; an acknowledged one never is. One poll of a stream at a time.
 */
final class Poller {

    private static final Logger LOG = LoggerFactory.getLogger(Poller.class);
    /** SETs returned by one poll when the receiver names no maximum. */
    static final int DEFAULT_MAX = 100;
    static final int MAX_REMEMBERED_ACKS = 10_000;

    record Result(Map<String, String> sets, boolean moreAvailable) {}

    private final Deliveries deliveries;
    private final SsfTarget ssf;
    private final Deserializer<dev.credledger.events.avro.CredentialEvent> events;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    Poller(Deliveries deliveries, SsfTarget ssf, Deserializer<dev.credledger.events.avro.CredentialEvent> events) {
        this.deliveries = deliveries;
        this.ssf = ssf;
        this.events = events;
    }

    /** {@code null} if another poll of the stream holds it for longer than {@code wait}. */
    Result poll(DeliveryTarget target, int max, List<String> acks, Duration wait) throws InterruptedException {
        ReentrantLock lock = locks.computeIfAbsent(target.getTargetId(), id -> new ReentrantLock());
        if (!lock.tryLock(wait.toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
            return null;
        }
        try {
            return pollLocked(target, max, acks, wait);
        } finally {
            lock.unlock();
        }
    }

    private Result pollLocked(DeliveryTarget target, int max, List<String> acks, Duration wait) {
        DeliveryState state = deliveries.state(target);
        Set<String> acked = new LinkedHashSet<>(state.getAcknowledged());
        acked.addAll(acks);
        Map<String, Long> positions = new HashMap<>(state.getPositions());
        StreamConfig config = StreamConfig.parse(target.getConfig());
        Map<String, String> sets = new LinkedHashMap<>();
        boolean more = false;
        if (max > 0 && !"paused".equals(config.status())) {
            long deadline = System.nanoTime() + wait.toNanos();
            Set<String> seen = new HashSet<>();
            boolean reachedEnd;
            try (KafkaConsumer<String, byte[]> consumer = deliveries.eventConsumer()) {
                List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS, Duration.ofSeconds(10)).stream()
                        .map(p -> new TopicPartition(Topics.EVENTS, p.partition())).toList();
                consumer.assign(partitions);
                for (TopicPartition tp : partitions) {
                    Long at = positions.get(Integer.toString(tp.partition()));
                    consumer.seek(tp, at == null ? 0L : at);
                }
                Set<Integer> blocked = new HashSet<>();
                while (true) {
                    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                    while (!more && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                            List<Message> messages = messagesOf(target, record);
                            messages.forEach(m -> seen.add(m.id()));
                            List<Message> open = messages.stream().filter(m -> !acked.contains(m.id())).toList();
                            if (open.isEmpty() && !blocked.contains(record.partition())) {
                                positions.put(Integer.toString(record.partition()), record.offset() + 1);
                                messages.forEach(m -> acked.remove(m.id()));
                                continue;
                            }
                            blocked.add(record.partition());
                            for (Message m : open) {
                                if (sets.size() < max) {
                                    sets.put(m.id(), ssf.set(target, m));
                                } else {
                                    more = true;
                                }
                            }
                        }
                    }
                    reachedEnd = !more;
                    if (!sets.isEmpty() || more || System.nanoTime() >= deadline) {
                        break;
                    }
                    // A long poll: wait for the log to grow, then read on.
                    Map<TopicPartition, Long> first = new HashMap<>();
                    consumer.poll(Duration.ofMillis(Math.min(500, Math.max(1, (deadline - System.nanoTime()) / 1_000_000))))
                            .forEach(r -> first.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.offset()));
                    first.forEach(consumer::seek); // read again by the loop above
                }
            }
            if (reachedEnd) {
                acked.retainAll(seen); // what is not past the position any more needs no remembering
            }
        }
        List<String> remembered = new ArrayList<>(acked);
        if (remembered.size() > MAX_REMEMBERED_ACKS) {
            remembered = remembered.subList(remembered.size() - MAX_REMEMBERED_ACKS, remembered.size());
        }
        deliveries.saveState(DeliveryState.newBuilder(state).setPositions(positions).setAcknowledged(remembered)
                .setUpdatedAt(Instant.now()).build());
        return new Result(sets, more);
    }

    private List<Message> messagesOf(DeliveryTarget target, ConsumerRecord<String, byte[]> record) {
        try {
            return ssf.messages(target, AvroToDomain.event(events.deserialize(record.topic(), record.value())));
        } catch (RuntimeException e) {
            LOG.warn("Skipping {}-{}@{} for a poll: {}", record.topic(), record.partition(), record.offset(), e.toString());
            return List.of();
        }
    }
}
