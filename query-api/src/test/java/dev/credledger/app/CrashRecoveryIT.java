package dev.credledger.app;

import dev.credledger.embedded.EmbeddedKafkaBroker;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.registry.server.EmbeddedSchemaRegistry;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.topology.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * No event lost or duplicated across {@code kill -9}: the packaged ledger runs as its own process against
 * a real in-process broker, is killed with SIGKILL while commands stream in, and is started again on the
 * same state directory (with the same {@code --instance-id}). Runs after {@code package} (failsafe),
 * since it starts the jar.
 */
class CrashRecoveryIT {

    private static final int ACCOUNTS = 30;
    private static final int COMMANDS = 3_000;

    @Test
    void noEventIsLostOrDuplicatedAcrossAKillMinus9() throws Exception {
        Path dataDir = Files.createTempDirectory("credledger-crash-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(
                     EmbeddedSchemaRegistry.Settings.local(broker.bootstrapServers(), 0))) {
            ExactlyOnce log = new ExactlyOnce(broker.bootstrapServers(),
                    new Topics(new SchemaRegistryClient(SchemaRegistryClient.Settings.of(registry.url()))));
            int port = LedgerProcess.freePort();
            LedgerProcess first = start(broker.bootstrapServers(), registry.url(), dataDir, port);
            List<Command> commands = ExactlyOnce.commands(COMMANDS, ACCOUNTS);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                    new StringSerializer(), new ByteArraySerializer())) {
                first.awaitReady();
                for (int i = 0; i < commands.size(); i++) {
                    producer.send(log.record(commands.get(i)));
                    if (i == COMMANDS / 3) {
                        producer.flush();
                        log.awaitResults(COMMANDS / 6);
                        first.kill();
                    }
                }
                producer.flush();
            }
            try (LedgerProcess second = start(broker.bootstrapServers(), registry.url(), dataDir, port)) {
                log.assertExactlyOnce(commands, ACCOUNTS);
            }
        }
    }

    private static LedgerProcess start(String bootstrap, String registryUrl, Path dataDir, int port) throws Exception {
        // The same --instance-id both times: static membership, so the second process takes the first one's tasks.
        return LedgerProcess.start(bootstrap, registryUrl, dataDir, port, Map.of("CREDLEDGER_ADMIN_TOKEN", "crash-test-admin"),
                "--instance-id", "crash-test-1");
    }
}
