package dev.credledger.app;

import dev.credledger.events.model.Cidr;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code credledger serve}: with no options, the embedded default (broker, schema registry, processors,
 * HTTP API); with {@code --bootstrap-servers} (and {@code --schema-registry-url}), a member of a real cluster.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the ledger. Every option can also be set as the environment variable CREDLEDGER_<OPTION> "
                + "(--http-port -> CREDLEDGER_HTTP_PORT) or in the properties file given by --config (http-port=8080).",
                "Precedence: command line, environment, file, default."})
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--demo", description = "A demo with every feature on: a key for every role (kept in "
            + "<data-dir>/demo-keys.env and printed at every start), a sample account acme, unsigned leak reports, webhooks to "
            + "loopback; its own data directory (" + Demo.DATA_DIR + " unless --data-dir is given); loopback only. Never for production.")
    boolean demo;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", description = "On a start-up failure with a known cause, print the stack trace too.")
    boolean verbose;

    @Option(names = "--config", description = "Properties file with options (keys as option names). Env: CREDLEDGER_CONFIG.")
    Path config;

    @Option(names = "--data-dir", description = "Where the embedded broker, the stores and the admin key live. Default: ${DEFAULT-VALUE}")
    Path dataDir;

    @Option(names = "--http-host", description = "Interface of the HTTP API (0.0.0.0: all). Default: ${DEFAULT-VALUE}")
    String httpHost;

    @Option(names = "--http-port", description = "Port of the HTTP API; 0: any free port. Default: ${DEFAULT-VALUE}")
    int httpPort;

    @Option(names = "--advertised-host", description = "Host name other instances use to reach this one's HTTP API. Default: --http-host, or the host name when binding all interfaces.")
    String advertisedHost;

    @Option(names = "--kafka-port", description = "Port of the embedded broker; 0: any free port. Default: ${DEFAULT-VALUE}")
    int kafkaPort;

    @Option(names = "--registry-port", description = "Port of the embedded schema registry; 0: any free port. Default: ${DEFAULT-VALUE}")
    int registryPort;

    @Option(names = "--bootstrap-servers", description = "An external Kafka cluster instead of the embedded broker.")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "An external Confluent-compatible schema registry instead of the embedded one.")
    String schemaRegistryUrl;

    @Option(names = "--schema-registry-basic-auth", description = "user:password for the external registry.")
    String registryBasicAuth;

    @Option(names = "--schema-registry-basic-auth-file", paramLabel = "FILE", description = "The same user:password from an owner-only file (one line).")
    String registryBasicAuthFile;

    @Option(names = "--application-id", description = "Kafka Streams application ID; instances sharing it share the work. Default: ${DEFAULT-VALUE}")
    String applicationId;

    @Option(names = "--instance-id", description = "Stable, unique ID of this instance (Kafka static membership): a restart takes its partitions back at once, without a rebalance. Never share one between instances. Default: none (dynamic membership).")
    String instanceId;

    @Option(names = "--partitions", description = "Partitions of topics the ledger creates. Default: ${DEFAULT-VALUE}")
    int partitions;

    @Option(names = "--replication-factor", description = "Replication of topics the ledger creates. Default: ${DEFAULT-VALUE}")
    short replicationFactor;

    @Option(names = "--standby-replicas", description = "Warm standby copies of each store. Default: ${DEFAULT-VALUE}")
    int standbyReplicas;

    @Option(names = "--stream-threads", description = "Kafka Streams threads of this instance: more for throughput, one for the lowest tail latency. Default: ${DEFAULT-VALUE}")
    int streamThreads;

    @Option(names = "--command-timeout", description = "How long a command waits for its result before 503. Default: ${DEFAULT-VALUE}")
    String commandTimeout;

    @Option(names = "--trusted-proxies", description = "Comma-separated addresses/CIDRs whose X-Forwarded-For is believed. Default: none")
    String trustedProxies;

    @Option(names = "--admin-token", description = "Bearer key of the admin role. Env: CREDLEDGER_ADMIN_TOKEN. Embedded default without one: generated into <data-dir>/admin.key.")
    String adminToken;

    @Option(names = "--auditor-token", description = "Bearer key of the auditor role. Env: CREDLEDGER_AUDITOR_TOKEN.")
    String auditorToken;

    @Option(names = "--verifier-token", description = "Bearer key of the verifier role. Env: CREDLEDGER_VERIFIER_TOKEN.")
    String verifierToken;

    @Option(names = "--signer-token", description = "Bearer key of the signer role (webhook MACs). Env: CREDLEDGER_SIGNER_TOKEN.")
    String signerToken;

    @Option(names = "--sealing-key-file", description = "Key-encryption keys that seal private salts (mode 0600; one base64 key per line, the first wraps). Embedded default without one: generated into <data-dir>/sealing.key. Required with --bootstrap-servers.")
    String sealingKeyFile;

    @Option(names = "--max-allowed-ips", description = "Allow-list entries per account+environment. Default: ${DEFAULT-VALUE}")
    int maxAllowedIps;

    @Option(names = "--max-grace-period", description = "Longest grace period of a refreshed token. Default: ${DEFAULT-VALUE}")
    String maxGracePeriod;

    @Option(names = "--idempotency-window", description = "How long a command ID is remembered. Default: ${DEFAULT-VALUE}")
    String idempotencyWindow;

    @Option(names = "--revocation-retention", description = "Retention of credential-revocations when the ledger creates it. Default: ${DEFAULT-VALUE}")
    String revocationRetention;

    @Option(names = "--rocksdb-memory", description = "Off-heap bound of all RocksDB stores together (k, m, g). Default: ${DEFAULT-VALUE}")
    String rocksDbMemory;

    @Option(names = "--enforcement-stale-after", description = "An enforcement point silent this long is stale: listed as such, never pending. Default: ${DEFAULT-VALUE}")
    String enforcementStaleAfter;

    @Option(names = "--enforcement-alert-after", description = "A revocation not effective at every live enforcement point this long after it was issued is counted in credledger_enforcement_late_revocations_total. Default: ${DEFAULT-VALUE}")
    String enforcementAlertAfter;

    @Option(names = "--usage-retention", description = "How long hourly verification counts (GET .../credentials/{id}/usage) are kept. Default: ${DEFAULT-VALUE}")
    String usageRetention;

    @Option(names = "--usage-analytics", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Count every verification outcome per credential in hourly windows. Default: on; --no-usage-analytics turns it off.")
    boolean usageAnalytics;

    @Option(names = "--early-revocations", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Publish each revocation on credential-revocations-early the moment it is decided, a commit ahead of credential-revocations (revocation clients apply whichever comes first). Default: on; --no-early-revocations turns it off.")
    boolean earlyRevocations;

    @Option(names = "--audit-signing-key", description = "Ed25519 private key (PKCS#8 PEM, mode 0600) that signs the audit logs' checkpoints; every instance needs the same. Embedded default without one: generated into <data-dir>/audit-signing.pem. Required with --bootstrap-servers.")
    String auditSigningKey;

    @Option(names = "--audit-log-name", description = "Name of the audit logs and of their signing key: log p has origin <name>/<p>. A schema-less URL unique to this deployment, without spaces or '+'. Default: ${DEFAULT-VALUE}")
    String auditLogName;

    @Option(names = "--checkpoint-interval", description = "An audit log that grew gets a signed checkpoint at most this often. Default: ${DEFAULT-VALUE}")
    String checkpointInterval;

    @Option(names = "--scanner-token", description = "Bearer key of the scanner role: it may only report leaked secrets (POST /v1/leaks). Env: CREDLEDGER_SCANNER_TOKEN.")
    String scannerToken;

    @Option(names = "--leak-report-keys", description = "Public keys that may sign leak reports, in GitHub's format ({\"public_keys\":[{\"key_identifier\",\"key\"}]}, as https://api.github.com/meta/public_keys/secret_scanning serves it). A report signed by one of them needs no bearer key.")
    String leakReportKeys;

    @Option(names = "--leak-reports-unsigned", description = "allow: take unsigned leak reports from the scanner or admin key; refuse: 401. Default: ${DEFAULT-VALUE}")
    String leakReportsUnsigned;

    @Option(names = "--stream-heartbeat", description = "A revocation stream (GET /v1/revocations/stream) quiet this long gets a comment line. Default: ${DEFAULT-VALUE}")
    String streamHeartbeat;

    @Option(names = "--verify-failure-rate", description = "Failed verifications per second allowed per caller key and per presented source address, beyond the burst (then 429). Default: ${DEFAULT-VALUE}")
    long verifyFailureRate;

    @Option(names = "--webhooks-allow-private-addresses", arity = "0..1", fallbackValue = "true",
            description = "Let webhooks reach loopback, private and link-local addresses, and plain http (development and tests only). Default: ${DEFAULT-VALUE}")
    boolean webhooksAllowPrivateAddresses;

    @Option(names = "--delivery-attempts", description = "Attempts per webhook message before it is given up on. Default: ${DEFAULT-VALUE}")
    int deliveryAttempts;

    @Option(names = "--delivery-backoff", description = "Wait before a webhook message's second attempt; each later wait doubles (jittered, at most 15 min). Default: ${DEFAULT-VALUE}")
    String deliveryBackoff;

    @Option(names = "--verify-failure-burst", description = "Failed verifications allowed at once per caller key and per source address. Default: ${DEFAULT-VALUE}")
    long verifyFailureBurst;

    @Option(names = "--admin-token-file", description = "Read the admin role's key from this file (owner-only), as a mounted secret. Env: CREDLEDGER_ADMIN_TOKEN_FILE.")
    String adminTokenFile;

    @Option(names = "--auditor-token-file", description = "Read the auditor role's key from this file (owner-only). Env: CREDLEDGER_AUDITOR_TOKEN_FILE.")
    String auditorTokenFile;

    @Option(names = "--verifier-token-file", description = "Read the verifier role's key from this file (owner-only). Env: CREDLEDGER_VERIFIER_TOKEN_FILE.")
    String verifierTokenFile;

    @Option(names = "--signer-token-file", description = "Read the signer role's key from this file (owner-only). Env: CREDLEDGER_SIGNER_TOKEN_FILE.")
    String signerTokenFile;

    @Option(names = "--scanner-token-file", description = "Read the scanner role's key from this file (owner-only). Env: CREDLEDGER_SCANNER_TOKEN_FILE.")
    String scannerTokenFile;

    @Option(names = "--receiver-tokens", paramLabel = "NAME=KEY,...", description = "Shared Signals receivers and their bearer keys (acme-idp=KEY1,partner=KEY2): each manages and polls its own streams. Prefer the environment (CREDLEDGER_RECEIVER_TOKENS) or --receiver-tokens-file.")
    String receiverTokens;

    @Option(names = "--receiver-tokens-file", paramLabel = "FILE", description = "The same NAME=KEY pairs, one per line, from an owner-only file.")
    String receiverTokensFile;

    @Option(names = "--ssf-issuer", description = "The Shared Signals issuer URL (no path), as receivers reach this ledger. Default: this instance's own address.")
    String ssfIssuer;

    @Option(names = "--ssf-signing-key", paramLabel = "FILE", description = "The EC P-256 key (PKCS#8 PEM, owner-only) that signs Security Event Tokens. Default: generated into the data directory (embedded default only).")
    String ssfSigningKey;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "A Kafka client property for every client of the ledger (security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512, ...); repeatable. Values holding secrets belong in --kafka-properties.")
    java.util.Map<String, String> kafkaProperty = new java.util.LinkedHashMap<>();

    @Option(names = "--kafka-properties", paramLabel = "FILE", description = "A Kafka client properties file (owner-only: it may hold sasl.jaas.config) for every client of the ledger; --kafka-property entries win. Env: CREDLEDGER_KAFKA_PROPERTIES.")
    String kafkaPropertiesFile;

    @Option(names = "--tls-cert", description = "Serve the HTTP API over TLS (1.2 and 1.3 only) with this PEM certificate chain, server certificate first; give --tls-key too. Env: CREDLEDGER_TLS_CERT.")
    String tlsCert;

    @Option(names = "--tls-key", description = "The unencrypted PKCS#8 PEM private key of --tls-cert (mode 0600). Env: CREDLEDGER_TLS_KEY.")
    String tlsKey;

    @Override
    public Integer call() throws Exception {
        Demo.Keys demoKeys = null;
        if (demo) {
            if (!spec.commandLine().getParseResult().hasMatchedOption("--data-dir") && System.getenv("CREDLEDGER_DATA_DIR") == null) {
                dataDir = Path.of(Demo.DATA_DIR);
            }
            if (!java.net.InetAddress.getByName(httpHost).isLoopbackAddress()) {
                System.err.println("credledger serve: a demo listens on loopback only (--http-host " + httpHost
                        + " is not): its keys are printed and its leak reports unsigned");
                return 2;
            }
        }
        Settings settings = settings();
        String unusable = unusableDataDir(settings.dataDir());
        if (unusable != null) {
            System.err.println("credledger serve: " + unusable);
            return 2;
        }
        if (demo) {
            demoKeys = Demo.keys(settings.dataDir());
            settings = Demo.apply(settings, demoKeys);
        }
        long started = System.nanoTime();
        LedgerApplication app;
        try {
            app = LedgerApplication.start(settings);
        } catch (RuntimeException e) {
            String inUse = addressInUse(e);
            if (inUse == null) {
                throw e;
            }
            if (verbose) {
                e.printStackTrace();
            }
            // A known cause gets one line that names it and the fix, not a stack trace.
            System.err.println("credledger serve: cannot listen on " + inUse + ": the address is already in "
                    + "use (another credledger, or another program). Stop it, or choose other ports: --http-port, "
                    + "--kafka-port, --registry-port (0 picks a free one).");
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        long pid = ProcessHandle.current().pid();
        Path data = settings.dataDir();
        // The hook first: whatever fails from here on, the ledger still stops cleanly.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            app.close();
            LocalLedger.removeFrom(data, pid);
            stopped.countDown();
        }));
        new LocalLedger(pid, app.httpUrl(), app.bootstrapServers(), app.registryUrl(), java.time.Instant.now().toString(),
                Main.VERSION, demo).writeTo(data);
        System.out.println(demo ? "credledger is starting: DEMO (never for production: keys printed below, unsigned leak"
                + " reports, webhooks to loopback)" : "credledger is starting");
        System.out.println("  HTTP API         " + app.httpUrl());
        System.out.println("  API reference    " + app.httpUrl() + "/docs");
        System.out.println("  Audit console    " + app.httpUrl() + "/console/");
        System.out.println("  Schema registry  " + app.registryUrl());
        System.out.println("  Kafka bootstrap  " + app.bootstrapServers());
        System.out.println("  Data             " + settings.dataDir().toAbsolutePath().normalize());
        System.out.println("  Sealing key      " + app.sealingKeyFile() + "  (seals private salts: back it up, keep it secret)");
        System.out.println("  Audit key        " + app.auditSigningKeyFile() + "  (signs audit checkpoints; its public key: "
                + app.httpUrl() + "/v1/audit/verifier-key)");
        if (app.adminKeyFile() != null) {
            System.out.println("  Admin key        " + app.adminKeyFile() + "  (send it as: Authorization: Bearer <key>)");
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (app.streamsState() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        if (demo) {
            System.out.println("  Metrics          " + app.httpUrl() + "/metrics");
            System.out.println("  Demo keys        " + settings.dataDir().resolve(Demo.KEYS_FILE).toAbsolutePath().normalize()
                    + "  (source it: set -a; . " + settings.dataDir().resolve(Demo.KEYS_FILE) + "; set +a)");
            demoKeys.byVariable().forEach((variable, key) -> System.out.printf("    %-28s %s%n", variable, key));
            if (demoKeys.created() && app.streamsState() == KafkaStreams.State.RUNNING) {
                try {
                    Demo.seed(app.httpUrl(), demoKeys);
                    System.out.println("  Sample account   acme (sandbox: API access, client credentials billing-sync and"
                            + " ci-runner, a compromised refresh, a leak report)");
                } catch (java.io.IOException e) {
                    System.err.println("credledger serve --demo: the sample account could not be made: " + e.getMessage());
                }
            }
        }
        System.out.printf("credledger is %s (%.1f s)%n", app.streamsState() == KafkaStreams.State.RUNNING ? "ready"
                : "not ready yet: " + app.streamsState(), (System.nanoTime() - started) / 1e9);
        System.out.flush();
        stopped.await();
        return 0;
    }

    /**
     * Why {@code dataDir} cannot be this ledger's, in one line that names the fix, or {@code null}: another ledger
     * runs on it (its {@code credledger.json} names a live process), or it cannot be created or written.
     */
    static String unusableDataDir(Path dataDir) {
        var other = LocalLedger.read(dataDir).filter(LocalLedger::running)
                .filter(l -> l.pid() != ProcessHandle.current().pid());
        if (other.isPresent()) {
            return "the data directory " + dataDir + " is in use by another ledger (process " + other.get().pid() + ", "
                    + other.get().httpUrl() + "): stop it (./credledger stop --data-dir " + dataDir + ") or choose another"
                    + " --data-dir";
        }
        try {
            java.nio.file.Files.createDirectories(dataDir);
        } catch (java.io.IOException | SecurityException e) {
            return "cannot create the data directory " + dataDir + " (" + e.getClass().getSimpleName() + "): choose a"
                    + " writable one with --data-dir";
        }
        if (!java.nio.file.Files.isWritable(dataDir)) {
            return "the data directory " + dataDir + " is not writable by this user: fix its permissions or choose another"
                    + " with --data-dir";
        }
        return null;
    }

    /** The address a start-up failed to bind (host:port, or "a port" when no message names it), or {@code null}. */
    static String addressInUse(Throwable failure) {
        boolean bind = false;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage();
            bind |= t instanceof java.net.BindException || message.contains("Address already in use");
        }
        if (!bind) {
            return null;
        }
        java.util.regex.Pattern address = java.util.regex.Pattern.compile("((?:\\d{1,3}\\.){3}\\d{1,3}|localhost|\\[[0-9a-fA-F:]+\\]|"
                + "0\\.0\\.0\\.0):(\\d{1,5})");
        for (Throwable t = failure; t != null; t = t.getCause()) {
            java.util.regex.Matcher m = address.matcher(t.getMessage() == null ? "" : t.getMessage());
            if (m.find()) {
                return m.group();
            }
        }
        return "a port";
    }

    Settings settings() {
        List<Cidr> proxies = new ArrayList<>();
        if (trustedProxies != null) {
            for (String entry : trustedProxies.split(",")) {
                if (!entry.isBlank()) {
                    proxies.add(Cidr.parse(entry).orElseThrow(() -> new CommandLine.ParameterException(
                            new CommandLine(this), "--trusted-proxies: not an address or CIDR block: " + entry.strip())));
                }
            }
        }
        return new Settings(dataDir, httpHost, httpPort, blankToNull(advertisedHost), blankToNull(bootstrapServers),
                kafkaPort, blankToNull(schemaRegistryUrl), registryPort,
                key("--schema-registry-basic-auth", registryBasicAuth, registryBasicAuthFile), applicationId,
                blankToNull(instanceId), partitions, replicationFactor, standbyReplicas, streamThreads, duration("--command-timeout", commandTimeout), proxies,
                key("--admin-token", adminToken, adminTokenFile), key("--auditor-token", auditorToken, auditorTokenFile),
                key("--verifier-token", verifierToken, verifierTokenFile), maxAllowedIps,
                duration("--max-grace-period", maxGracePeriod), duration("--idempotency-window", idempotencyWindow),
                duration("--revocation-retention", revocationRetention), bytes(rocksDbMemory), key("--signer-token", signerToken, signerTokenFile),
                blankToNull(sealingKeyFile) == null ? null : Path.of(sealingKeyFile.strip()),
                new Settings.Enforcement(duration("--enforcement-stale-after", enforcementStaleAfter),
                        duration("--enforcement-alert-after", enforcementAlertAfter), earlyRevocations),
                new Settings.AuditLog(blankToNull(auditSigningKey) == null ? null : Path.of(auditSigningKey.strip()),
                        auditLogName.strip(), duration("--checkpoint-interval", checkpointInterval)),
                new Settings.Leaks(key("--scanner-token", scannerToken, scannerTokenFile),
                        blankToNull(leakReportKeys) == null ? null : Path.of(leakReportKeys.strip()),
                        allowOrRefuse("--leak-reports-unsigned", leakReportsUnsigned)),
                duration("--stream-heartbeat", streamHeartbeat),
                new dev.credledger.api.verify.FailureLimiter.Limits(verifyFailureRate, verifyFailureBurst,
                        dev.credledger.api.verify.FailureLimiter.Limits.DEFAULT.trackedSources()),
                tls(), kafkaProperties(),
                new dev.credledger.api.delivery.DeliveryPolicy(webhooksAllowPrivateAddresses, deliveryAttempts,
                        duration("--delivery-backoff", deliveryBackoff)),
                new Settings.Signals(receivers(), blankToNull(ssfIssuer),
                        blankToNull(ssfSigningKey) == null ? null : Path.of(ssfSigningKey.strip())),
                new Settings.Usage(duration("--usage-retention", usageRetention), usageAnalytics,
                        Settings.Usage.DEFAULT.flushInterval()), false);
    }

    /** {@code 500ms}, {@code 10s}, {@code 5m}, {@code 24h}, {@code 30d}, or ISO-8601 ({@code PT10S}). */
    static Duration duration(String option, String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("p")) {
                return Duration.parse(value.strip().toUpperCase(Locale.ROOT));
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            return switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(option + ": not a duration: " + value + " (e.g. 10s, 5m, 24h, 30d)");
        }
    }

    /**
     * A role key given as a value or as a file (a mounted secret, readable by its owner only; one line), never both:
     * keys need never be on a command line, where {@code ps} shows them.
     */
    static String key(String option, String value, String file) {
        String direct = blankToNull(value);
        String path = blankToNull(file);
        if (path == null) {
            return direct;
        }
        if (direct != null) {
            throw new IllegalArgumentException("give " + option + " or " + option + "-file, not both");
        }
        Path p = Path.of(path);
        dev.credledger.events.sealing.OwnerOnly.check(p, option + "-file");
        try {
            String key = java.nio.file.Files.readString(p).strip();
            if (key.isEmpty() || key.contains("\n")) {
                throw new IllegalArgumentException(option + "-file: the file must hold the key on one line");
            }
            return key;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(option + "-file: cannot read " + p + ": " + e.getMessage());
        }
    }

    /** {@code --receiver-tokens} (or its file: one pair per line): receiver names and their keys. */
    private java.util.Map<String, String> receivers() {
        String pairs = blankToNull(receiverTokens);
        String file = blankToNull(receiverTokensFile);
        if (file != null) {
            if (pairs != null) {
                throw new IllegalArgumentException("give --receiver-tokens or --receiver-tokens-file, not both");
            }
            Path p = Path.of(file);
            dev.credledger.events.sealing.OwnerOnly.check(p, "--receiver-tokens-file");
            try {
                pairs = String.join(",", java.nio.file.Files.readAllLines(p).stream().map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList());
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--receiver-tokens-file: cannot read " + p + ": " + e.getMessage());
            }
        }
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        if (pairs != null) {
            for (String pair : pairs.split(",")) {
                int eq = pair.indexOf('=');
                if (pair.isBlank()) {
                    continue;
                }
                if (eq <= 0 || eq == pair.length() - 1) {
                    throw new IllegalArgumentException("--receiver-tokens: each entry is NAME=KEY");
                }
                if (out.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip()) != null) {
                    throw new IllegalArgumentException("--receiver-tokens: a receiver is named twice");
                }
            }
        }
        return out;
    }

    private java.util.Map<String, String> kafkaProperties() {
        return kafkaProperties(kafkaPropertiesFile, kafkaProperty);
    }

    /** The deployment's Kafka client properties: the file's (owner-only: it may hold a password), then the options'. */
    static java.util.Map<String, String> kafkaProperties(String kafkaPropertiesFile, java.util.Map<String, String> kafkaProperty) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        String file = blankToNull(kafkaPropertiesFile);
        if (file != null) {
            Path path = Path.of(file);
            dev.credledger.events.sealing.OwnerOnly.check(path, "--kafka-properties file");
            java.util.Properties p = new java.util.Properties();
            try (java.io.Reader reader = java.nio.file.Files.newBufferedReader(path)) {
                p.load(reader);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--kafka-properties: cannot read " + path + ": " + e.getMessage());
            }
            p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k).strip()));
        }
        if (kafkaProperty != null) {
            out.putAll(kafkaProperty);
        }
        return out;
    }

    private Settings.Tls tls() {
        String cert = blankToNull(tlsCert);
        String key = blankToNull(tlsKey);
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("give --tls-cert and --tls-key together (or neither, for plain HTTP)");
        }
        return cert == null ? null : new Settings.Tls(Path.of(cert), Path.of(key));
    }

    private static boolean allowOrRefuse(String option, String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "allow" -> true;
            case "refuse" -> false;
            default -> throw new IllegalArgumentException(option + ": allow or refuse, not " + value);
        };
    }

    static long bytes(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        long unit = switch (v.charAt(v.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        return Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1)) * unit;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
