package dev.credledger.app;

import dev.credledger.api.server.AccessControl;
import dev.credledger.api.ClientAddress;
import dev.credledger.api.Drain;
import dev.credledger.api.server.LedgerApi;
import dev.credledger.api.StoreLocator;
import dev.credledger.api.commands.CommandGateway;
import dev.credledger.api.enforcement.EnforcementFeed;
import dev.credledger.api.enforcement.EnforcementRoutes;
import dev.credledger.api.enforcement.EnforcementView;
import dev.credledger.api.keys.DataKeys;
import dev.credledger.embedded.EmbeddedKafkaBroker;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.registry.server.EmbeddedSchemaRegistry;
import dev.credledger.events.sealing.FileKeyring;
import dev.credledger.events.sealing.ReloadingKeyring;
import dev.credledger.events.tlog.NoteKey;
import dev.credledger.processors.audit.AuditLogSettings;
import dev.credledger.processors.domain.Limits;
import dev.credledger.processors.topology.LedgerTopology;
import dev.credledger.processors.topology.Stores;
import dev.credledger.processors.topology.ClientProperties;
import dev.credledger.processors.topology.StreamsSettings;
import dev.credledger.processors.topology.Topics;
import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running ledger: the embedded broker and registry when no external ones are given, the topics, the
 * Streams application and the HTTP API, started in that order and stopped in reverse.
 */
public final class LedgerApplication implements AutoCloseable {

    /** The embedded default's sealing key file, in the data directory. */
    static final String SEALING_KEY_FILE = "sealing.key";

    private static final Logger LOG = LoggerFactory.getLogger(LedgerApplication.class);

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private String bootstrapServers;
    private String registryUrl;
    private int httpPort;
    private java.util.List<String> routes = java.util.List.of();
    private dev.credledger.api.TlsFiles tls;
    private String adminKeyFile;
    private String sealingKeyFile;
    private java.nio.file.Path dataDir;
    private KafkaStreams streams;
    private NoteKey auditKey;
    private String auditSigningKeyFile;
    private dev.credledger.api.usage.VerificationCounter verificationCounter;

    private LedgerApplication() {}

    /** Starts everything; returns when the HTTP API listens (readiness follows once Streams is RUNNING). */
    public static LedgerApplication start(Settings settings) {
        LedgerApplication app = new LedgerApplication();
        try {
            app.startAll(settings);
            return app;
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
    }

    private void startAll(Settings s) {
        dataDir = s.dataDir();
        if (s.embeddedKafka()) {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(
                    new EmbeddedKafkaBroker.Settings(s.dataDir().resolve("kafka"), s.kafkaPort()));
            toClose.push(broker);
            bootstrapServers = broker.bootstrapServers();
        } else {
            bootstrapServers = s.bootstrapServers();
        }
        // Every Kafka client of this process: the deployment's client properties (security, ...) and the cluster.
        ClientProperties clients = new ClientProperties(bootstrapServers, s.kafkaProperties());
        TopicSetup.ensure(clients, s.partitions(), s.replicationFactor(), s.revocationRetention());
        String adminKey = s.adminToken();
        if (adminKey == null) {
            if (!s.embeddedKafka()) {
                throw new IllegalArgumentException("set an admin key (CREDLEDGER_ADMIN_TOKEN or --admin-token) "
                        + "when running against an external cluster");
            }
            adminKey = AdminKey.loadOrCreate(s.dataDir());
            adminKeyFile = s.dataDir().resolve(AdminKey.FILE_NAME).toAbsolutePath().normalize().toString();
        }
        String registryAuth = s.registryBasicAuth();
        if (s.embeddedRegistry()) {
            // Registry writes need the admin key; reads stay open for consumers (docs/development.md, "Wire format").
            EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(new EmbeddedSchemaRegistry.Settings(
                    s.httpHost(), s.registryPort(), bootstrapServers, EmbeddedSchemaRegistry.Settings.DEFAULT_TOPIC,
                    s.replicationFactor(), adminKey, s.kafkaProperties()));
            toClose.push(registry);
            registryUrl = registry.url();
            registryAuth = "credledger:" + adminKey;
        } else {
            registryUrl = s.schemaRegistryUrl();
        }
        SchemaRegistryClient registryClient = new SchemaRegistryClient(new SchemaRegistryClient.Settings(
                URI.create(registryUrl), registryAuth, null, Duration.ofSeconds(10)));


        Topics topics = new Topics(registryClient);
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(meters);
        toClose.push(gc);

        if (s.sealingKeyFile() == null && !s.embeddedKafka()) {
            // A key generated per instance would seal what no other instance can unseal.
            throw new IllegalArgumentException("set a sealing key file (--sealing-key-file or CREDLEDGER_SEALING_KEY_FILE, "
                    + "made with 'credledger keys generate') when running against an external cluster: every instance "
                    + "must unwrap the data keys the others made");
        }
        Path keyFile = s.sealingKeyFile() != null ? s.sealingKeyFile() : s.dataDir().resolve(SEALING_KEY_FILE);
        // Read again when the file changes: a KEK rotation (credledger keys rotate) needs no restart.
        // credledger_sealing_kek{kek=…}: 1 for the KEK that wraps, 0 for those kept to unwrap — so an operator can
        // see every instance has the new key before `keys rotate` re-wraps, and none needs an old one after.
        io.micrometer.core.instrument.MultiGauge keks = io.micrometer.core.instrument.MultiGauge.builder("credledger.sealing.kek")
                .description("Key-encryption keys loaded: 1 wraps new data keys, 0 only unwraps").register(meters);
        ReloadingKeyring kek = new ReloadingKeyring(keyFile,
                s.sealingKeyFile() != null ? FileKeyring.load(keyFile) : FileKeyring.loadOrCreate(keyFile),
                ring -> keks.register(ring.ids().stream().map(id -> io.micrometer.core.instrument.MultiGauge.Row.of(
                        io.micrometer.core.instrument.Tags.of("kek", id), id.equals(ring.currentId()) ? 1 : 0)).toList(), true));
        sealingKeyFile = keyFile.toAbsolutePath().normalize().toString();
        if (s.auditLog().signingKeyFile() == null && !s.embeddedKafka()) {
            throw new IllegalArgumentException("set an audit signing key (--audit-signing-key or CREDLEDGER_AUDIT_SIGNING_KEY, "
                    + "an Ed25519 PKCS#8 PEM file: openssl genpkey -algorithm ed25519) when running against an external cluster: "
                    + "every instance signs checkpoints with the same key");
        }
        Path auditKeyPath = s.auditLog().signingKeyFile() != null ? s.auditLog().signingKeyFile()
                : s.dataDir().resolve(AuditSigningKey.FILE_NAME);
        auditKey = s.auditLog().signingKeyFile() != null ? AuditSigningKey.load(auditKeyPath, s.auditLog().name())
                : AuditSigningKey.loadOrCreate(auditKeyPath, s.auditLog().name());
        auditSigningKeyFile = auditKeyPath.toAbsolutePath().normalize().toString();
        LOG.info("Signing audit checkpoints as {} (key {})", auditKey.name(), auditKey.keyIdHex());
        LOG.info("Sealing private salts with key-encryption key {} from {}", kek.currentId(), sealingKeyFile);
        CommandGateway gateway = new CommandGateway(clients, topics, s.commandTimeout());
        Drain drain = new Drain();
        toClose.push(gateway);
        AtomicReference<KafkaStreams> streamsRef = new AtomicReference<>();
        String advertisedHost = s.advertisedHost() != null ? s.advertisedHost() : advertisedHost(s.httpHost());
        // The HTTP port must be known before Streams starts (it is the instance's address for query routing).
        AtomicReference<HostInfo> self = new AtomicReference<>();
        StoreLocator locator = new StoreLocator(streamsRef::get, self::get);
        DataKeys dataKeys = new DataKeys(kek, locator, clients, topics);
        toClose.push(dataKeys);
        // Revocation clients look the acknowledgement schema up; only the ledger may register schemas.
        registryClient.register(Topics.ENFORCEMENT_ACKS + "-value", dev.credledger.events.avro.EnforcementAck.getClassSchema());
        EnforcementView enforcement = new EnforcementView(s.enforcement().staleAfter());
        EnforcementFeed enforcementFeed = new EnforcementFeed(clients, topics, enforcement, s.enforcement().alertAfter(),
                s.revocationRetention(), meters).start();
        toClose.push(enforcementFeed);
        // The instance that saw a use, named in the usage record (its key is the secret alone).
        dev.credledger.api.reports.UsageRecorder usage = new dev.credledger.api.reports.UsageRecorder(clients, topics,
                locator, () -> s.instanceId() != null ? s.instanceId()
                        : self.get() == null ? advertisedHost : self.get().host() + ":" + self.get().port(),
                dev.credledger.api.reports.UsageRecorder.DEFAULT_INTERVAL);
        toClose.push(usage);
        java.util.function.BiConsumer<dev.credledger.events.avro.TokenLookup, dev.credledger.events.verify.Verification.Reason>
                verificationCounts = (entry, refusal) -> { };
        if (s.usage().counting()) {
            dev.credledger.api.usage.VerificationCounter counter = new dev.credledger.api.usage.VerificationCounter(clients,
                    topics, s.usage().flushInterval());
            toClose.push(counter);
            verificationCounter = counter;
            verificationCounts = counter::count;
        }
        dev.credledger.api.delivery.SafeAddresses addresses = new dev.credledger.api.delivery.SafeAddresses(
                s.deliveries().allowPrivateAddresses());
        dev.credledger.api.delivery.Outbound outbound = new dev.credledger.api.delivery.Outbound(addresses);
        toClose.push(outbound);
        if (s.signals().signingKeyFile() == null && !s.embeddedKafka() && !s.signals().receiverTokens().isEmpty()) {
            throw new IllegalArgumentException("set a Shared Signals signing key (--ssf-signing-key, an EC P-256 PKCS#8 PEM file: "
                    + "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256) when receivers are configured on an "
                    + "external cluster: every instance signs SETs with the same key");
        }
        if (s.signals().issuer() == null && !s.embeddedKafka() && !s.signals().receiverTokens().isEmpty()) {
            throw new IllegalArgumentException("set the Shared Signals issuer (--ssf-issuer, the URL receivers reach the ledger at) "
                    + "when receivers are configured on an external cluster: every instance must name the same issuer");
        }
        dev.credledger.api.signals.SetSigner setSigner = s.signals().signingKeyFile() != null
                ? dev.credledger.api.signals.SetSigner.load(s.signals().signingKeyFile())
                : dev.credledger.api.signals.SetSigner.loadOrCreate(s.dataDir().resolve(dev.credledger.api.signals.SetSigner.FILE_NAME));
        java.util.function.Supplier<String> issuer = () -> s.signals().issuer() != null ? s.signals().issuer()
                : (s.tls() == null ? "http" : "https") + "://" + advertisedHost + ":" + self.get().port();
        dev.credledger.api.signals.SsfTarget ssfTarget = new dev.credledger.api.signals.SsfTarget(setSigner, issuer, dataKeys, outbound);
        dev.credledger.api.delivery.Deliveries deliveries = new dev.credledger.api.delivery.Deliveries(clients, topics,
                locator, s.deliveries(), java.util.Map.of(dev.credledger.events.avro.DeliveryKind.WEBHOOK,
                        new dev.credledger.api.webhooks.WebhookTarget(dataKeys, outbound),
                        dev.credledger.events.avro.DeliveryKind.SSF_STREAM, ssfTarget), meters);
        toClose.push(deliveries);
        tls = s.tls() == null ? null : dev.credledger.api.TlsFiles.load(s.tls().certFile(), s.tls().keyFile());
        var deliveryAudit = new dev.credledger.api.delivery.DeliveryAudit(gateway, new ClientAddress(s.trustedProxies()));
        LedgerApi.Backend backend = new LedgerApi.Backend(gateway, locator, streamsRef::get,
                new AccessControl(adminKey, s.auditorToken(), s.verifierToken(), s.signerToken(), s.leaks().scannerToken(),
                        s.signals().receiverTokens()),
                new ClientAddress(s.trustedProxies()), meters, drain, dataKeys,
                new EnforcementRoutes(enforcement, enforcementFeed::healthy),
                new dev.credledger.api.proofs.ProofRoutes.Config(s.auditLog().name(), auditKey.verifierKey(),
                        s.auditLog().checkpointInterval()),
                new dev.credledger.api.leaks.LeakRoutes.Config(leakReportKeys(s.leaks()), s.leaks().unsignedAllowed()),
                usage, new dev.credledger.api.stream.RevocationStream(clients, topics, drain, s.streamHeartbeat()),
                s.verifyFailures(), new dev.credledger.api.webhooks.WebhookRoutes(deliveries, dataKeys, addresses, deliveryAudit),
                new dev.credledger.api.signals.SsfRoutes(issuer, setSigner, ssfTarget, deliveries, dataKeys, addresses, locator,
                        new dev.credledger.api.Forwarder(tls == null ? null : tls.clientContext()),
                        topics.events.valueSerde().deserializer(), deliveryAudit), verificationCounts, s.usage().retention(),
                s.demo());
        Javalin http = LedgerApi.create(backend, s.httpHost(), s.httpPort(), tls).start();
        routes = LedgerApi.routes(http);
        toClose.push(http::stop);
        httpPort = http.port();
        self.set(new HostInfo(advertisedHost, httpPort));

        StreamsSettings streamsSettings = new StreamsSettings(s.applicationId(), bootstrapServers,
                s.dataDir().resolve("streams"), s.replicationFactor(), s.standbyReplicas(), s.streamThreads(),
                advertisedHost + ":" + httpPort, s.instanceId(),
                s.rocksDbMemoryBytes(), s.rocksDbMemoryBytes() / 4);
        LedgerTopology.Settings topologySettings = new LedgerTopology.Settings(
                new Limits(s.maxAllowedIps(), s.maxGracePeriod()), s.idempotencyWindow(), Duration.ofSeconds(1),
                new AuditLogSettings(s.auditLog().name(), auditKey, s.auditLog().checkpointInterval()), s.usage().retention());
        if (s.enforcement().earlyRevocations()) {
            // Registered now, so that no stream thread waits for the registry on the first early revocation.
            registryClient.register(Topics.EARLY_REVOCATIONS + "-value",
                    dev.credledger.events.avro.CredentialRevoked.getClassSchema());
        }
        dev.credledger.processors.topology.EarlyRevocations early = s.enforcement().earlyRevocations()
                ? dev.credledger.processors.topology.EarlyRevocations.kafka(clients.config(java.util.Map.of()),
                        topics.revocations.valueSerde().serializer())
                : dev.credledger.processors.topology.EarlyRevocations.NONE;
        // Closed after Streams (the stack closes in reverse): the stream threads publish until they stop.
        toClose.push(early);
        streams = new KafkaStreams(LedgerTopology.build(topics, new Stores(registryClient), topologySettings, early),
                clients.properties(streamsSettings.toProperties()));
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("Stream thread failed; replacing it", e);
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(meters);
        toClose.push(streamsMetrics);
        KafkaStreams started = streams;
        // Leave the group on close, so a restarted or remaining instance gets the partitions at once
        // instead of after the session timeout.
        toClose.push(() -> started.close(org.apache.kafka.streams.CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP)));
        streams.start();
        streamsRef.set(streams);
        gateway.start();
        deliveries.start();
        // Closed first: new requests get 503, commands in flight get their answers while Streams still runs.
        // A command request waits up to the command timeout, then up to 2 s for the local lookup.
        Duration drainFor = s.commandTimeout().plusSeconds(3);
        toClose.push(() -> {
            int left = drain.drain(drainFor);
            if (left > 0) {
                LOG.warn("Stopping with {} requests still in flight after {}", left, drainFor);
            }
        });
        LOG.info("credledger started: {}", s);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String registryUrl() {
        return registryUrl;
    }

    /**
     * Pauses or resumes usage counting without a restart (when it is on at all): for the benchmark that measures what
     * counting costs the verify path, alternating both in one process.
     */
    public void countVerifications(boolean on) {
        if (verificationCounter != null) {
            verificationCounter.counting(on);
        }
    }

    public String httpUrl() {
        return (tls == null ? "http" : "https") + "://127.0.0.1:" + httpPort;
    }

    /** Every HTTP route as {@code METHOD path}. */
    public java.util.List<String> routes() {
        return routes;
    }

    public int httpPort() {
        return httpPort;
    }

    /** Where this instance keeps its data (embedded broker, Streams state, generated admin key). */
    public java.nio.file.Path dataDir() {
        return dataDir;
    }

    /** Where the generated admin key is, or {@code null} if a key was configured. */
    /** Where the key-encryption keys that seal private salts are read from. */
    public String sealingKeyFile() {
        return sealingKeyFile;
    }

    /** Where the audit signing key is read from. */
    public String auditSigningKeyFile() {
        return auditSigningKeyFile;
    }

    /** The verifier key of the audit logs' checkpoints (C2SP signed-note form). */
    public String auditVerifierKey() {
        return auditKey.verifierKey();
    }

    public String adminKeyFile() {
        return adminKeyFile;
    }

    /** The Streams application, for operational inspection (state, metadata, assignment). */
    public KafkaStreams streams() {
        return streams;
    }

    public KafkaStreams.State streamsState() {
        return streams == null ? null : streams.state();
    }

    @Override
    public void close() {
        while (!toClose.isEmpty()) {
            try {
                toClose.pop().close();
            } catch (Exception e) {
                LOG.warn("Error while stopping", e);
            }
        }
    }

    private static dev.credledger.api.leaks.LeakReportKeys leakReportKeys(Settings.Leaks leaks) {
        if (leaks.reportKeysFile() == null) {
            return null;
        }
        try {
            var keys = dev.credledger.api.leaks.LeakReportKeys.load(leaks.reportKeysFile());
            LOG.info("Leak reports signed by {} key(s) of {} are taken", keys.size(), leaks.reportKeysFile());
            return keys;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--leak-report-keys: cannot read " + leaks.reportKeysFile() + ": " + e.getMessage());
        }
    }

    private static String advertisedHost(String bindHost) {
        if (!"0.0.0.0".equals(bindHost) && !"::".equals(bindHost)) {
            return bindHost;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }
}
