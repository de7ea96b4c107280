package dev.credledger.app;

import dev.credledger.events.avro.CredentialEvent;
import dev.credledger.events.mapping.AvroToDomain;
import dev.credledger.processors.topology.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Reads {@code credential-events} directly: its own consumer, {@code read_committed}, manual assignment,
 * no consumer group, nothing committed. Reads from the beginning (or from {@code from}, by
 * {@code offsetsForTimes}) to the end offsets taken when it starts, so a read always ends; a partition
 * each account's events stop at its first one after {@code until} (times are ordered within an account, not
 * across the accounts of a partition). Only the partitions of the accounts asked for are read.
 */
final class EventLogReader implements AutoCloseable {

    /** Where the read stands, for progress reports. */
    record Progress(long events, long position, long end) {}

    private final KafkaConsumer<String, byte[]> consumer;
    private final Topics topics;
    private final Duration timeout;

    EventLogReader(String bootstrapServers, Topics topics, Duration timeout, Map<String, String> clientProperties) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(timeout.toMillis(), 30_000)));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "credledger-replay");
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.topics = topics;
        this.timeout = timeout;
    }

    /**
     * Reads the events of {@code accounts} (all if empty) between {@code from} and {@code until} (either may
     * be null), handing each, decoded, to {@code each} in log order per partition — so per account, oldest
     * first. {@code progress} is called after every poll.
     */
    void read(Set<String> accounts, Instant from, Instant until,
            Consumer<dev.credledger.events.model.CredentialEvent> each, Consumer<Progress> progress) {
        List<PartitionInfo> infos = consumer.partitionsFor(Topics.EVENTS, timeout);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + Topics.EVENTS + " does not exist on this cluster");
        }
        List<TopicPartition> partitions = partitionsOf(accounts, infos);
        consumer.assign(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        if (from != null) {
            Map<TopicPartition, Long> times = new HashMap<>();
            partitions.forEach(tp -> times.put(tp, from.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(times, timeout);
            for (TopicPartition tp : partitions) {
                OffsetAndTimestamp o = found.get(tp);
                consumer.seek(tp, o == null ? end.get(tp) : o.offset());
            }
        } else {
            consumer.seekToBeginning(partitions);
        }
        long endTotal = end.values().stream().mapToLong(Long::longValue).sum();
        Set<TopicPartition> open = new HashSet<>(partitions);
        open.removeIf(tp -> consumer.position(tp, timeout) >= end.get(tp));
        var deserializer = topics.events.valueSerde().deserializer();
        long events = 0;
        long lastPosition = -1;
        long stalledSince = System.nanoTime();
        while (!open.isEmpty()) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                if (!open.contains(tp) || r.offset() >= end.get(tp)) {
                    continue;
                }
                if (accounts.isEmpty() || accounts.contains(r.key())) {
                    CredentialEvent avro = deserializer.deserialize(r.topic(), r.headers(), r.value());
                    var event = AvroToDomain.event(avro);
                    // Cut per event, not per partition: times are ordered within an account only, so an event
                    // after `until` of one account says nothing about the others in the partition.
                    boolean inRange = (until == null || !event.metadata().occurredAt().isAfter(until))
                            && (from == null || !event.metadata().occurredAt().isBefore(from));
                    if (inRange) {
                        each.accept(event);
                        events++;
                    }
                }
                if (r.offset() + 1 >= end.get(tp)) {
                    close(open, tp);
                }
            }
            for (TopicPartition tp : List.copyOf(open)) {
                if (consumer.position(tp, timeout) >= end.get(tp)) {
                    close(open, tp);
                }
            }
            long position = 0;
            for (TopicPartition tp : partitions) {
                position += open.contains(tp) ? consumer.position(tp, timeout) : end.get(tp);
            }
            progress.accept(new Progress(events, position, endTotal));
            // A broker that goes away mid-read makes poll return nothing, forever: give up after the timeout.
            if (position != lastPosition) {
                lastPosition = position;
                stalledSince = System.nanoTime();
            } else if (System.nanoTime() - stalledSince > timeout.toNanos()) {
                throw new org.apache.kafka.common.errors.TimeoutException("no progress reading " + Topics.EVENTS
                        + " for " + timeout);
            }
        }
    }

    private void close(Set<TopicPartition> open, TopicPartition tp) {
        if (open.remove(tp)) {
            consumer.pause(List.of(tp));
        }
    }

    /** The partitions holding these accounts, by Kafka's default partitioner (murmur2 of the key). */
    private static List<TopicPartition> partitionsOf(Set<String> accounts, List<PartitionInfo> infos) {
        int count = infos.size();
        Set<Integer> wanted = new HashSet<>();
        for (String account : accounts) {
            wanted.add(Utils.toPositive(Utils.murmur2(account.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % count);
        }
        List<TopicPartition> out = new ArrayList<>();
        for (PartitionInfo info : infos) {
            if (accounts.isEmpty() || wanted.contains(info.partition())) {
                out.add(new TopicPartition(info.topic(), info.partition()));
            }
        }
        return out;
    }

    @Override
    public void close() {
        // Nothing to commit or leave (no group): a replay that gave up on an unreachable broker exits at once.
        consumer.close(Duration.ZERO);
    }
}
