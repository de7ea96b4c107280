package dev.credledger.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Every record of a topic, from the beginning to its end offsets, read_committed; tombstones as null values. */
final class TopicDump {

    private TopicDump() {}

    static List<ConsumerRecord<String, Object>> read(String bootstrapServers, String topic,
            BiFunction<String, byte[], Object> decode) {
        List<ConsumerRecord<String, Object>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("reading " + topic + " to its end took over 30 s");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Object value = r.value() == null ? null : decode.apply(topic, r.value());
                    out.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.key(), value));
                }
            }
        }
        return out;
    }

    /**
     * The end offset of every partition of every topic on the broker — the ledger's, its changelogs and repartition
     * topics, the schema registry's — but the broker's own bookkeeping ({@code __consumer_offsets},
     * {@code __transaction_state}): Kafka Streams commits a transaction after every wall-clock punctuation, so the
     * command processor's one-second grace-period check moves those two even when nothing happens (about seven records
     * a second, idle — noted for the record budget of issue 25).
     */
    static Map<TopicPartition, Long> endOffsets(String bootstrapServers) {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                "bootstrap.servers", bootstrapServers))) {
            var topics = admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
                    .names().get();
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
            topics.removeIf(t -> t.startsWith("__"));
            admin.describeTopics(topics).allTopicNames().get().forEach((name, d) -> d.partitions().forEach(p ->
                    latest.put(new TopicPartition(name, p.partition()), org.apache.kafka.clients.admin.OffsetSpec.latest())));
            Map<TopicPartition, Long> out = new java.util.TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
            admin.listOffsets(latest).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("could not read the end offsets", e.getCause());
        }
    }

    /** The end offsets once nothing moved them for {@code quiet} (background writers settled), within 60 s. */
    static Map<TopicPartition, Long> settledEndOffsets(String bootstrapServers, Duration quiet) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<TopicPartition, Long> last = endOffsets(bootstrapServers);
        List<String> moved = new ArrayList<>();
        long start = System.nanoTime();
        long since = start;
        while (System.nanoTime() - since < quiet.toNanos()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the topics never stayed still for " + quiet + "; moving: " + moved);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(200).toNanos()); // polling offsets
            Map<TopicPartition, Long> now = endOffsets(bootstrapServers);
            if (!now.equals(last)) {
                Map<TopicPartition, Long> then = last;
                List<String> these = new ArrayList<>();
                now.forEach((tp, offset) -> {
                    if (!offset.equals(then.get(tp))) {
                        these.add(tp + "+" + (offset - then.getOrDefault(tp, 0L)));
                    }
                });
                moved.add((System.nanoTime() - start) / 1_000_000 + " ms " + these);
                if (moved.size() > 12) {
                    moved.removeFirst();
                }
                last = now;
                since = System.nanoTime();
            }
        }
        return last;
    }
}
