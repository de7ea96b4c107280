package dev.credledger.app;

import dev.credledger.embedded.BrokerFootprint;
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
     * {@code __transaction_state}), which other clients' group and transaction work moves.
     */
    static Map<TopicPartition, Long> endOffsets(String bootstrapServers) {
        try (BrokerFootprint footprint = new BrokerFootprint(bootstrapServers, false)) {
            return footprint.endOffsets();
        }
    }

    /** The end offsets once nothing moved them for {@code quiet} (background writers settled), within 60 s. */
    static Map<TopicPartition, Long> settledEndOffsets(String bootstrapServers, Duration quiet) {
        try (BrokerFootprint footprint = new BrokerFootprint(bootstrapServers, false)) {
            return footprint.settled(quiet, Duration.ofSeconds(60)).endOffsets();
        }
    }
}
