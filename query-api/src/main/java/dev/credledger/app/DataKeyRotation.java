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
 * write, which would bring the key back: after writing, each partition is read (read_committed) until the
 * position is past the re-wrapped write — which a read_committed consumer reaches only once every transaction
 * begun before it has committed or aborted — and if a tombstone lies between the record read and the one
 * written, the key is destroyed again. Passes repeat until one finds nothing to re-wrap (a ledger that had not
 * yet reloaded its keys may have wrapped a new key with the old KEK meanwhile). A last sweep destroys live data
 * keys older than {@link #ORPHAN_AGE} that no enabled environment uses — keys of enables that never reached the
 * ledger, and any key a rotation interrupted between a write and its check could have brought back.
 */
final class DataKeyRotation implements AutoCloseable {

    /** What a rotation did. */
    record Outcome(int rewrapped, int destroyedAgain, int orphansDestroyed, Set<String> kekIdsLeft) {}

    private record Live(String key, WrappedDataKey value, TopicPartition partition, long offset) {}

    private record Written(Live read, long offset) {}

    private static final int MAX_PASSES = 5;
    /** Far beyond the command timeout: a younger unused key may belong to an enable still on its way. */
    static final Duration ORPHAN_AGE = Duration.ofHours(1);

    private final KeyEncryptionKey kek;
    private final Duration timeout;
    private final Duration orphanAge;
    private final KafkaConsumer<String, WrappedDataKey> consumer;
    private final KafkaProducer<String, WrappedDataKey> producer;
    private final KafkaConsumer<String, dev.credledger.events.avro.SigningSalt> salts;
    private final KafkaConsumer<String, dev.credledger.events.avro.DeliveryTarget> targets;

    DataKeyRotation(KeyEncryptionKey kek, dev.credledger.processors.topology.ClientProperties clients, Topics topics, Duration timeout) {
        this(kek, clients, topics, timeout, ORPHAN_AGE);
    }

    /** With {@code orphanAge}: how old an unused data key must be to be destroyed (tests use zero). */
    DataKeyRotation(KeyEncryptionKey kek, dev.credledger.processors.topology.ClientProperties clients, Topics topics,
            Duration timeout, Duration orphanAge) {
        this.orphanAge = orphanAge;
        this.salts = new KafkaConsumer<>(clients.config(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis())),
                new StringDeserializer(), topics.signingSalts.valueSerde().deserializer());
        this.targets = new KafkaConsumer<>(clients.config(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis())),
                new StringDeserializer(), topics.deliveryTargets.valueSerde().deserializer());
        this.kek = kek;
        this.timeout = timeout;
        this.consumer = new KafkaConsumer<>(clients.config(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis())),
                new StringDeserializer(), topics.dataKeys.valueSerde().deserializer());
        this.producer = new KafkaProducer<>(clients.config(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis())),
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
                break;
            }
            rewrapped += written.size();
            destroyedAgain += destroyAgainWhereDestroyedMeanwhile(written);
        }
        int orphans = destroyOrphans();
        return new Outcome(rewrapped, destroyedAgain, orphans, kekIds());
    }

    /**
     * Destroys live data keys older than {@link #ORPHAN_AGE} that nothing sealed uses: no enabled environment's salt,
     * no webhook's signing secret (current or previous), no Shared Signals stream's push authorization header.
     */
    private int destroyOrphans() {
        Set<String> inUse = new java.util.HashSet<>();
        Map<String, dev.credledger.events.avro.SigningSalt> latest = new HashMap<>();
        readAll(salts, Topics.SIGNING_SALTS, null, r -> latest.put(r.key(), r.value()));
        latest.forEach((key, salt) -> {
            if (salt != null) {
                inUse.add(key + "|" + salt.getSealed().getDataKeyId());
            }
        });
        Map<String, dev.credledger.events.avro.DeliveryTarget> delivery = new HashMap<>();
        readAll(targets, Topics.DELIVERY_TARGETS, null, r -> delivery.put(r.key(), r.value()));
        delivery.values().stream().filter(java.util.Objects::nonNull).forEach(t -> inUse.addAll(sealedKeysOf(t)));
        java.time.Instant cutoff = java.time.Instant.now().minus(orphanAge);
        int destroyed = 0;
        for (Live live : live().values()) {
            if (!inUse.contains(live.key()) && live.value().getCreatedAt().isBefore(cutoff)) {
                send(live.key(), null);
                destroyed++;
            }
        }
        return destroyed;
    }

    /** The data keys (as keyed in credential-data-keys) that a delivery target's sealed secrets use. */
    static List<String> sealedKeysOf(dev.credledger.events.avro.DeliveryTarget t) {
        List<String> out = new ArrayList<>();
        for (var sealed : java.util.Arrays.asList(t.getSecret(), t.getPreviousSecret())) {
            if (sealed == null) {
                continue;
            }
            if (t.getKind() == dev.credledger.events.avro.DeliveryKind.WEBHOOK) {
                out.add(dev.credledger.processors.topology.Keys.dataKey(new dev.credledger.events.model.AccountId(t.getAccountId()),
                        dev.credledger.events.model.Environment.valueOf(t.getEnvironment().name()), sealed.getDataKeyId()));
            } else {
                out.add(dev.credledger.processors.topology.Keys.dataKey(dev.credledger.api.signals.SsfTarget.SEALING_SCOPE,
                        dev.credledger.events.model.Environment.LIVE, sealed.getDataKeyId()));
            }
        }
        return out;
    }

    /** Tombstones again every key that a disable destroyed between the record read and its re-wrapped successor. */
    private int destroyAgainWhereDestroyedMeanwhile(List<Written> written) {
        Map<String, List<ConsumerRecord<String, WrappedDataKey>>> history = new HashMap<>();
        Map<TopicPartition, Long> pastOurWrites = new HashMap<>();
        for (Written w : written) {
            pastOurWrites.merge(w.read().partition(), w.offset() + 1, Math::max);
        }
        readAll(consumer, Topics.DATA_KEYS, pastOurWrites, r -> history.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r));
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
        readAll(consumer, Topics.DATA_KEYS, null, r -> latest.put(r.key(), r.value() == null ? null
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

    /**
     * Every record of {@code topic} from the start up to its end offsets — or, for the partitions in {@code until},
     * until the position reaches that offset: a read_committed consumer gets there only once every transaction
     * begun before it is decided, so nothing written before is missed.
     */
    private <V> void readAll(KafkaConsumer<String, V> reader, String topic, Map<TopicPartition, Long> until,
            java.util.function.Consumer<ConsumerRecord<String, V>> each) {
        List<TopicPartition> partitions = reader.partitionsFor(topic, timeout).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        if (partitions.isEmpty()) {
            throw new IllegalStateException("the topic " + topic + " does not exist: is this the ledger's cluster?");
        }
        reader.assign(partitions);
        reader.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = new HashMap<>(reader.endOffsets(partitions, timeout));
        if (until != null) {
            end.putAll(until);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (partitions.stream().anyMatch(p -> reader.position(p, timeout) < end.get(p))) {
            if (System.nanoTime() > deadline) {
                throw new org.apache.kafka.common.errors.TimeoutException("reading " + topic + " made no progress");
            }
            reader.poll(Duration.ofMillis(200)).forEach(r -> {
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
        salts.close(Duration.ofSeconds(5));
        targets.close(Duration.ofSeconds(5));
        producer.close(Duration.ofSeconds(5));
    }
}
