package dev.credledger.api.reports;

import dev.credledger.api.StoreLocator;
import dev.credledger.events.avro.CredentialKind;
import dev.credledger.events.avro.CredentialUsage;
import dev.credledger.events.avro.Environment;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.processors.topology.Stores;
import dev.credledger.processors.topology.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each secret's last use (last successful verification), without an event per request. The verify path only stores
 * the time in memory ({@link #record}: a map lookup and a volatile write); a flusher thread writes each secret's
 * latest use to the compacted {@code credential-usage} topic at most once per {@code interval} (and at once the first
 * time a secret is seen, and on close). Key: the secret ID, so the topic holds one record per secret however often
 * instances restart or move; an instance does not write a use older than the one the topic already shows, so the last
 * use only moves back if two instances write the same secret within moments of each other, by less than an interval.
 * Entries idle for two intervals after their last write leave memory, so memory follows the secrets in use, not all
 * secrets ever seen.
 */
public final class UsageRecorder implements AutoCloseable {

    /** How often a secret's last use may be written, per instance. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(UsageRecorder.class);
    private static final long TICK_MILLIS = 1000;

    /** What a usage record says about the secret besides the time. */
    private record Secret(UUID secretId, String accountId, Environment environment, CredentialKind kind, String prefix) {}

    private static final class Use {
        final Secret secret;
        volatile long lastUsedAt;
        volatile long writtenUsedAt;
        long writtenAt;

        Use(Secret secret) {
            this.secret = secret;
        }
    }

    private final Map<UUID, Use> uses = new ConcurrentHashMap<>();
    private final StoreLocator locator;
    private final Producer<String, CredentialUsage> producer;
    private final java.util.function.Supplier<String> instance;
    private final long intervalMillis;
    private final java.util.concurrent.ScheduledExecutorService flusher;

    /** {@code instance}: this instance's stable name (asked when writing, so it may be known only once serving). */
    public UsageRecorder(dev.credledger.processors.topology.ClientProperties clients, Topics topics, StoreLocator locator,
            java.util.function.Supplier<String> instance, Duration interval) {
        this.locator = locator;
        this.instance = instance;
        this.intervalMillis = interval.toMillis();
        Properties p = new Properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 50);
        // Bounded waits: with the cluster away, a write fails in seconds (and is tried with the next use), and closing
        // never stalls a shutdown for the client's default minute.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "credledger-usage");
        this.producer = new KafkaProducer<>(clients.properties(p), new StringSerializer(), topics.usage.valueSerde().serializer());
        this.flusher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("credledger-usage-flusher").daemon().factory());
        flusher.scheduleWithFixedDelay(() -> {
            try {
                flush(false);
            } catch (RuntimeException e) {
                LOG.warn("Writing last uses failed ({}); tried again in a second", e.toString());
            }
        }, TICK_MILLIS, TICK_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** A successful verification of {@code entry}'s secret, now. The whole cost on the verify path. */
    public void record(TokenLookup entry) {
        record(entry.getSecretId(), () -> new Secret(entry.getSecretId(), entry.getAccountId(), entry.getEnvironment(),
                entry.getKind(), entry.getPrefix()));
    }

    /** The ledger signed with a private salt (a MAC): the salt's use, as the ledger sees it. */
    public void recordSalt(String accountId, Environment environment, dev.credledger.events.avro.SecretRef salt) {
        record(salt.getSecretId(), () -> new Secret(salt.getSecretId(), accountId, environment, salt.getKind(), salt.getPrefix()));
    }

    private void record(UUID secretId, java.util.function.Supplier<Secret> secret) {
        long now = System.currentTimeMillis();
        Use use = uses.get(secretId);
        if (use == null) {
            use = uses.computeIfAbsent(secretId, id -> new Use(secret.get()));
        }
        use.lastUsedAt = now;
        if (uses.get(secretId) != use) {
            // Forgotten by the flusher between the lookup and the write: keep the use in the map (rare; idle entries only).
            Use kept = uses.putIfAbsent(secretId, use);
            if (kept != null && kept.lastUsedAt < now) {
                kept.lastUsedAt = now;
            }
        }
    }

    /** The secret's last use as far as this instance knows: the latest written by any instance, or seen here since. */
    public Instant lastUsedAt(UUID secretId) {
        long latest = 0;
        Use local = uses.get(secretId);
        if (local != null) {
            latest = local.lastUsedAt;
        }
        try {
            ReadOnlyKeyValueStore<String, CredentialUsage> store = locator.global(Stores.VIEW_CREDENTIAL_USAGE);
            CredentialUsage written = store.get(secretId.toString());
            if (written != null) {
                latest = Math.max(latest, written.getLastUsedAt().toEpochMilli());
            }
        } catch (InvalidStateStoreException e) {
            // Restoring: what this instance saw itself is the best it knows.
        }
        return latest == 0 ? null : Instant.ofEpochMilli(latest);
    }

    /** Writes the uses due ({@code all}: every unwritten one); forgets those idle for two intervals after a write. */
    private void flush(boolean all) {
        long now = System.currentTimeMillis();
        int written = 0;
        for (Map.Entry<UUID, Use> entry : uses.entrySet()) {
            Use use = entry.getValue();
            long used = use.lastUsedAt;
            if (used > use.writtenUsedAt && (all || now - use.writtenAt >= intervalMillis)) {
                Secret e = use.secret;
                long before = use.writtenUsedAt;
                use.writtenUsedAt = used;
                use.writtenAt = now;
                if (writtenElsewhere(e.secretId()) >= used) {
                    continue; // another instance already wrote a later use
                }
                CredentialUsage value = new CredentialUsage(e.secretId(), e.accountId(), e.environment(), e.kind(),
                        Instant.ofEpochMilli(used), instance.get());
                producer.send(new ProducerRecord<>(Topics.USAGE, e.secretId().toString(), value), (m, failure) -> {
                    if (failure != null) {
                        // Not written: due again at the next run.
                        use.writtenUsedAt = before;
                        LOG.warn("Last use of {} not written ({}); trying again", e.prefix(), failure.toString());
                    }
                });
                written++;
            } else if (used <= use.writtenUsedAt && now - use.writtenAt >= 2 * intervalMillis) {
                uses.remove(entry.getKey(), use);
                if (use.lastUsedAt > use.writtenUsedAt) {
                    uses.putIfAbsent(entry.getKey(), use); // used while it was being forgotten: keep it
                }
            }
        }
        if (written > 0) {
            producer.flush();
        }
    }

    private long writtenElsewhere(UUID secretId) {
        try {
            CredentialUsage written = locator.<CredentialUsage>global(Stores.VIEW_CREDENTIAL_USAGE).get(secretId.toString());
            return written == null ? 0 : written.getLastUsedAt().toEpochMilli();
        } catch (InvalidStateStoreException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        flusher.shutdownNow();
        try {
            flusher.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            flush(true);
        } catch (RuntimeException e) {
            LOG.warn("Last uses not written at shutdown: {}", e.toString());
        }
        producer.close(Duration.ofSeconds(5));
    }
}
