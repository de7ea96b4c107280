package dev.credledger.embedded;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka broker in KRaft combined mode, started in this JVM on 127.0.0.1.
 *
 * <p>It is a real broker (the {@code kafka_2.13} server), not a mock: transactions, compaction and
 * consumer groups behave as on a cluster. Data lives in {@link Settings#dataDir()}; a broker started
 * again on the same directory keeps its topics and records. Without a directory a temporary one is
 * used and deleted on {@link #close()}.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final int NODE_ID = 1;
    static final String CONTROLLER_LISTENER = "CONTROLLER";

    /**
     * What to start.
     *
     * @param dataDir where the log and metadata live; {@code null} for a temporary directory
     * @param port the client port on 127.0.0.1; 0 for any free port
     */
    public record Settings(Path dataDir, int port) {
        public Settings {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
        }

        /** A temporary broker on a free port, as tests want it. */
        public static Settings temporary() {
            return new Settings(null, 0);
        }
    }

    /** A SASL/PLAIN user of an extra {@code SASL_PLAINTEXT} listener, for tests of clients that must authenticate. */
    public record SaslUser(String username, String password) {}

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final boolean temporary;
    private final int port;
    private final int saslPort;

    private EmbeddedKafkaBroker(KafkaRaftServer server, Path dataDir, boolean temporary, int port, int saslPort) {
        this.server = server;
        this.dataDir = dataDir;
        this.temporary = temporary;
        this.port = port;
        this.saslPort = saslPort;
    }

    /**
     * A temporary broker that also listens with SASL_PLAINTEXT (mechanism PLAIN) for {@code user}, at
     * {@link #saslBootstrapServers()}; the plaintext listener stays for the test's own tools.
     */
    public static EmbeddedKafkaBroker startWithSasl(SaslUser user) {
        return start(Settings.temporary(), Objects.requireNonNull(user, "user"));
    }

    /** Starts a temporary broker on a free port. */
    public static EmbeddedKafkaBroker start() {
        return start(Settings.temporary());
    }

    /** Formats the storage if it is new (a restart keeps its cluster ID and data), then starts the broker and returns once it serves requests. */
    public static EmbeddedKafkaBroker start(Settings settings) {
        return start(settings, null);
    }

    private static EmbeddedKafkaBroker start(Settings settings, SaslUser sasl) {
        Objects.requireNonNull(settings, "settings");
        try {
            boolean temporary = settings.dataDir() == null;
            Path dir = temporary ? Files.createTempDirectory("credledger-kafka-") : settings.dataDir();
            Path logDir = dir.resolve("kafka-logs");
            Files.createDirectories(logDir);
            int port = settings.port() == 0 ? freePort() : settings.port();
            int controllerPort = freePort();

            Properties props = brokerProperties(logDir, port, controllerPort);
            int saslPort = sasl == null ? -1 : freePort();
            if (sasl != null) {
                props.put("listeners", props.getProperty("listeners") + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort);
                props.put("advertised.listeners", props.getProperty("advertised.listeners") + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort);
                props.put("listener.security.protocol.map", props.getProperty("listener.security.protocol.map")
                        + ",SASL_PLAINTEXT:SASL_PLAINTEXT");
                props.put("sasl.enabled.mechanisms", "PLAIN");
                props.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + sasl.username()
                                + "\" password=\"" + sasl.password() + "\" user_" + sasl.username() + "=\"" + sasl.password() + "\";");
            }
            if (Files.notExists(logDir.resolve("meta.properties"))) {
                format(logDir);
            }
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
            LOG.info("Embedded Kafka broker listening on 127.0.0.1:{} (data in {})", port, logDir);
            return new EmbeddedKafkaBroker(server, dir, temporary, port, saslPort);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the embedded Kafka broker's storage", e);
        }
    }

    /** The address clients use: {@code 127.0.0.1:PORT}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The SASL_PLAINTEXT listener of a broker started with {@link #startWithSasl}. */
    public String saslBootstrapServers() {
        if (saslPort < 0) {
            throw new IllegalStateException("this broker has no SASL listener");
        }
        return "127.0.0.1:" + saslPort;
    }

    /** The directory that holds the broker's data. */
    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        if (temporary) {
            deleteRecursively(dataDir);
        }
        LOG.info("Embedded Kafka broker on 127.0.0.1:{} stopped", port);
    }

    private static Properties brokerProperties(Path logDir, int port, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        // A single node: internal topics cannot have more than one replica, or Streams stays REBALANCING.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // Otherwise every first consumer group waits ~3 s before its first assignment.
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        // The cleaner looks for work every second, not every 15: a destroyed data key leaves the log soon after
        // its segment may be compacted (credential-data-keys, docs/security.md, "Sealing").
        p.put("log.cleaner.backoff.ms", "1000");
        return p;
    }

    private static void format(Path logDir) {
        format(logDir, NODE_ID, Uuid.randomUuid().toString());
    }

    /** Formats one node's storage (KRaft, combined roles): the stable way, as {@code kafka-storage format} does. */
    static void format(Path logDir, int nodeId, String clusterId) {
        try (PrintStream quiet = new PrintStream(PrintStream.nullOutputStream())) {
            new Formatter()
                    .setPrintStream(quiet)
                    .setNodeId(nodeId)
                    .setClusterId(clusterId)
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format the embedded Kafka storage in " + logDir, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LOG.warn("Could not delete the temporary broker directory {}", dir, e);
        }
    }
}
