package dev.credledger.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.embedded.EmbeddedKafkaBroker;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.CredentialEvent;
import dev.credledger.events.avro.command.CommandResult;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Actor;
import dev.credledger.events.model.Channel;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.registry.server.EmbeddedSchemaRegistry;
import dev.credledger.events.secret.SecretFormat;
import dev.credledger.processors.audit.AuditChain;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.domain.CommandMetadata;
import dev.credledger.processors.topology.Topics;
import dev.credledger.processors.wire.CommandCodec;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * No event lost or duplicated across {@code kill -9}: the packaged ledger runs as its own process against
 * a real in-process broker, is killed with SIGKILL while commands stream in, and is started again on the
 * same state directory. Every command then has exactly one result, every account's events carry sequence
 * numbers 1..n without gap or repeat, and every account's audit chain is intact. Runs after
 * {@code package} (failsafe), since it starts the jar.
 */
class CrashRecoveryIT {

    private static final int ACCOUNTS = 30;
    private static final int COMMANDS = 3_000;
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @Test
    void noEventIsLostOrDuplicatedAcrossAKillMinus9() throws Exception {
        Path dataDir = Files.createTempDirectory("credledger-crash-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(
                     EmbeddedSchemaRegistry.Settings.local(broker.bootstrapServers(), 0))) {
            Topics topics = new Topics(new SchemaRegistryClient(SchemaRegistryClient.Settings.of(registry.url())));
            int port = freePort();
            Process first = startLedger(broker.bootstrapServers(), registry.url(), dataDir, port);
            Set<UUID> sent = new HashSet<>();
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                    new StringSerializer(), new ByteArraySerializer())) {
                awaitReady(port);
                List<Command> commands = commands();
                for (int i = 0; i < commands.size(); i++) {
                    Command c = commands.get(i);
                    sent.add(c.metadata().commandId());
                    producer.send(new ProducerRecord<>(Topics.COMMANDS, c.metadata().accountId().value(),
                            topics.commands.valueSerde().serializer().serialize(Topics.COMMANDS, CommandCodec.toAvro(c))));
                    if (i == COMMANDS / 3) {
                        producer.flush();
                        awaitResults(broker.bootstrapServers(), topics, COMMANDS / 6);
                        first.destroyForcibly(); // SIGKILL: no shutdown hook, no commit, no flush
                        first.waitFor();
                    }
                }
                producer.flush();
            }
            Process second = startLedger(broker.bootstrapServers(), registry.url(), dataDir, port);
            try {
                Map<UUID, Integer> results = awaitResults(broker.bootstrapServers(), topics, COMMANDS);
                assertThat(results.keySet()).isEqualTo(sent);
                assertThat(results.values()).as("results per command").containsOnly(1);

                Map<String, List<Long>> sequences = new HashMap<>();
                Set<UUID> eventIds = new HashSet<>();
                for (byte[] value : readAll(broker.bootstrapServers(), Topics.EVENTS)) {
                    CredentialEvent e = topics.events.valueSerde().deserializer().deserialize(Topics.EVENTS, value);
                    assertThat(eventIds.add(e.getEventId())).as("event %s appears once", e.getEventId()).isTrue();
                    sequences.computeIfAbsent(e.getAccountId(), a -> new ArrayList<>()).add(e.getSequence());
                }
                assertThat(sequences).hasSize(ACCOUNTS);
                sequences.forEach((account, seq) -> assertThat(seq).as(account)
                        .isEqualTo(java.util.stream.LongStream.rangeClosed(1, seq.size()).boxed().toList()));

                // The audit trail is built one hop later, from the events: wait until it has caught up.
                long deadline = System.nanoTime() + DEADLINE.toNanos();
                List<byte[]> auditValues = readAll(broker.bootstrapServers(), Topics.AUDIT);
                while (auditValues.size() < eventIds.size() && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
                    auditValues = readAll(broker.bootstrapServers(), Topics.AUDIT);
                }
                Map<String, List<AuditRecord>> audit = new HashMap<>();
                for (byte[] value : auditValues) {
                    AuditRecord r = topics.audit.valueSerde().deserializer().deserialize(Topics.AUDIT, value);
                    audit.computeIfAbsent(r.getAccountId(), a -> new ArrayList<>()).add(r);
                }
                audit.forEach((account, records) -> {
                    assertThat(records).as(account).hasSize(sequences.get(account).size());
                    assertThat(AuditChain.firstBreak(records)).as(account).isEmpty();
                });
            } finally {
                second.destroy();
                second.waitFor();
            }
        }
    }

    private static List<Command> commands() {
        SecretFormat secrets = new SecretFormat();
        Actor actor = new Actor("crash-test", "127.0.0.1", null, Channel.CLI);
        List<Command> out = new ArrayList<>();
        for (int i = 0; i < COMMANDS; i++) {
            AccountId account = new AccountId("crash-" + (i % ACCOUNTS));
            CommandMetadata meta = new CommandMetadata(UUID.randomUUID(), account, Instant.now(), actor, null, null);
            int round = i / ACCOUNTS;
            out.add(switch (round % 3) {
                case 0 -> new Command.EnableApi(meta, Environment.SANDBOX,
                        secrets.issue(CredentialKind.AUTH_TOKEN, Environment.SANDBOX).ref(),
                        secrets.issue(CredentialKind.PRIVATE_SALT, Environment.SANDBOX).ref());
                case 1 -> new Command.AllowIp(meta, Environment.SANDBOX, "10.1." + (round % 200) + ".0/24");
                default -> new Command.DisableApi(meta, Environment.SANDBOX);
            });
        }
        return out;
    }

    private static Process startLedger(String bootstrap, String registryUrl, Path dataDir, int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Xmx512m", "-jar", new File("target/credledger.jar").getAbsolutePath(),
                "serve", "--bootstrap-servers", bootstrap, "--schema-registry-url", registryUrl, "--instance-id", "crash-test-1",
                "--data-dir", dataDir.toString(), "--http-port", Integer.toString(port));
        pb.environment().put("CREDLEDGER_ADMIN_TOKEN", "crash-test-admin");
        pb.redirectErrorStream(true).redirectOutput(dataDir.resolve("ledger-" + System.nanoTime() + ".log").toFile());
        return pb.start();
    }

    private static void awaitReady(int port) {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
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

    /** Results per command ID, read_committed, until {@code atLeast} distinct commands have one. */
    private static Map<UUID, Integer> awaitResults(String bootstrap, Topics topics, int atLeast) {
        Map<UUID, Integer> counts = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap)) {
            List<TopicPartition> partitions = assignFromStart(consumer, Topics.RESULTS);
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (counts.size() < atLeast && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    CommandResult result = topics.results.valueSerde().deserializer().deserialize(Topics.RESULTS, r.value());
                    counts.merge(result.getCommandId(), 1, Integer::sum);
                }
            }
            // Anything that would be a duplicate has had time to arrive: read to the end once more.
            drain(consumer, partitions, r -> counts.merge(
                    topics.results.valueSerde().deserializer().deserialize(Topics.RESULTS, r.value()).getCommandId(), 1, Integer::sum));
        }
        return counts;
    }

    private static List<byte[]> readAll(String bootstrap, String topic) {
        List<byte[]> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap)) {
            drain(consumer, assignFromStart(consumer, topic), r -> out.add(r.value()));
        }
        return out;
    }

    private static void drain(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions,
            java.util.function.Consumer<ConsumerRecord<String, byte[]>> each) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(each);
        }
    }

    private static List<TopicPartition> assignFromStart(KafkaConsumer<String, byte[]> consumer, String topic) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return partitions;
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
