package dev.credledger.app;

import dev.credledger.events.registry.SchemaRegistryClient;
import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options of a command that works on the ledger's topics itself: where Kafka and the registry are, how long to wait. */
final class ClusterOptions {

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers. Default: the local ledger's (see --data-dir).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", description = "Confluent-compatible schema registry URL. Default: the local ledger's (see --data-dir).")
    String schemaRegistryUrl;

    @Option(names = "--data-dir", description = "Without --bootstrap-servers and --schema-registry-url: the local ledger whose "
            + "<data-dir>/credledger.json to use. Default: ./data, then ./data-demo.")
    java.nio.file.Path dataDir;

    @Option(names = "--schema-registry-basic-auth", description = "user:password for the registry (reads need none on the embedded one; writes need credledger:<admin key>).")
    String registryBasicAuth;

    @Option(names = "--schema-registry-basic-auth-file", paramLabel = "FILE", description = "The same user:password from an owner-only file (one line).")
    String registryBasicAuthFile;

    @Option(names = "--timeout", description = "How long to wait for Kafka and the registry before giving up (exit 1). Default: ${DEFAULT-VALUE}")
    String timeout = "30s";

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "A Kafka client property (security.protocol=SASL_SSL, ...); repeatable.")
    java.util.Map<String, String> kafkaProperty = new java.util.LinkedHashMap<>();

    @Option(names = "--kafka-properties", paramLabel = "FILE", description = "A Kafka client properties file (owner-only); --kafka-property entries win. Env: CREDLEDGER_KAFKA_PROPERTIES.")
    String kafkaPropertiesFile;

    /**
     * Fills the addresses not given from the local ledger's {@code credledger.json}; explicit flags win. An
     * {@link IllegalArgumentException} that says what to give when there is neither.
     */
    void resolve() {
        if (bootstrapServers != null && schemaRegistryUrl != null) {
            return;
        }
        if (bootstrapServers != null || schemaRegistryUrl != null) {
            // Half from the flags and half from a local ledger would read one cluster's records with another's schemas.
            throw new IllegalArgumentException("give both --bootstrap-servers and --schema-registry-url, or neither (to "
                    + "read the local ledger)");
        }
        var found = LocalLedger.find(dataDir);
        if (found.isEmpty() || !found.get().ledger().running()) {
            throw new IllegalArgumentException("no ledger to read: give --bootstrap-servers and --schema-registry-url, "
                    + "or run this next to a running ./credledger serve (it writes " + LocalLedger.FILE_NAME + " in its "
                    + "data directory; --data-dir picks one" + (found.isPresent() ? "; the one in " + found.get().dataDir()
                    + " is not running" : "") + ")");
        }
        bootstrapServers = bootstrapServers != null ? bootstrapServers : found.get().ledger().bootstrapServers();
        schemaRegistryUrl = schemaRegistryUrl != null ? schemaRegistryUrl : found.get().ledger().schemaRegistryUrl();
    }

    /** How this command's Kafka clients reach the cluster, with the deployment's client properties. */
    dev.credledger.processors.topology.ClientProperties clients() {
        return new dev.credledger.processors.topology.ClientProperties(bootstrapServers,
                ServeCommand.kafkaProperties(kafkaPropertiesFile, kafkaProperty));
    }

    /** The --timeout; an {@link IllegalArgumentException} for a bad one. */
    Duration timeout() {
        return ServeCommand.duration("--timeout", timeout);
    }

    SchemaRegistryClient registry(Duration wait) {
        return new SchemaRegistryClient(new SchemaRegistryClient.Settings(URI.create(schemaRegistryUrl),
                ServeCommand.key("--schema-registry-basic-auth", registryBasicAuth, registryBasicAuthFile), null, wait));
    }
}
