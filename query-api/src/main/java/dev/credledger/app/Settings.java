package dev.credledger.app;

import dev.credledger.events.model.Cidr;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the ledger is configured with, resolved and validated once (see {@link ServeCommand} for
 * where each value comes from).
 *
 * @param bootstrapServers an external Kafka cluster, or {@code null} for the embedded broker
 * @param schemaRegistryUrl an external registry, or {@code null} to run the embedded one
 * @param instanceId stable, unique per instance for static group membership, or {@code null}
 * @param adminToken bearer key of the admin role, or {@code null} to generate one (embedded default only)
 * @param signerToken bearer key of the signer role (webhook MACs), or {@code null}
 * @param streamHeartbeat a Server-Sent-Events stream quiet this long gets a comment line
 * @param deliveries how webhook deliveries are retried and where they may go
 * @param sealingKeyFile the key-encryption keys that seal private salts, or {@code null} to generate a file in the
 *     data directory (embedded default only)
 */
public record Settings(
        Path dataDir,
        String httpHost,
        int httpPort,
        String advertisedHost,
        String bootstrapServers,
        int kafkaPort,
        String schemaRegistryUrl,
        int registryPort,
        String registryBasicAuth,
        String applicationId,
        String instanceId,
        int partitions,
        short replicationFactor,
        int standbyReplicas,
        int streamThreads,
        Duration commandTimeout,
        List<Cidr> trustedProxies,
        String adminToken,
        String auditorToken,
        String verifierToken,
        int maxAllowedIps,
        Duration maxGracePeriod,
        Duration idempotencyWindow,
        Duration revocationRetention,
        long rocksDbMemoryBytes,
        String signerToken,
        Path sealingKeyFile,
        Enforcement enforcement,
        AuditLog auditLog,
        Leaks leaks,
        Duration streamHeartbeat,
        dev.credledger.api.verify.FailureLimiter.Limits verifyFailures,
        Tls tls,
        java.util.Map<String, String> kafkaProperties,
        dev.credledger.api.delivery.DeliveryPolicy deliveries,
        Signals signals,
        Usage usage,
        boolean demo) {

    /**
     * Usage analytics: every verification outcome counted per credential in hourly windows.
     *
     * @param retention how long the hourly counts are kept
     * @param counting whether verifications are counted at all ({@code --no-usage-analytics}: off)
     * @param flushInterval how often each instance writes what it counted to {@code credential-verifications}
     */
    public record Usage(Duration retention, boolean counting, Duration flushInterval) {
        public static final Usage DEFAULT = new Usage(Duration.ofDays(90), true, Duration.ofSeconds(5));

        public Usage {
            if (retention.compareTo(Duration.ofHours(1)) < 0) {
                throw new IllegalArgumentException("--usage-retention is at least 1h");
            }
            if (flushInterval.isNegative() || flushInterval.isZero()) {
                throw new IllegalArgumentException("the usage flush interval must be positive");
            }
        }
    }

    /**
     * The Shared Signals transmitter.
     *
     * @param receiverTokens each receiver's name and bearer key
     * @param issuer the transmitter's issuer URL (no path), or {@code null} for this instance's own address
     * @param signingKeyFile the EC P-256 key that signs SETs, or {@code null} to generate one into the data directory
     *     (embedded default only)
     */
    public record Signals(java.util.Map<String, String> receiverTokens, String issuer, Path signingKeyFile) {
        public static final Signals DEFAULT = new Signals(java.util.Map.of(), null, null);

        public Signals {
            receiverTokens = java.util.Map.copyOf(receiverTokens);
            for (String name : receiverTokens.keySet()) {
                if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
                    throw new IllegalArgumentException("--receiver-tokens: a receiver name is 1-64 of A-Z a-z 0-9 . _ -");
                }
            }
            if (issuer != null) {
                java.net.URI uri = java.net.URI.create(issuer);
                if (uri.getScheme() == null || uri.getHost() == null || (uri.getPath() != null && !uri.getPath().isEmpty())
                        || uri.getQuery() != null || uri.getFragment() != null) {
                    throw new IllegalArgumentException("--ssf-issuer is a URL with a scheme and a host and no path, query or fragment");
                }
            }
        }
    }

    /**
     * TLS on the HTTP API: a PEM certificate chain (server certificate first) and its unencrypted PKCS#8 PEM key (mode
     * 0600). {@code null} in settings: plain HTTP.
     */
    public record Tls(Path certFile, Path keyFile) {
        public Tls {
            Objects.requireNonNull(certFile, "--tls-cert");
            Objects.requireNonNull(keyFile, "--tls-key");
        }
    }

    /**
     * Leak reports from secret scanners ({@code POST /v1/leaks}).
     *
     * @param scannerToken bearer key of the scanner role, or {@code null}
     * @param reportKeysFile the public keys reports may be signed with (GitHub's key-list format), or {@code null}
     * @param unsignedAllowed whether a report without a signature is taken from a scanner or admin key
     */
    public record Leaks(String scannerToken, Path reportKeysFile, boolean unsignedAllowed) {
        public static final Leaks DEFAULT = new Leaks(null, null, false);
    }

    /**
     * The provable audit logs.
     *
     * @param signingKeyFile the Ed25519 key (PKCS#8 PEM) that signs checkpoints, or {@code null} to generate one into
     *     the data directory (embedded default only)
     * @param name the logs' name: origins are {@code <name>/<partition>}, and the key is named so
     * @param checkpointInterval a log that grew is checkpointed at most this often
     */
    public record AuditLog(Path signingKeyFile, String name, Duration checkpointInterval) {
        public static final AuditLog DEFAULT = new AuditLog(null, "credledger.local/audit", Duration.ofMinutes(1));

        public AuditLog {
            Objects.requireNonNull(name, "name");
            if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
                throw new IllegalArgumentException("--checkpoint-interval must be positive");
            }
        }
    }

    /**
     * How the ledger judges enforcement points.
     *
     * @param staleAfter a point silent this long is stale: listed as such, never pending
     * @param alertAfter a revocation not effective at every live point this long after it was issued is counted late
     * @param earlyRevocations whether each revocation is also published on {@code credential-revocations-early} the
     *     moment it is decided, a commit ahead of the record (see {@code EarlyRevocations})
     */
    public record Enforcement(Duration staleAfter, Duration alertAfter, boolean earlyRevocations) {
        public static final Enforcement DEFAULT = new Enforcement(Duration.ofSeconds(30), Duration.ofSeconds(5), true);

        public Enforcement(Duration staleAfter, Duration alertAfter) {
            this(staleAfter, alertAfter, true);
        }

        public Enforcement {
            if (!staleAfter.isPositive() || !alertAfter.isPositive()) {
                throw new IllegalArgumentException("--enforcement-stale-after and --enforcement-alert-after must be positive");
            }
        }
    }

    public Settings {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(httpHost, "httpHost");
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(enforcement, "enforcement");
        Objects.requireNonNull(auditLog, "auditLog");
        Objects.requireNonNull(leaks, "leaks");
        Objects.requireNonNull(verifyFailures, "verifyFailures");
        Objects.requireNonNull(deliveries, "deliveries");
        Objects.requireNonNull(signals, "signals");
        kafkaProperties = java.util.Map.copyOf(kafkaProperties);
        if (streamHeartbeat == null || !streamHeartbeat.isPositive()) {
            throw new IllegalArgumentException("--stream-heartbeat must be positive");
        }
        trustedProxies = List.copyOf(trustedProxies);
        requirePort("http port", httpPort);
        requirePort("kafka port", kafkaPort);
        requirePort("registry port", registryPort);
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1");
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replication factor must be at least 1");
        }
        if (bootstrapServers != null && schemaRegistryUrl == null) {
            // An embedded registry per instance would each know only the schemas it registered itself.
            throw new IllegalArgumentException("with --bootstrap-servers, also give --schema-registry-url: "
                    + "instances on a shared cluster must share one schema registry");
        }
        if (streamThreads < 1) {
            throw new IllegalArgumentException("stream threads must be at least 1");
        }
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("command timeout must be positive");
        }
    }

    /** Whether this process runs its own broker. */
    public boolean embeddedKafka() {
        return bootstrapServers == null;
    }

    /** Whether this process runs its own schema registry. */
    public boolean embeddedRegistry() {
        return schemaRegistryUrl == null;
    }

    /** Defaults for one local instance with everything embedded, under {@code dataDir}. */
    public static Settings embedded(Path dataDir, int httpPort, int kafkaPort, int registryPort) {
        return new Settings(dataDir, "127.0.0.1", httpPort, null, null, kafkaPort, null, registryPort, null,
                "credledger", null, 3, (short) 1, 0, 1, Duration.ofSeconds(10), List.of(), null, null, null, 100,
                Duration.ofHours(24), Duration.ofHours(24), Duration.ofDays(30), 256L << 20, null, null, Enforcement.DEFAULT, AuditLog.DEFAULT,
                Leaks.DEFAULT, Duration.ofSeconds(15), dev.credledger.api.verify.FailureLimiter.Limits.DEFAULT, null,
                java.util.Map.of(), dev.credledger.api.delivery.DeliveryPolicy.DEFAULT, Signals.DEFAULT, Usage.DEFAULT, false);
    }

    public Settings withTokens(String admin, String auditor, String verifier) {
        return with("adminToken", admin, "auditorToken", auditor, "verifierToken", verifier);
    }

    public Settings withCommandTimeout(Duration timeout) {
        return with("commandTimeout", timeout);
    }

    public Settings withTrustedProxies(List<Cidr> proxies) {
        return with("trustedProxies", proxies);
    }

    public Settings withSigning(String signer, Path keyFile) {
        return with("signerToken", signer, "sealingKeyFile", keyFile);
    }

    public Settings withExternal(String bootstrap, String registryUrl) {
        return with("bootstrapServers", bootstrap, "schemaRegistryUrl", registryUrl);
    }

    public Settings withReplicationFactor(short value) {
        return with("replicationFactor", value);
    }

    public Settings withRegistryBasicAuth(String userInfo) {
        return with("registryBasicAuth", userInfo);
    }

    public Settings withEnforcement(Enforcement value) {
        return with("enforcement", value);
    }

    public Settings withAuditLog(AuditLog value) {
        return with("auditLog", value);
    }

    public Settings withLeaks(Leaks value) {
        return with("leaks", value);
    }

    public Settings withVerifyFailures(dev.credledger.api.verify.FailureLimiter.Limits value) {
        return with("verifyFailures", value);
    }

    public Settings withKafkaProperties(java.util.Map<String, String> value) {
        return with("kafkaProperties", value);
    }

    public Settings withTls(Tls value) {
        return with("tls", value);
    }

    public Settings withDeliveries(dev.credledger.api.delivery.DeliveryPolicy value) {
        return with("deliveries", value);
    }

    public Settings withUsage(Usage value) {
        return with("usage", value);
    }

    public Settings withSignals(Signals value) {
        return with("signals", value);
    }

    /** {@code serve --demo}: said in the banner and in {@code /health/ready}. */
    public Settings withDemo() {
        return with("demo", true);
    }

    public Settings withStreamHeartbeat(Duration value) {
        return with("streamHeartbeat", value);
    }

    /**
     * A copy with components replaced (name, value, name, value, …), validated once, as a whole, by the canonical
     * constructor: the typed {@code with…} methods above go through here, so a new component needs no change to each.
     */
    private Settings with(Object... namesAndValues) {
        java.util.Map<String, Object> replaced = new java.util.HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            replaced.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        RecordComponent[] components = Settings.class.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        try {
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                String name = components[i].getName();
                values[i] = replaced.containsKey(name) ? replaced.remove(name) : components[i].getAccessor().invoke(this);
            }
            if (!replaced.isEmpty()) {
                throw new IllegalArgumentException("no setting " + replaced.keySet());
            }
            return Settings.class.getDeclaredConstructor(types).newInstance(values);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot copy the settings", e);
        }
    }

    @Override
    public String toString() {
        // Tokens are secrets: never in a log line.
        return "Settings[dataDir=" + dataDir + ", http=" + httpHost + ":" + httpPort
                + ", kafka=" + (embeddedKafka() ? "embedded:" + kafkaPort : bootstrapServers)
                + ", registry=" + (embeddedRegistry() ? "embedded:" + registryPort : schemaRegistryUrl)
                + ", applicationId=" + applicationId + ", partitions=" + partitions + ", replicationFactor="
                + replicationFactor + "]";
    }

    private static void requirePort(String what, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(what + " must be 0..65535 (0: any free port), was " + port);
        }
    }
}
