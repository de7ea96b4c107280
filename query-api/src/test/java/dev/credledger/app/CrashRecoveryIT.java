package dev.credledger.app;

import dev.credledger.embedded.EmbeddedKafkaBroker;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.registry.server.EmbeddedSchemaRegistry;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.topology.Topics;
import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
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
            int port = freePort();
            Process first = startLedger(broker.bootstrapServers(), registry.url(), dataDir, port);
            List<Command> commands = ExactlyOnce.commands(COMMANDS, ACCOUNTS);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                    new StringSerializer(), new ByteArraySerializer())) {
                awaitReady(port);
                for (int i = 0; i < commands.size(); i++) {
                    producer.send(log.record(commands.get(i)));
                    if (i == COMMANDS / 3) {
                        producer.flush();
                        log.awaitResults(COMMANDS / 6);
                        first.destroyForcibly(); // SIGKILL: no shutdown hook, no commit, no flush
                        first.waitFor();
                    }
                }
                producer.flush();
            }
            Process second = startLedger(broker.bootstrapServers(), registry.url(), dataDir, port);
            try {
                log.assertExactlyOnce(commands, ACCOUNTS);
            } finally {
                second.destroy();
                second.waitFor();
            }
        }
    }

    private static Process startLedger(String bootstrap, String registryUrl, Path dataDir, int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Xmx512m", "-jar", new File("target/credledger.jar").getAbsolutePath(),
                "serve", "--bootstrap-servers", bootstrap, "--schema-registry-url", registryUrl, "--instance-id", "crash-test-1",
                "--data-dir", dataDir.toString(), "--http-port", Integer.toString(port),
                "--sealing-key-file", TestLedger.sealingKeyFile().toString(),
                "--audit-signing-key", TestLedger.auditSigningKeyFile().toString());
        pb.environment().put("CREDLEDGER_ADMIN_TOKEN", "crash-test-admin");
        pb.redirectErrorStream(true).redirectOutput(dataDir.resolve("ledger-" + System.nanoTime() + ".log").toFile());
        return pb.start();
    }

    private static void awaitReady(int port) {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + ExactlyOnce.DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (Exception e) {
                // not listening yet
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        throw new AssertionError("the ledger process did not become ready");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
