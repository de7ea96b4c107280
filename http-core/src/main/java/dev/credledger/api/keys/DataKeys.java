package dev.credledger.api.keys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.credledger.api.StoreLocator;
import dev.credledger.events.avro.WrappedDataKey;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.SealedSecret;
import dev.credledger.events.sealing.Envelope;
import dev.credledger.events.sealing.KeyEncryptionKey;
import dev.credledger.events.secret.IssuedSecret;
import dev.credledger.processors.topology.Keys;
import dev.credledger.processors.topology.Stores;
import dev.credledger.processors.topology.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The data keys of sealed secrets, as the edge sees them. A new one is made for each enable: wrapped by the
 * current KEK and written to {@code credential-data-keys} (and acknowledged) before the command is sent, so the
 * salt it seals can always be unsealed while its environment is enabled. Unwrapped keys are cached (bounded,
 * expiring), but a cached key is used only while its wrapped form is still in the replicated store: once a
 * disable has destroyed it there, no copy here seals or unseals anything again.
 */
public final class DataKeys implements AutoCloseable {

    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);

    private final KeyEncryptionKey kek;
    private final StoreLocator locator;
    private final KafkaProducer<String, WrappedDataKey> producer;
    // Evicted keys are left to the garbage collector: overwriting them on eviction would race with a reader
    // that has just taken the array. A destroyed key is never used again (checked on every use).
    private final Cache<UUID, byte[]> unwrapped = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(Duration.ofMinutes(5))
            .build();
    private final java.util.concurrent.ScheduledExecutorService roller = java.util.concurrent.Executors
            .newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("credledger-data-key-roll").unstarted(r));

    public DataKeys(KeyEncryptionKey kek, StoreLocator locator, dev.credledger.processors.topology.ClientProperties clients, Topics topics) {
        this.kek = kek;
        this.locator = locator;
        this.producer = new KafkaProducer<>(clients.config(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                // With the broker gone a write fails in seconds (503), instead of holding its request for a minute.
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000,
                ProducerConfig.CLIENT_ID_CONFIG, "credledger-data-keys-" + UUID.randomUUID())),
                new StringSerializer(), topics.dataKeys.valueSerde().serializer());
        roller.scheduleAtFixedRate(this::rollSegments, SEGMENT_ROLL.toMinutes(), SEGMENT_ROLL.toMinutes(),
                java.util.concurrent.TimeUnit.MINUTES);
    }

    /** How often every partition of the data-key topic gets a record, so that its segments roll. */
    static final Duration SEGMENT_ROLL = Duration.ofMinutes(30);

    /**
     * Kafka never compacts a partition's active segment, and rolls a segment only when a record arrives after
     * {@code segment.ms}: a destroyed key in a partition nobody writes to would stay in the log forever. A
     * tombstone of a key that never held a value, sent to every partition, makes each roll on time.
     */
    private void rollSegments() {
        try {
            for (var partition : producer.partitionsFor(Topics.DATA_KEYS)) {
                producer.send(new ProducerRecord<>(Topics.DATA_KEYS, partition.partition(), "~segment-roll", null));
            }
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(DataKeys.class).warn("Could not write the segment-roll records of {}: {}",
                    Topics.DATA_KEYS, e.toString());
        }
    }

    /** A failure to store a new data key: nothing was sealed and no command sent. */
    public static final class NotStored extends RuntimeException {
        NotStored(String message) {
            super(message);
        }
    }

    /**
     * Seals a newly issued secret under a new data key of its account and environment, after storing that key.
     *
     * @throws NotStored if the data key could not be stored in time
     */
    public SealedSecret sealNew(AccountId account, Environment environment, IssuedSecret secret) {
        byte[] plaintext = secret.plaintext().getBytes(StandardCharsets.US_ASCII);
        try {
            return sealNew(account, environment, secret.ref().secretId(), plaintext);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    /**
     * Seals {@code plaintext} (another secret the ledger must use, such as a webhook's signing secret) under a new data
     * key of its account and environment, after storing that key.
     *
     * @throws NotStored if the data key could not be stored in time
     */
    public SealedSecret sealNew(AccountId account, Environment environment, UUID secretId, byte[] plaintext) {
        Envelope.NewDataKey created = Envelope.newDataKey(kek, account.value(), environment.name());
        try (Envelope.DataKey key = created.key()) {
            WrappedDataKey record = WrappedDataKey.newBuilder()
                    .setAccountId(account.value())
                    .setEnvironment(dev.credledger.events.avro.Environment.valueOf(environment.name()))
                    .setDataKeyId(key.id())
                    .setKekId(created.kekId())
                    .setWrapped(ByteBuffer.wrap(created.wrapped()))
                    .setCreatedAt(Instant.now())
                    .build();
            try {
                producer.send(new ProducerRecord<>(Topics.DATA_KEYS, Keys.dataKey(account, environment, key.id()), record))
                        .get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new NotStored("the new data key could not be stored on " + Topics.DATA_KEYS + " ("
                        + e.getClass().getSimpleName() + ")");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NotStored("interrupted while storing a new data key");
            }
            byte[] sealed = Envelope.seal(key, plaintext, account.value(), environment.name(), secretId);
            return new SealedSecret(secretId, key.id(), created.kekId(), sealed);
        }
    }

    /**
     * Runs {@code use} with the unsealed secret, then overwrites it; {@code null} if the data key no longer exists
     * (destroyed by a disable).
     */
    public <T> T withUnsealed(AccountId account, Environment environment, SealedSecret sealed, java.util.function.Function<byte[], T> use) {
        WrappedDataKey wrapped = locator.<WrappedDataKey>global(Stores.VIEW_DATA_KEYS)
                .get(Keys.dataKey(account, environment, sealed.dataKeyId()));
        if (wrapped == null) {
            unwrapped.invalidate(sealed.dataKeyId());
            return null;
        }
        byte[] key = unwrapped.get(sealed.dataKeyId(), id -> {
            ByteBuffer buffer = wrapped.getWrapped().duplicate();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            try (Envelope.DataKey k = Envelope.unwrap(kek, wrapped.getKekId(), bytes, account.value(), environment.name(), id)) {
                return k.copy();
            }
        });
        byte[] secret;
        try (Envelope.DataKey k = Envelope.DataKey.of(sealed.dataKeyId(), key)) {
            secret = Envelope.open(k, sealed.sealed(), account.value(), environment.name(), sealed.secretId());
        }
        try {
            return use.apply(secret);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** Destroys a data key the edge made (a deleted webhook's): what it sealed is noise from now on. */
    public void destroy(AccountId account, Environment environment, UUID dataKeyId) {
        unwrapped.invalidate(dataKeyId);
        try {
            producer.send(new ProducerRecord<>(Topics.DATA_KEYS, Keys.dataKey(account, environment, dataKeyId), null))
                    .get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new NotStored("the data key could not be destroyed on " + Topics.DATA_KEYS + " ("
                    + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotStored("interrupted while destroying a data key");
        }
    }

    @Override
    public void close() {
        roller.shutdownNow();
        producer.close(Duration.ofSeconds(5));
        unwrapped.invalidateAll();
    }
}
