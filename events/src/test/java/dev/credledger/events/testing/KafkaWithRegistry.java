package dev.credledger.events.testing;

import dev.credledger.embedded.EmbeddedKafkaBroker;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.registry.server.EmbeddedSchemaRegistry;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real in-process Kafka broker and the embedded schema registry on it, shared by a test class:
 * {@code @RegisterExtension static final KafkaWithRegistry KAFKA = new KafkaWithRegistry();}
 */
public final class KafkaWithRegistry implements BeforeAllCallback, AfterAllCallback {

    private EmbeddedKafkaBroker broker;
    private EmbeddedSchemaRegistry registry;

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = EmbeddedKafkaBroker.start();
        registry = EmbeddedSchemaRegistry.start(EmbeddedSchemaRegistry.Settings.local(broker.bootstrapServers(), 0));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public String registryUrl() {
        return registry.url();
    }

    /** A new client (with empty caches) for the shared registry. */
    public SchemaRegistryClient newClient() {
        return new SchemaRegistryClient(SchemaRegistryClient.Settings.of(registry.url()));
    }

    /** Stops the registry and starts a fresh one on the same topic, as a process restart would. */
    public void restartRegistry() {
        registry.close();
        registry = EmbeddedSchemaRegistry.start(EmbeddedSchemaRegistry.Settings.local(broker.bootstrapServers(), 0));
    }
}
