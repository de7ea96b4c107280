package dev.credledger.app;

import dev.credledger.events.avro.WrappedDataKey;
import dev.credledger.events.sealing.Envelope;
import dev.credledger.events.sealing.KeyEncryptionKey;
import dev.credledger.processors.topology.Topics;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Re-wraps every live data key of {@code credential-data-keys} that its current KEK did not wrap, while the
 * ledger runs. Kafka has no compare-and-set, so a disable may destroy a key between the read and the re-wrapped
 * write, which would bring the key back: after writing, each key's records between the one read and the one
 * written are read again, and if a tombstone is among them, the key is destroyed again. Passes repeat until one
 * finds nothing to re-wrap (a ledger that had not yet reloaded its keys may have wrapped a new key with the old
 * KEK meanwhile).
 */
final class DataKeyRotation implements AutoCloseable {

    /** What a rotation did. */
    record Outcome(int rewrapped, int destroyedAgain, Set<String> kekIdsLeft) {}

    private record Live(String key, WrappedDataKey value, TopicPartition partition, long offset) {}

    private record Written(Live read, long offset) {}

    private static final int MAX_PASSES = 5;

    private final KeyEncryptionKey kek;
    private final Duration timeout;
    private final KafkaConsumer<String, WrappedDataKey> consumer;
    private final KafkaProducer<String, WrappedDataKey> producer;

    DataKeyRotation(KeyEncryptionKey kek, String bootstrapServers, Topics topics, Duration timeout) {
        this.kek = kek;
        this.timeout = timeout;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis()),
                new StringDeserializer(), topics.dataKeys.valueSerde().deserializer());
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis()),
                new StringSerializer(), topics.dataKeys.valueSerde().serializer());
    }

    Outcome run() {
        int rewrapped = 0;
        int destroyedAgain = 0;
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            String current = kek.currentId();
            List<Written> written = new ArrayList<>();
            for (Live live : live().values()) {
                if (live.value().getKekId().equals(current)) {
                    continue;
                }
                WrappedDataKey v = live.value();
                KeyEncryptionKey.Wrapped again = Envelope.rewrap(kek, v.getKekId(), bytes(v.getWrapped()), v.getAccountId(),
                        v.getEnvironment().name(), v.getDataKeyId());
                WrappedDataKey next = WrappedDataKey.newBuilder(v).setKekId(again.kekId())
                        .setWrapped(ByteBuffer.wrap(again.wrapped())).build();
                written.add(new Written(live, send(live.key(), next).offset()));
            }
            if (written.isEmpty()) {
                return new Outcome(rewrapped, destroyedAgain, kekIds());
            }
            rewrapped += written.size();
            destroyedAgain += destroyAgainWhereDestroyedMeanwhile(written);
        }
        return new Outcome(rewrapped, destroyedAgain, kekIds());
    }

    /** Tombstones again every key that a disable destroyed between the record read and its re-wrapped successor. */
    private int destroyAgainWhereDestroyedMeanwhile(List<Written> written) {
        Map<String, List<ConsumerRecord<String, WrappedDataKey>>> history = new HashMap<>();
        readAll(r -> history.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r));
        int again = 0;
        for (Written w : written) {
            boolean destroyed = history.getOrDefault(w.read().key(), List.of()).stream()
                    .anyMatch(r -> r.offset() > w.read().offset() && r.offset() < w.offset() && r.value() == null);
            if (destroyed) {
                send(w.read().key(), null);
                again++;
            }
        }
        return again;
    }

    /** The latest value of every key that has one (destroyed keys left out). */
    private Map<String, Live> live() {
        Map<String, Live> latest = new LinkedHashMap<>();
        readAll(r -> latest.put(r.key(), r.value() == null ? null
                : new Live(r.key(), r.value(), new TopicPartition(r.topic(), r.partition()), r.offset())));
        latest.values().removeIf(v -> v == null);
        return latest;
    }

    /** The KEK IDs that live data keys are wrapped with now. */
    private Set<String> kekIds() {
        Set<String> ids = new TreeSet<>();
        live().values().forEach(l -> ids.add(l.value().getKekId()));
        return ids;
    }

    private void readAll(java.util.function.Consumer<ConsumerRecord<String, WrappedDataKey>> each) {
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.DATA_KEYS, timeout).stream()
                .map(p -> new TopicPartition(Topics.DATA_KEYS, p.partition())).toList();
        if (partitions.isEmpty()) {
            throw new IllegalStateException("the topic " + Topics.DATA_KEYS + " does not exist: is this the ledger's cluster?");
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
            if (System.nanoTime() > deadline) {
                throw new org.apache.kafka.common.errors.TimeoutException("reading " + Topics.DATA_KEYS + " made no progress");
            }
            consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                    each.accept(r);
                }
            });
        }
    }

    private RecordMetadata send(String key, WrappedDataKey value) {
        try {
            return producer.send(new ProducerRecord<>(Topics.DATA_KEYS, key, value)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new org.apache.kafka.common.errors.TimeoutException("writing to " + Topics.DATA_KEYS + " failed ("
                    + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
        producer.close(Duration.ofSeconds(5));
    }
}
