package dev.credledger.client;

import dev.credledger.events.avro.AllowList;
import dev.credledger.events.avro.CredentialRevoked;
import dev.credledger.events.avro.RevocationReason;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.serde.ConfluentAvroSerde;
import dev.credledger.events.verify.Verification;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verification inside a downstream service, without a network call: follows the ledger's
 * {@code credential-token-lookup}, {@code credential-allow-lists} and {@code credential-revocations} topics
 * ({@code read_committed}, no consumer group) into memory and decides exactly as the ledger's
 * {@code POST /v1/verify} does ({@link Verification}).
 *
 * <p>On {@link #start()} it reads the two compacted topics to the end offsets it finds, and the revocation feed
 * from {@link #FEED_LOOK_BACK} ago to its end (the bootstrap; {@link #awaitReady} returns when it is done), then
 * follows all three. From then on it reports to the ledger how far it has applied the feed (an {@code
 * EnforcementAck} on {@code credential-enforcement-acks}, after each batch of revocations and every
 * {@link Builder#reportInterval}), so the ledger can tell when each revocation took effect at each point. A
 * revocation is applied at once, ahead of the lookup update that follows it (the ledger writes that one a
 * transaction later): a secret is refused as soon as its revocation is read. A later lookup update (a
 * credential reactivated) supersedes it again.
 *
 * <p>It also follows {@code credential-revocations-early}, where the ledger publishes each revocation the moment it
 * is decided, a commit before the record on {@code credential-revocations} (see the docs/integration.md, "Early revocations"):
 * whichever of the two is read first refuses the secret, and an early revocation is never un-applied (only a newer
 * lookup entry, a credential reactivated by a later command, supersedes it, as it does a committed one). One that
 * neither the record nor the lookup update confirms within {@link #EARLY_UNCONFIRMED_AFTER} is said in a warning:
 * the ledger has not committed for that long. A listener hears of each revocation once, from whichever came first. Listeners ({@link #onRevocation}) run in order on a thread of
 * their own, after the revocation has been applied to {@link #verify}: a slow listener delays only listeners.
 *
 * <pre>{@code
 * RevocationClient client = RevocationClient.builder()
 *         .bootstrapServers("kafka-1:9092").schemaRegistryUrl("http://registry:8081")
 *         .enforcementPoint("api-gateway").build();
 * client.start();
 * client.awaitReady(Duration.ofSeconds(30));
 * Verification.Decision d = client.verify(token, Environment.LIVE, callerAddress);
 * }</pre>
 */
public final class RevocationClient implements AutoCloseable {

    /** The topics followed: part of the ledger's contract (docs/integration.md, "The event model"). */
    public static final String TOKEN_LOOKUP = "credential-token-lookup";
    public static final String ALLOW_LISTS = "credential-allow-lists";
    public static final String REVOCATIONS = "credential-revocations";
    /** Each revocation again, published as it is decided, before its transaction commits (a head start). */
    public static final String EARLY_REVOCATIONS = "credential-revocations-early";
    /** How long an early revocation may go without the record or lookup update that confirms it before a warning. */
    public static final Duration EARLY_UNCONFIRMED_AFTER = Duration.ofMinutes(5);
    /** How many recent revocation event IDs are remembered, so that a listener hears of each once. */
    private static final int RECENT_EVENT_IDS = 100_000;

    private static final Logger LOG = LoggerFactory.getLogger(RevocationClient.class);
    /** How far back the revocation feed is read at start: far more than a lookup update ever trails its revocation. */
    static final Duration FEED_LOOK_BACK = Duration.ofMinutes(5);

    /** A revocation as listeners get it: never a secret, only its fingerprint and prefix. */
    public record Revocation(UUID eventId, String fingerprint, String prefix, String accountId, Environment environment,
                             CredentialKind kind, RevocationReason reason, Instant revokedAt, UUID causedBy) {}

    private final Builder settings;
    private final LocalView view = new LocalView();
    private final List<Consumer<Revocation>> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService listenerThread = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("credledger-revocation-listeners").unstarted(r));
    private final CountDownLatch ready = new CountDownLatch(1);
    private final AtomicLong recordsApplied = new AtomicLong();
    private volatile Instant lastRecordAt;
    /** Records of the followed partitions not yet applied, as of the last poll. */
    private volatile long lag;
    private volatile boolean closed;
    private KafkaConsumer<String, byte[]> consumer;
    /** Revocations read but not yet readable, by partition and offset (consumer thread only). */
    private final Map<TopicPartition, TreeMap<Long, byte[]>> held = new HashMap<>();
    private long heldTriedNanos = System.nanoTime();
    private static final int MAX_HELD = 10_000;
    private EnforcementReporter reporter;
    private Thread follower;
    /** Revocation event IDs already told to listeners, oldest first (consumer thread only). */
    private final java.util.LinkedHashMap<UUID, Boolean> told = new java.util.LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Boolean> eldest) {
            return size() > RECENT_EVENT_IDS;
        }
    };
    private long unconfirmedCheckedNanos = System.nanoTime();

    private RevocationClient(Builder settings) {
        this.settings = settings;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings: bootstrap servers, registry, the name of this enforcement point, extra Kafka client properties. */
    public static final class Builder {
        private String bootstrapServers;
        private String schemaRegistryUrl;
        private String schemaRegistryBasicAuth;
        private String enforcementPoint;
        private String instance = defaultInstance();
        private Duration reportInterval = Duration.ofSeconds(1);
        private boolean followEarlyRevocations = true;
        private final Map<String, Object> kafkaProperties = new HashMap<>();

        public Builder bootstrapServers(String value) {
            this.bootstrapServers = value;
            return this;
        }

        public Builder schemaRegistryUrl(String value) {
            this.schemaRegistryUrl = value;
            return this;
        }

        /** {@code user:password}, if the registry wants it for reads. */
        public Builder schemaRegistryBasicAuth(String value) {
            this.schemaRegistryBasicAuth = value;
            return this;
        }

        /** A name for this enforcement point (a gateway, a service), the same on all its instances. */
        public Builder enforcementPoint(String value) {
            this.enforcementPoint = value;
            return this;
        }

        /** This instance of the enforcement point; default: the host name and the process ID. */
        public Builder instance(String value) {
            this.instance = value;
            return this;
        }

        /**
         * How often an idle client tells the ledger how far it has applied the revocations (it also does after every
         * batch that held some); {@link Duration#ZERO} turns reporting off. Default: 1 s.
         */
        public Builder reportInterval(Duration value) {
            if (value.isNegative() || (!value.isZero() && value.toMillis() < 10)) {
                throw new IllegalArgumentException("report interval must be zero (off) or at least 10 ms");
            }
            this.reportInterval = value;
            return this;
        }

        /**
         * Whether to follow {@code credential-revocations-early} too (default: yes). Off, a secret is refused once its
         * revocation is committed, one commit later.
         */
        public Builder followEarlyRevocations(boolean value) {
            this.followEarlyRevocations = value;
            return this;
        }

        /** Extra Kafka client properties (consumer and reporting producer), for TLS or SASL ({@code security.protocol}, {@code ssl.*}, {@code sasl.*}). */
        public Builder kafkaProperties(Map<String, ?> properties) {
            this.kafkaProperties.putAll(properties);
            return this;
        }

        public RevocationClient build() {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
            Objects.requireNonNull(enforcementPoint, "enforcementPoint");
            Objects.requireNonNull(instance, "instance");
            if (enforcementPoint.isBlank() || enforcementPoint.contains("|") || instance.isBlank() || instance.contains("|")) {
                throw new IllegalArgumentException("enforcement point and instance must be non-blank, without '|'");
            }
            return new RevocationClient(this);
        }
    }

    /** Starts following; returns at once (see {@link #awaitReady}). */
    public synchronized void start() {
        if (follower != null) {
            throw new IllegalStateException("started already");
        }
        Map<String, Object> props = new HashMap<>(settings.kafkaProperties);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers);
        Map<String, Object> consumerProps = new HashMap<>(props);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "credledger-revocation-client-" + settings.enforcementPoint + "-" + settings.instance);
        consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
        SchemaRegistryClient registry = new SchemaRegistryClient(new SchemaRegistryClient.Settings(
                URI.create(settings.schemaRegistryUrl), settings.schemaRegistryBasicAuth, null, Duration.ofSeconds(10)));
        if (!settings.reportInterval.isZero()) {
            reporter = new EnforcementReporter(props, registry, settings.enforcementPoint, settings.instance, settings.reportInterval);
        }
        Deserializer<TokenLookup> lookup = ConfluentAvroSerde.<TokenLookup>forValues(registry, TokenLookup.getClassSchema()).deserializer();
        Deserializer<AllowList> allowList = ConfluentAvroSerde.<AllowList>forValues(registry, AllowList.getClassSchema()).deserializer();
        Deserializer<CredentialRevoked> revoked = ConfluentAvroSerde.<CredentialRevoked>forValues(registry,
                CredentialRevoked.getClassSchema()).deserializer();
        follower = Thread.ofPlatform().daemon().name("credledger-revocation-client").start(
                () -> follow(lookup, allowList, revoked));
    }

    private void follow(Deserializer<TokenLookup> lookup, Deserializer<AllowList> allowList, Deserializer<CredentialRevoked> revoked) {
        try {
            List<TopicPartition> bootstrap = new ArrayList<>();
            List<TopicPartition> feed = new ArrayList<>();
            for (String topic : List.of(TOKEN_LOOKUP, ALLOW_LISTS)) {
                consumer.partitionsFor(topic).forEach(p -> bootstrap.add(new TopicPartition(topic, p.partition())));
            }
            consumer.partitionsFor(REVOCATIONS).forEach(p -> feed.add(new TopicPartition(REVOCATIONS, p.partition())));
            List<TopicPartition> early = new ArrayList<>();
            if (settings.followEarlyRevocations) {
                // None where the ledger does not publish them (an older ledger): the record alone then, as before.
                consumer.partitionsFor(EARLY_REVOCATIONS).forEach(p -> early.add(new TopicPartition(EARLY_REVOCATIONS, p.partition())));
            }
            List<TopicPartition> all = new ArrayList<>(bootstrap);
            all.addAll(feed);
            all.addAll(early);
            consumer.assign(all);
            consumer.seekToBeginning(bootstrap);
            // From a while back too: an early revocation whose commit has not come yet (the ledger stopped between the
            // two) must survive this client's restart; older ones the lookups or the committed feed already say.
            Map<TopicPartition, Long> earlySince = new HashMap<>();
            early.forEach(p -> earlySince.put(p, Instant.now().minus(FEED_LOOK_BACK).toEpochMilli()));
            Map<TopicPartition, Long> earlyEnd = consumer.endOffsets(early);
            consumer.offsetsForTimes(earlySince).forEach((p, found) -> consumer.seek(p, found == null ? earlyEnd.get(p) : found.offset()));
            // Older revocations are in the lookups already. The lookup update of a revocation is written a transaction
            // after it, so the feed is read from a while back: what the lookups do not say yet, the feed does. A
            // revocation older than the lookup entry read is ignored (LocalView), so reading one twice is harmless.
            Map<TopicPartition, Long> since = new HashMap<>();
            feed.forEach(p -> since.put(p, Instant.now().minus(FEED_LOOK_BACK).toEpochMilli()));
            Map<TopicPartition, Long> feedEnd = consumer.endOffsets(feed);
            consumer.offsetsForTimes(since).forEach((p, found) -> consumer.seek(p, found == null ? feedEnd.get(p) : found.offset()));
            // Ready once both lookups and the feed are read to where they ended at start.
            Map<TopicPartition, Long> startEnd = new HashMap<>(consumer.endOffsets(bootstrap));
            startEnd.putAll(feedEnd);
            checkReady(startEnd);
            while (!closed) {
                boolean heldRevocations = false;
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    try {
                        switch (r.topic()) {
                            case TOKEN_LOOKUP -> view.applyLookup(r.key(), r.value() == null ? null : lookup.deserialize(r.topic(), r.value()));
                            case ALLOW_LISTS -> view.applyAllowList(r.key(), r.value() == null ? null : allowList.deserialize(r.topic(), r.value()));
                            case REVOCATIONS -> {
                                heldRevocations = true;
                                if (r.value() != null) {
                                    applyOrHold(r, revoked);
                                }
                            }
                            case EARLY_REVOCATIONS -> {
                                heldRevocations = true;
                                if (r.value() != null) {
                                    // Held when unreadable, as on the feed (whose record follows anyway): reports
                                    // never claim an early copy this client could not read.
                                    applyOrHold(r, revoked);
                                }
                            }
                            default -> { }
                        }
                    } catch (RuntimeException e) {
                        // A record this client cannot read is skipped, and said so; the feed goes on.
                        LOG.error("Skipped an unreadable record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
                    }
                    recordsApplied.incrementAndGet();
                    lastRecordAt = Instant.now();
                }
                if (ready.getCount() > 0) {
                    checkReady(startEnd);
                }
                retryHeld(revoked);
                warnUnconfirmed();
                if (ready.getCount() == 0 && reporter != null) {
                    // Never past a revocation this client could not read: the ledger shows it pending here.
                    reporter.applied(EnforcementReporter.offsets(feed, this::appliedUpTo),
                            EnforcementReporter.offsets(early, this::appliedUpTo), Instant.now(), heldRevocations);
                }
                long behind = 0;
                for (TopicPartition p : all) {
                    behind += consumer.currentLag(p).orElse(0L);
                }
                lag = behind;
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("The revocation client stopped following: {}", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Applies a revocation, or holds it if it cannot be read yet (the registry unreachable for a schema not seen
     * before): held ones are tried again every second, and reports stop short of the first one held.
     */
    private void applyOrHold(ConsumerRecord<String, byte[]> r, Deserializer<CredentialRevoked> revoked) {
        try {
            apply(r.topic(), revoked.deserialize(r.topic(), r.value()));
        } catch (RuntimeException e) {
            LOG.error("Cannot read the revocation at {}-{}@{} yet (held, tried again every second): {}", r.topic(),
                    r.partition(), r.offset(), e.toString());
            TreeMap<Long, byte[]> partition = held.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), p -> new TreeMap<>());
            if (partition.size() < MAX_HELD) {
                partition.put(r.offset(), r.value());
            }
        }
    }

    /** Where this client has applied {@code p} up to: its position, or the first record held there if one is. */
    private long appliedUpTo(TopicPartition p) {
        TreeMap<Long, byte[]> waiting = held.get(p);
        return waiting == null ? consumer.position(p) : Math.min(consumer.position(p), waiting.firstKey());
    }

    /** A revocation read from the committed feed, or an early copy. */
    private void apply(String topic, CredentialRevoked revocation) {
        if (topic.equals(EARLY_REVOCATIONS)) {
            view.applyEarlyRevocation(revocation, Instant.now());
            tell(revocation);
        } else {
            applyRevocation(revocation);
        }
    }

    private void retryHeld(Deserializer<CredentialRevoked> revoked) {
        if (held.isEmpty() || System.nanoTime() - heldTriedNanos < TimeUnit.SECONDS.toNanos(1)) {
            return;
        }
        heldTriedNanos = System.nanoTime();
        for (Map.Entry<TopicPartition, TreeMap<Long, byte[]>> partition : held.entrySet()) {
            partition.getValue().entrySet().removeIf(record -> {
                try {
                    apply(partition.getKey().topic(), revoked.deserialize(partition.getKey().topic(), record.getValue()));
                    return true;
                } catch (RuntimeException e) {
                    return false;
                }
            });
        }
        held.values().removeIf(TreeMap::isEmpty);
    }

    private void checkReady(Map<TopicPartition, Long> startEnd) {
        for (Map.Entry<TopicPartition, Long> end : startEnd.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return;
            }
        }
        if (reporter != null) {
            reporter.start(Instant.now());
        }
        ready.countDown();
    }

    private void warnUnconfirmed() {
        if (System.nanoTime() - unconfirmedCheckedNanos < TimeUnit.SECONDS.toNanos(1)) {
            return;
        }
        unconfirmedCheckedNanos = System.nanoTime();
        for (CredentialRevoked late : view.unconfirmed(Instant.now().minus(EARLY_UNCONFIRMED_AFTER))) {
            LOG.warn("The early revocation of {} (event {}) is still not committed after {}: it stays applied; is the"
                    + " ledger running?", late.getPrefix(), late.getEventId(), EARLY_UNCONFIRMED_AFTER);
        }
    }

    private void applyRevocation(CredentialRevoked r) {
        view.applyRevocation(r);
        tell(r);
    }

    /** Listeners hear of each revocation once, from the early record or the committed one, whichever came first. */
    private void tell(CredentialRevoked r) {
        if (told.put(r.getEventId(), Boolean.TRUE) != null) {
            return;
        }
        Revocation event = new Revocation(r.getEventId(), r.getFingerprint(), r.getPrefix(), r.getAccountId(),
                Environment.valueOf(r.getEnvironment().name()), CredentialKind.valueOf(r.getKind().name()), r.getReason(),
                r.getRevokedAt(), r.getCausedBy());
        for (Consumer<Revocation> listener : listeners) {
            listenerThread.execute(() -> {
                try {
                    listener.accept(event);
                } catch (RuntimeException e) {
                    LOG.warn("A revocation listener failed on {}: {}", event.prefix(), e.toString());
                }
            });
        }
    }

    /** Whether the bootstrap completed within {@code timeout}: from then on, every revocation issued before is refused. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** An auth token presented by a caller of {@code environment} (or {@code null} for any), from {@code sourceIp} (or {@code null}). */
    public Verification.Decision verify(String token, Environment environment, InetAddress sourceIp) {
        return view.verify(token, environment, sourceIp);
    }

    /** A client credential (client ID and secret). */
    public Verification.Decision verify(String clientId, String clientSecret, Environment environment, InetAddress sourceIp) {
        return view.verify(clientId, clientSecret, environment, sourceIp);
    }

    /**
     * A client credential that must allow every one of {@code requiredScopes}: refused with
     * {@link Verification.Reason#INSUFFICIENT_SCOPE} and the scopes it lacks ({@link Verification.Decision#missingScopes})
     * otherwise, as {@code POST /v1/verify} with {@code requiredScopes} answers.
     */
    public Verification.Decision verify(String clientId, String clientSecret, Environment environment, InetAddress sourceIp,
            java.util.Collection<String> requiredScopes) {
        return view.verify(clientId, clientSecret, environment, sourceIp, requiredScopes);
    }

    /** Called for every revocation read from now on, in order, off the consumer thread. */
    public void onRevocation(Consumer<Revocation> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Secrets known to this client. */
    public int entries() {
        return view.entries();
    }

    /** Records applied since start. */
    public long recordsApplied() {
        return recordsApplied.get();
    }

    /** When the last record was applied, or {@code null}. */
    public Instant lastRecordAt() {
        return lastRecordAt;
    }

    /** Records of the followed topics not yet applied, as of the last poll (0 when caught up). */
    public long lag() {
        return lag;
    }

    /**
     * Publishes {@code credledger.client.entries} (secrets known), {@code credledger.client.lag} (records not yet
     * applied), {@code credledger.client.records.applied} and {@code credledger.client.seconds.since.last.record},
     * tagged with the enforcement point. Needs Micrometer on the class path (an optional dependency).
     */
    public void bindTo(io.micrometer.core.instrument.MeterRegistry registry) {
        io.micrometer.core.instrument.Tags tags = io.micrometer.core.instrument.Tags.of("enforcement_point", settings.enforcementPoint);
        io.micrometer.core.instrument.Gauge.builder("credledger.client.entries", this, RevocationClient::entries).tags(tags)
                .description("Secrets this client knows").register(registry);
        io.micrometer.core.instrument.Gauge.builder("credledger.client.lag", this, RevocationClient::lag).tags(tags)
                .description("Records of the followed topics not yet applied").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("credledger.client.records.applied", this,
                RevocationClient::recordsApplied).tags(tags).register(registry);
        io.micrometer.core.instrument.Gauge.builder("credledger.client.seconds.since.last.record", this, c -> {
            Instant last = c.lastRecordAt;
            return last == null ? Double.NaN : Duration.between(last, Instant.now()).toMillis() / 1000.0;
        }).tags(tags).register(registry);
    }

    public String enforcementPoint() {
        return settings.enforcementPoint;
    }

    @Override
    public void close() {
        closed = true;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (follower != null) {
            try {
                follower.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        listenerThread.shutdown();
        if (reporter != null) {
            reporter.close();
        }
    }

    /** Enforcement reports sent to the ledger and acknowledged by the broker. */
    public long reportsSent() {
        return reporter == null ? 0 : reporter.reportsSent();
    }

    private static String defaultInstance() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown-host";
        }
        return host.replace('|', '-') + "-" + ProcessHandle.current().pid();
    }
}
