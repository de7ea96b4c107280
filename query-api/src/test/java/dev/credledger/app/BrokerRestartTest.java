package dev.credledger.app;

import dev.credledger.embedded.EmbeddedKafkaBroker;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.registry.server.EmbeddedSchemaRegistry;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.topology.Topics;
import java.net.InetAddress;
import java.net.ServerSocket;
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
 * No event lost or duplicated across a broker restart: the ledger keeps running while its (real,
 * in-process) broker is stopped mid-stream and started again on the same data and port.
 */
class BrokerRestartTest {

    private static final int ACCOUNTS = 20;
    private static final int COMMANDS = 1_500;

    @Test
    void noEventIsLostOrDuplicatedAcrossABrokerRestart() throws Exception {
        Path brokerDir = Files.createTempDirectory("credledger-broker-");
        int kafkaPort = freePort();
        EmbeddedKafkaBroker.Settings brokerSettings = new EmbeddedKafkaBroker.Settings(brokerDir, kafkaPort);
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(brokerSettings);
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(
                EmbeddedSchemaRegistry.Settings.local(broker.bootstrapServers(), 0));
        ExactlyOnce log = new ExactlyOnce(broker.bootstrapServers(),
                new Topics(new SchemaRegistryClient(SchemaRegistryClient.Settings.of(registry.url()))));
        LedgerApplication app = LedgerApplication.start(Settings.embedded(Files.createTempDirectory("credledger-br-"), 0, 0, 0)
                .withExternal(broker.bootstrapServers(), registry.url())
                .withAuditLog(TestLedger.externalAuditLog())
                .withTokens(TestLedger.ADMIN, null, null)
                .withSigning(null, TestLedger.sealingKeyFile()));
        try {
            TestLedger.awaitReady(app, new dev.credledger.api.Http(app.httpUrl()));
            List<Command> commands = ExactlyOnce.commands(COMMANDS, ACCOUNTS);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000),
                    new StringSerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < commands.size(); i++) {
                    producer.send(log.record(commands.get(i)));
                    if (i == COMMANDS / 2) {
                        producer.flush();
                        log.awaitResults(COMMANDS / 4);
                        broker.close();
                        broker = EmbeddedKafkaBroker.start(brokerSettings);
                    }
                }
                producer.flush();
            }
            log.assertExactlyOnce(commands, ACCOUNTS);
        } finally {
            app.close();
            registry.close();
            broker.close();
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
