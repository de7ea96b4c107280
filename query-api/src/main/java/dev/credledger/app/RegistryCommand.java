package dev.credledger.app;

import dev.credledger.events.registry.server.EmbeddedSchemaRegistry;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code credledger registry}: the schema registry the embedded default runs, as a process of its own against any
 * Kafka cluster — a Confluent-compatible REST API (the subset Confluent's serializers and credledger use), its
 * schemas in a compacted topic, writes only with the write key. For a deployment without Confluent's registry.
 */
@Command(name = "registry", mixinStandardHelpOptions = true,
        description = {"Run a Confluent-compatible schema registry whose schemas live in a Kafka topic, for ledgers and "
                + "consumers on a cluster without one. Ledgers connect with --schema-registry-url and "
                + "--schema-registry-basic-auth credledger:<write key>; reads need no key."})
final class RegistryCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", required = true, description = "The Kafka cluster that holds the schema topic.")
    String bootstrapServers;

    @Option(names = "--host", description = "Interface to listen on (0.0.0.0: all). Default: ${DEFAULT-VALUE}")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "HTTP port. Default: ${DEFAULT-VALUE}")
    int port = 8081;

    @Option(names = "--topic", description = "The compacted topic of the schemas (one partition). Default: ${DEFAULT-VALUE}")
    String topic = EmbeddedSchemaRegistry.Settings.DEFAULT_TOPIC;

    @Option(names = "--replication-factor", description = "Of the schema topic, if it has to be created. Default: ${DEFAULT-VALUE}")
    short replicationFactor = 3;

    @Option(names = "--write-key-file", paramLabel = "FILE", description = "The key registrations must present (one line, "
            + "owner-only). Or the environment variable CREDLEDGER_REGISTRY_WRITE_KEY. Required: schemas are the contract.")
    String writeKeyFile;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "A Kafka client property (security.protocol=SASL_SSL, ...); repeatable.")
    java.util.Map<String, String> kafkaProperty = new java.util.LinkedHashMap<>();

    @Option(names = "--kafka-properties", paramLabel = "FILE", description = "A Kafka client properties file (owner-only); --kafka-property entries win.")
    String kafkaPropertiesFile;

    @Override
    public Integer call() {
        EmbeddedSchemaRegistry registry = start(System.getenv("CREDLEDGER_REGISTRY_WRITE_KEY"));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            registry.close();
            stopped.countDown();
        }));
        System.out.println("credledger schema registry at " + registry.url() + " (schemas in " + topic + " on "
                + bootstrapServers + ")");
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Checks the options and starts the registry; {@code writeKeyFromEnvironment} is used when no file is given. */
    EmbeddedSchemaRegistry start(String writeKeyFromEnvironment) {
        if (writeKeyFile != null && writeKeyFromEnvironment != null && !writeKeyFromEnvironment.isBlank()) {
            throw new IllegalArgumentException("give --write-key-file or CREDLEDGER_REGISTRY_WRITE_KEY, not both");
        }
        String writeKey = ServeCommand.key("--write-key", writeKeyFromEnvironment, writeKeyFile);
        if (writeKey == null) {
            throw new IllegalArgumentException("give the registry's write key: --write-key-file FILE or CREDLEDGER_REGISTRY_WRITE_KEY");
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("--replication-factor must be at least 1");
        }
        java.util.Map<String, String> properties = ServeCommand.kafkaProperties(kafkaPropertiesFile, kafkaProperty);
        return EmbeddedSchemaRegistry.start(new EmbeddedSchemaRegistry.Settings(host, port, bootstrapServers, topic,
                replicationFactor, writeKey, properties));
    }

}
