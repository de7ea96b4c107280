package dev.credledger.app;

import dev.credledger.events.registry.SchemaRegistryClient;
import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options of a command that works on the ledger's topics itself: where Kafka and the registry are, how long to wait. */
final class ClusterOptions {

    @Option(names = "--bootstrap-servers", required = true, description = "Kafka bootstrap servers (the ledger prints its own).")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", required = true, description = "Confluent-compatible schema registry URL.")
    String schemaRegistryUrl;

    @Option(names = "--schema-registry-basic-auth", description = "user:password for the registry (reads need none on the embedded one; writes need credledger:<admin key>).")
    String registryBasicAuth;

    @Option(names = "--timeout", description = "How long to wait for Kafka and the registry before giving up (exit 1). Default: ${DEFAULT-VALUE}")
    String timeout = "30s";

    /** The --timeout; an {@link IllegalArgumentException} for a bad one. */
    Duration timeout() {
        return ServeCommand.duration("--timeout", timeout);
    }

    SchemaRegistryClient registry(Duration wait) {
        return new SchemaRegistryClient(new SchemaRegistryClient.Settings(URI.create(schemaRegistryUrl), registryBasicAuth, null, wait));
    }
}
