package dev.credledger.bench;

import dev.credledger.app.LedgerApplication;
import dev.credledger.app.Settings;
import dev.credledger.events.avro.CredentialEvent;
import dev.credledger.events.mapping.AvroToDomain;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Actor;
import dev.credledger.events.model.Channel;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.secret.IssuedSecret;
import dev.credledger.events.secret.SecretFormat;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.domain.CommandMetadata;
import dev.credledger.processors.domain.InMemoryLedgerState;
import dev.credledger.processors.domain.Ledger;
import dev.credledger.processors.topology.Topics;
import dev.credledger.processors.wire.CommandCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Runs the ledger on its embedded default (real in-process broker, registry, Streams, HTTP) and measures
 * each quality bar of DESIGN.md §5 that can be measured here, next to a baseline from the same run.
 * Every loop is bounded. Usage: {@code bench/run.sh [commands] [accounts]}.
 */
public final class Benchmarks {

    static final String ADMIN = "bench-admin";
    static final String VERIFIER = "bench-verifier";
    static final String SIGNER = "bench-signer";

    /** Loaders' progress lines, on stderr, only for someone watching a terminal (Linux: fd 2 is a tty). */
    static final boolean PROGRESS = dev.credledger.app.Terminal.stderr();

    final int commandCount;
    final int accountCount;
    /** Replaced by {@link #restart}. */
    LedgerApplication app;
    final Path dir;
    private Settings settings;
    final Topics topics;
    final KafkaProducer<String, byte[]> producer;
    final SecretFormat secrets = new SecretFormat();
    final List<String> activeTokens = new ArrayList<>();
    final List<AccountId> accounts = new ArrayList<>();
    final Map<AccountId, dev.credledger.events.model.SecretRef> tokens = new java.util.HashMap<>();

    Benchmarks(int commandCount, int accountCount, Path dir) {
        this.commandCount = commandCount;
        this.accountCount = accountCount;
        this.dir = dir;
        this.settings = Settings.embedded(dir, 0, 0, 0).withTokens(ADMIN, null, VERIFIER)
                .withSigning(SIGNER, null).withLeaks(new Settings.Leaks(null, null, true));
        this.app = LedgerApplication.start(settings);
        // Registry writes need the admin key (the serializer registers the command schema on first use).
        this.topics = new Topics(new SchemaRegistryClient(new SchemaRegistryClient.Settings(
                java.net.URI.create(app.registryUrl()), "bench:" + ADMIN, null, java.time.Duration.ofSeconds(10))));
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, app.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024), new StringSerializer(), new ByteArraySerializer());
    }

    public static void main(String[] args) throws Exception {
        int commands = args.length > 0 ? Integer.parseInt(args[0]) : 30_000;
        int accounts = args.length > 1 ? Integer.parseInt(args[1]) : 3_000;
        String only = args.length > 2 ? args[2] : "all";
        Path dir = Files.createTempDirectory("credledger-bench-");
        Report report = new Report();
        report.line("machine: " + Runtime.getRuntime().availableProcessors() + " cores, JDK "
                + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        Benchmarks b = new Benchmarks(commands, accounts, dir);
        try {
            awaitRunning(b.app);
            if (only.equals("scale") || only.equals("scale-quick")) {
                ScaleRun.run(b, report, only.equals("scale-quick"));
            } else {
                modes(b, report, only);
            }
        } finally {
            b.producer.close();
            b.app.close();
        }
        report.print();
        System.exit(0);
    }

    /**
     * Sends an account's history: API access enabled, then {@code events - 1} allow-list changes; returns once
     * every audit record is on {@code credential-audit} (so every view has them).
     */
    void writeHistory(AccountId account, int events, java.util.function.IntFunction<Command> change) throws Exception {
        List<ProducerRecord<String, byte[]>> commands = new ArrayList<>();
        commands.add(record(enable(account)));
        for (int i = 1; i < events; i++) {
            commands.add(record(change.apply(i)));
        }
        try (TopicWatch watch = new TopicWatch(app.bootstrapServers(), Topics.AUDIT, false)) {
            commands.forEach(producer::send);
            producer.flush();
            watch.await(commands.size(), Duration.ofMinutes(30), r -> { }); // 1M records of one account: ~10 min
        }
    }

    /** One figure or a set of them, by name (bench/run.sh's third argument). */
    private static void modes(Benchmarks b, Report report, String only) throws Exception {
        if (only.equals("usage")) {
            new UsageCountingCost(b, report).run(8, 5);
        }
        if (only.equals("scaleout")) {
            new ScaleOutSimulation(report).run(b.commandCount);
        }
        if (only.equals("mac")) {
            new MacBench(b, report).run(10);
        }
        if (only.equals("records") || only.equals("all")) {
            new RecordsPerCommand(b, report).run();
        }
        if (only.equals("commands") || only.equals("all")) {
            new CommandLatency(b, report).run(List.of(1, 32, 256), Duration.ofSeconds(8));
        }
        if (only.equals("audit")) {
            // commands = the account's records: an audit page at 1M records is bench/run.sh 1000000 1 audit.
            new AuditQueries(b, report).run(b.commandCount, 300);
        }
        if (only.equals("replay")) {
            new LargeReplay(b, report).run(b.commandCount);
        }
        if (only.equals("million")) {
            // commands = the number of enables: each makes two active secrets (an auth token and a private salt).
            new MillionCredentials(b, report).run(b.commandCount);
        }
        double peak = 0;
        if (!java.util.Set.of("state", "activity", "mac", "records", "commands", "million", "replay", "audit", "scaleout", "usage").contains(only)) {
            peak = new Throughput(b, report).run();
        }
        if (only.equals("latency") || only.equals("all")) {
            // The latency bars hold under load: half the peak just measured runs in the background meanwhile.
            try (BackgroundLoad background = new BackgroundLoad(b, peak / 2).start()) {
                new CommandLatency(b, report).run(List.of(1), Duration.ofSeconds(10));
                new RevocationLatency(b, report).run(300, false);
                report.line(String.format("  both while a background load ran: %,.0f commands/s straight to the topic"
                        + " (half the peak of %,.0f/s)", background.rate(), peak));
            }
        }
        if (only.equals("all") || only.equals("state")) {
            new StateQueries(b, report).run(10_000, 300);
        }
        if (only.equals("all") || only.equals("activity")) {
            new ActivityQueries(b, report).run(20, 1_000, 300);
        }
        if (only.equals("propagation") || only.equals("enforcement")) {
            new RevocationLatency(b, report).run(300, only.equals("enforcement"));
        }
        if (only.equals("verify")) {
            new VerifyOverHttp(b, report).run(10);
        }
        if (only.equals("leaks")) {
            new LeakLatency(b, report).run(300);
        }
        if (only.equals("all")) {
            new VerifyOverHttp(b, report).run(10);
            new Replay(b, report).run();
            new AuditQueries(b, report).run(20_000, 2_000);
            new MacBench(b, report).run(10);
        }
        if (!java.util.Set.of("million", "replay", "audit", "scaleout", "usage").contains(only)) {
            report.line(String.format("memory: RSS %d MiB with %d active auth tokens and %d active client credentials"
                    + " (1M: bench/run.sh 500000 1 million)", rssMiB(), b.activeTokens.size(), b.accounts.size()));
        }
    }

    /**
     * Stops the ledger and starts it again on the same data directory (broker, stores, keys); returns the nanoseconds
     * from the start call until the HTTP API answers ready. The bench's own producer keeps the old address: only HTTP
     * is used after a restart.
     */
    long restart() throws Exception {
        return restart(settings);
    }

    Settings settings() {
        return settings;
    }

    /** As {@link #restart()}, with other settings (kept for later restarts). */
    long restart(Settings with) throws Exception {
        settings = with;
        app.close();
        long start = System.nanoTime();
        app = LedgerApplication.start(settings);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        long deadline = start + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(app.httpUrl() + "/health/ready")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return System.nanoTime() - start;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
        throw new IllegalStateException("the ledger was not ready 5 minutes after a restart");
    }

    /** A command as the edge would send it, pre-serialized: what the producer sends while timed. */
    ProducerRecord<String, byte[]> record(Command command) {
        byte[] value = topics.commands.valueSerde().serializer().serialize(Topics.COMMANDS, CommandCodec.toAvro(command));
        return new ProducerRecord<>(Topics.COMMANDS, command.metadata().accountId().value(), value);
    }

    CommandMetadata meta(AccountId account) {
        return new CommandMetadata(UUID.randomUUID(), account, Instant.now(),
                new Actor("bench", "127.0.0.1", "bench", Channel.CLI), UUID.randomUUID(), null);
    }

    Command.EnableApi enable(AccountId account) {
        IssuedSecret token = secrets.issue(CredentialKind.AUTH_TOKEN, Environment.SANDBOX);
        IssuedSecret salt = secrets.issue(CredentialKind.PRIVATE_SALT, Environment.SANDBOX);
        activeTokens.add(token.plaintext());
        tokens.put(account, token.ref());
        return new Command.EnableApi(meta(account), Environment.SANDBOX, token.ref(), salt.ref());
    }

    Command.CreateClientCredential create(AccountId account, String name) {
        IssuedSecret secret = secrets.issue(CredentialKind.CLIENT_SECRET, Environment.SANDBOX);
        return new Command.CreateClientCredential(meta(account), Environment.SANDBOX, UUID.randomUUID(), name,
                secrets.newClientId(Environment.SANDBOX), secret.ref());
    }

    /** Replays every event of the log into a fresh in-memory state. */
    static long fold(List<CredentialEvent> events) {
        InMemoryLedgerState state = new InMemoryLedgerState();
        Ledger ledger = Ledger.replaying(state);
        for (CredentialEvent e : events) {
            ledger.apply(AvroToDomain.event(e));
        }
        return events.size();
    }

    static void awaitRunning(LedgerApplication app) {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (app.streamsState() != org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the ledger did not start");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
        }
    }

    static long rssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }
}
