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
 * log order; an acknowledged one never is. Reads and writes of a stream's state run alone on the instance that
 * serves it ({@link Deliveries#exclusive}); a long poll waits for new events without holding the stream.
 */
final class Poller {

    private static final Logger LOG = LoggerFactory.getLogger(Poller.class);
    /** SETs returned by one poll when the receiver names no maximum. */
    static final int DEFAULT_MAX = 100;
    static final int MAX_REMEMBERED_ACKS = 10_000;
    /** How long one poll reads the log looking for open SETs before it answers with what it has. */
    static final Duration SCAN_LIMIT = Duration.ofSeconds(5);

    record Result(Map<String, String> sets, boolean moreAvailable) {}

    private final Deliveries deliveries;
    private final SsfTarget ssf;
    private final Deserializer<dev.credledger.events.avro.CredentialEvent> events;

    Poller(Deliveries deliveries, SsfTarget ssf, Deserializer<dev.credledger.events.avro.CredentialEvent> events) {
        this.deliveries = deliveries;
        this.ssf = ssf;
        this.events = events;
    }

    /**
     * One poll: acknowledgements applied and the SETs still open read, alone for the stream; with nothing to return
     * and time left, waits for the log to grow (holding nothing) and reads again. {@code null} if another request is
     * changing the stream right now.
     */
    Result poll(String streamId, int max, List<String> acks, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        List<String> pending = acks;
        while (true) {
            List<String> applying = pending;
            Result result = deliveries.exclusive(streamId, Duration.ZERO, () -> {
                DeliveryTarget target = deliveries.target(streamId);
                return target == null ? new Result(Map.of(), false) : pollOnce(target, max, applying);
            });
            if (result == null) {
                return null;
            }
            pending = List.of(); // saved with the first read
            if (!result.sets().isEmpty() || result.moreAvailable() || max == 0 || System.nanoTime() >= deadline) {
                return result;
            }
            awaitNewEvents(deadline);
        }
    }

    /** Returns when credential-events grows, or at the deadline. */
    private void awaitNewEvents(long deadline) {
        try (KafkaConsumer<String, byte[]> consumer = deliveries.eventConsumer("poll-wait")) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(Topics.EVENTS, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // resolve "end" now, not at the first fetch
            while (System.nanoTime() < deadline) {
                if (!consumer.poll(Duration.ofMillis(Math.max(1, Math.min(500, (deadline - System.nanoTime()) / 1_000_000))))
                        .isEmpty()) {
                    return;
                }
            }
        }
    }

    private Result pollOnce(DeliveryTarget target, int max, List<String> acks) {
        DeliveryState state = deliveries.state(target);
        Set<String> acked = new LinkedHashSet<>(state.getAcknowledged());
        acked.addAll(acks);
        Map<String, Long> positions = new HashMap<>(state.getPositions());
        StreamConfig config = StreamConfig.parse(target.getConfig());
        Map<String, String> sets = new LinkedHashMap<>();
        boolean more = false;
        // With max 0 too (a verification SET filled the answer): the scan then only finds whether more is available.
        if (!"paused".equals(config.status())) {
            long deadline = System.nanoTime() + SCAN_LIMIT.toNanos();
            Set<String> seen = new HashSet<>();
            boolean reachedEnd = false;
            try (KafkaConsumer<String, byte[]> consumer = deliveries.eventConsumer("poll")) {
                List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS, Duration.ofSeconds(10)).stream()
                        .map(p -> new TopicPartition(Topics.EVENTS, p.partition())).toList();
                consumer.assign(partitions);
                for (TopicPartition tp : partitions) {
                    Long at = positions.get(Integer.toString(tp.partition()));
                    consumer.seek(tp, at == null ? 0L : at);
                }
                Set<Integer> blocked = new HashSet<>();
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                while (!more && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                    if (System.nanoTime() > deadline) {
                        more = true; // a long way behind: the rest on the next poll
                        break;
                    }
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
