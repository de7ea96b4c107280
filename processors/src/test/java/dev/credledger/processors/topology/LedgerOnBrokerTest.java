package dev.credledger.processors.topology;

import static dev.credledger.events.model.Environment.LIVE;
import static dev.credledger.events.model.Environment.SANDBOX;
import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.embedded.EmbeddedKafkaBroker;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.avro.command.CommandResult;
import dev.credledger.events.avro.state.ApiAccessState;
import dev.credledger.events.avro.state.CredentialState;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.Plan;
import dev.credledger.events.model.RefreshReason;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.registry.server.EmbeddedSchemaRegistry;
import dev.credledger.processors.domain.ApiAccess;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.domain.Commands;
import dev.credledger.processors.domain.Credential;
import dev.credledger.processors.domain.Decider;
import dev.credledger.processors.domain.Decision;
import dev.credledger.processors.domain.InMemoryLedgerState;
import dev.credledger.processors.domain.Ledger;
import dev.credledger.processors.domain.Limits;
import dev.credledger.processors.domain.Revocations;
import dev.credledger.processors.wire.CommandCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The topology on a real in-process KRaft broker with exactly-once: a few thousand mixed commands in, and
 * the results, events, revocations and views out match a model that decides the same commands in memory.
 * Then every record of every topic and every file of the broker and the state stores is scanned for the
 * plaintext secrets the test's commands were built from. That scan shows only that the topology never
 * invents a plaintext: it is handed {@code SecretRef}s, never one. The proof that no plaintext leaks from
 * the path where plaintexts exist (the HTTP edge) is {@code SecretsNeverLeakTest} in query-api.
 */
class LedgerOnBrokerTest {

    private static final int COMMANDS = 3_000;
    private static final int ACCOUNTS = 40;
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    private static EmbeddedKafkaBroker broker;
    private static EmbeddedSchemaRegistry registryServer;
    private static SchemaRegistryClient registry;
    private static KafkaStreams streams;
    private static Path stateDir;
    private static Topics topics;

    private static final List<Commands> accounts = new ArrayList<>();
    private static final List<Command> sent = new ArrayList<>();
    private static final InMemoryLedgerState model = new InMemoryLedgerState();
    private static final Map<UUID, Decision> expected = new LinkedHashMap<>();

    @BeforeAll
    static void runCommandsThroughTheLedger() throws Exception {
        broker = EmbeddedKafkaBroker.start();
        registryServer = EmbeddedSchemaRegistry.start(EmbeddedSchemaRegistry.Settings.local(broker.bootstrapServers(), 0));
        registry = new SchemaRegistryClient(SchemaRegistryClient.Settings.of(registryServer.url()));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(Topics.definitions(3, (short) 1, Duration.ofDays(7))).all().get();
        }
        topics = new Topics(registry);
        stateDir = Files.createTempDirectory("credledger-streams-");
        streams = new KafkaStreams(LedgerTopology.build(topics, new Stores(registry), LedgerTopology.Settings.DEFAULT),
                StreamsSettings.local(broker.bootstrapServers(), stateDir).toProperties());
        streams.start();
        await("Streams RUNNING", () -> streams.state() == KafkaStreams.State.RUNNING);

        for (int i = 0; i < ACCOUNTS; i++) {
            accounts.add(new Commands("acct-" + i));
        }
        Ledger modelLedger = new Ledger(new Decider(Limits.DEFAULT), model);
        Random random = new Random(20261126);
        Map<AccountId, List<Command.CreateClientCredential>> created = new HashMap<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < COMMANDS; i++) {
                Commands c = accounts.get(random.nextInt(ACCOUNTS));
                Command command = randomCommand(c, random, created.computeIfAbsent(c.account(), a -> new ArrayList<>()));
                expected.put(command.metadata().commandId(), modelLedger.handle(command, Instant.now()));
                sent.add(command);
                byte[] value = topics.commands.valueSerde().serializer().serialize(Topics.COMMANDS, CommandCodec.toAvro(command));
                producer.send(new ProducerRecord<>(Topics.COMMANDS, c.account().value(), value));
            }
        }
    }

    @AfterAll
    static void stop() {
        if (streams != null) {
            streams.close(Duration.ofSeconds(10));
        }
        if (registryServer != null) {
            registryServer.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void everyCommandGetsExactlyTheModelsResultOnce() {
        Map<UUID, CommandResult> results = new HashMap<>();
        List<CommandResult> all = readAll(Topics.RESULTS, topics.results.valueSerde().deserializer(), COMMANDS);
        all.forEach(r -> results.put(r.getCommandId(), r));

        assertThat(all).hasSize(COMMANDS);
        assertThat(results).hasSize(COMMANDS);
        expected.forEach((id, decision) -> {
            CommandResult r = results.get(id);
            assertThat(r.getOutcome().name()).as("outcome of %s", id)
                    .isEqualTo(decision instanceof Decision.Accepted ? "ACCEPTED" : "REJECTED");
            if (decision instanceof Decision.Rejected rejected) {
                assertThat(r.getReasonCode()).isEqualTo(rejected.reason().name());
            }
        });
        assertThat(expected.values()).filteredOn(Decision.Rejected.class::isInstance).hasSizeBetween(100, COMMANDS - 100);
    }

    @Test
    void eventsPerAccountAreTheModelsEventsInOrderWithoutLossOrDuplicates() {
        Map<String, List<UUID>> expectedIds = new HashMap<>();
        expected.values().forEach(d -> d.events().forEach(e ->
                expectedIds.computeIfAbsent(e.metadata().accountId().value(), a -> new ArrayList<>()).add(e.metadata().eventId())));
        int total = expectedIds.values().stream().mapToInt(List::size).sum();

        Map<String, List<UUID>> actualIds = new HashMap<>();
        readAll(Topics.EVENTS, topics.events.valueSerde().deserializer(), total).forEach(e ->
                actualIds.computeIfAbsent(e.getAccountId(), a -> new ArrayList<>()).add(e.getEventId()));

        assertThat(actualIds).isEqualTo(expectedIds);
    }

    @Test
    void revocationsAreTheModelsRevocationsExactlyOnce() {
        Set<UUID> expectedIds = new HashSet<>();
        int count = 0;
        for (Decision d : expected.values()) {
            for (CredentialEvent e : d.events()) {
                for (var r : Revocations.of(e)) {
                    expectedIds.add(r.eventId());
                    count++;
                }
            }
        }
        List<UUID> actual = readAll(Topics.REVOCATIONS, topics.revocations.valueSerde().deserializer(), count).stream()
                .map(dev.credledger.events.avro.CredentialRevoked::getEventId).toList();

        assertThat(count).isPositive();
        assertThat(actual).hasSize(count).doesNotHaveDuplicates();
        assertThat(Set.copyOf(actual)).isEqualTo(expectedIds);
    }

    @Test
    void viewsAndTheReplicatedLookupMatchTheModel() {
        long events = expected.values().stream().mapToLong(d -> d.events().size()).sum();
        readAll(Topics.AUDIT, topics.audit.valueSerde().deserializer(), (int) events);
        ReadOnlyKeyValueStore<String, ApiAccessState> access = store(Stores.COMMAND_API_ACCESS);
        ReadOnlyKeyValueStore<String, CredentialState> credentials = store(Stores.COMMAND_CREDENTIALS);
        ReadOnlyKeyValueStore<String, TokenLookup> lookup = store(Stores.VIEW_TOKEN_LOOKUP);
        ReadOnlyKeyValueStore<String, dev.credledger.events.avro.AllowList> allowLists = store(Stores.VIEW_ALLOW_LISTS);
        ReadOnlyKeyValueStore<String, dev.credledger.events.avro.AuditRecord> audit = store(Stores.VIEW_AUDIT);
        await("token lookup caught up", () -> lookupMatches(lookup));
        Map<String, Integer> eventsPerAccount = new HashMap<>();
        expected.values().forEach(d -> d.events().forEach(e -> eventsPerAccount.merge(e.metadata().accountId().value(), 1, Integer::sum)));

        for (Commands c : accounts) {
            List<dev.credledger.events.avro.AuditRecord> trail = new ArrayList<>();
            String prefix = Keys.auditPrefix(c.account().value());
            try (var it = audit.range(prefix, prefix + "~")) {
                it.forEachRemaining(kv -> trail.add(kv.value));
            }
            assertThat(trail).as("%s audit records", c.account()).hasSize(eventsPerAccount.getOrDefault(c.account().value(), 0));
            assertThat(dev.credledger.processors.audit.AuditChain.firstBreak(trail)).as("%s chain", c.account()).isEmpty();
            for (Environment env : Environment.values()) {
                ApiAccess want = model.access(c.account(), env);
                ApiAccessState got = access.get(Keys.access(c.account(), env));
                assertThat(got == null ? false : got.getEnabled()).as("%s %s enabled", c.account(), env).isEqualTo(want.enabled());
                assertThat(got == null ? List.of() : got.getAllowedIps()).as("%s %s allow-list", c.account(), env)
                        .isEqualTo(want.allowedIps());
                var replicated = allowLists.get(Keys.access(c.account(), env));
                assertThat(replicated == null ? List.of() : replicated.getCidrs()).as("%s %s replicated allow-list",
                        c.account(), env).isEqualTo(want.allowedIps());
                if (want.enabled()) {
                    assertThat(got.getToken().getSecretId()).isEqualTo(want.token().secretId());
                    assertThat(got.getSalt().getSecretId()).isEqualTo(want.salt().secretId());
                }
                for (Credential cred : model.credentials(c.account(), env)) {
                    CredentialState shown = credentials.get(Keys.credential(c.account(), env, cred.credentialId()));
                    assertThat(shown.getStatus().name()).as("%s", cred.credentialId()).isEqualTo(cred.status().name());
                    assertThat(shown.getName()).isEqualTo(cred.name());
                }
            }
        }
    }

    @Test
    void noPlaintextSecretIsInAnyTopicRecordOrAnyFileOfTheBrokerAndTheStores() throws Exception {
        List<String> plaintexts = accounts.stream().flatMap(c -> c.issuedPlaintexts().stream()).toList();
        SecretScanner scanner = new SecretScanner(plaintexts);
        assertThat(plaintexts).hasSizeGreaterThan(500);
        long events = expected.values().stream().mapToLong(d -> d.events().size()).sum();
        readAll(Topics.AUDIT, topics.audit.valueSerde().deserializer(), (int) events);

        List<String> found = new ArrayList<>();
        Set<String> allTopics;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            allTopics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
        }
        int records = 0;
        for (String topic : allTopics) {
            for (ConsumerRecord<byte[], byte[]> r : readRaw(topic)) {
                records++;
                scanner.findIn(r.key()).forEach(s -> found.add(topic + " key"));
                scanner.findIn(r.value()).forEach(s -> found.add(topic + " value"));
                r.headers().forEach(h -> scanner.findIn(h.value()).forEach(s -> found.add(topic + " header " + h.key())));
            }
        }
        found.addAll(scanner.findUnder(broker.dataDir()));
        found.addAll(scanner.findUnder(stateDir));

        assertThat(allTopics).contains(Topics.EVENTS, Topics.AUDIT, "credledger-" + Stores.COMMAND_CREDENTIALS + "-changelog");
        assertThat(records).isGreaterThan(COMMANDS);
        assertThat(found).isEmpty();
    }

    @Test
    void theScannerFindsAPlaintextWhereThereIsOne() {
        String secret = new dev.credledger.events.secret.SecretFormat()
                .issue(dev.credledger.events.model.CredentialKind.AUTH_TOKEN, LIVE).plaintext();
        SecretScanner scanner = new SecretScanner(List.of(secret));

        assertThat(scanner.findIn(("prefix " + secret + " suffix").getBytes())).containsExactly(secret);
    }

    private static Command randomCommand(Commands c, Random random, List<Command.CreateClientCredential> created) {
        Environment env = random.nextInt(3) == 0 ? LIVE : SANDBOX;
        int roll = random.nextInt(100);
        if (roll < 6) {
            return c.plan(Plan.values()[random.nextInt(3)]);
        } else if (roll < 18) {
            return c.enable(env);
        } else if (roll < 26) {
            return c.refresh(env, random.nextBoolean() ? RefreshReason.ROUTINE : RefreshReason.COMPROMISED,
                    random.nextInt(4) == 0 ? Duration.ofHours(1) : Duration.ZERO);
        } else if (roll < 32) {
            return c.disable(env);
        } else if (roll < 44) {
            return c.allow(env, "10.0." + random.nextInt(4) + "." + random.nextInt(8) + (random.nextBoolean() ? "/32" : ""));
        } else if (roll < 50) {
            return c.remove(env, "10.0." + random.nextInt(4) + "." + random.nextInt(8));
        } else if (roll < 68 || created.isEmpty()) {
            var create = c.create(env, "cred-" + random.nextInt(30));
            created.add(create);
            return create;
        }
        var target = created.get(random.nextInt(created.size()));
        return switch (random.nextInt(3)) {
            case 0 -> c.deactivate(target.environment(), target.credentialId());
            case 1 -> c.reactivate(target.environment(), target.credentialId());
            default -> c.delete(target.environment(), target.credentialId());
        };
    }

    private static boolean lookupMatches(ReadOnlyKeyValueStore<String, TokenLookup> lookup) {
        // Every auth token and salt ever revoked is REVOKED (they never come back); the current ones ACTIVE.
        for (Decision d : expected.values()) {
            for (var event : d.events()) {
                for (var r : Revocations.of(event)) {
                    if (r.secret().kind() != dev.credledger.events.model.CredentialKind.CLIENT_SECRET) {
                        TokenLookup entry = lookup.get(r.secret().fingerprint().hex());
                        if (entry == null || entry.getStatus() != dev.credledger.events.avro.TokenStatus.REVOKED) {
                            return false;
                        }
                    }
                }
            }
        }
        for (Commands c : accounts) {
            for (Environment env : Environment.values()) {
                ApiAccess access = model.access(c.account(), env);
                if (access.enabled()) {
                    for (var secret : List.of(access.token(), access.salt())) {
                        TokenLookup entry = lookup.get(secret.fingerprint().hex());
                        if (entry == null || entry.getStatus() != dev.credledger.events.avro.TokenStatus.ACTIVE) {
                            return false;
                        }
                    }
                }
                for (Credential cred : model.credentials(c.account(), env)) {
                    TokenLookup entry = lookup.get(cred.secret().fingerprint().hex());
                    String want = switch (cred.status()) {
                        case ACTIVE -> "ACTIVE";
                        case INACTIVE -> "INACTIVE";
                        case DELETED, EXPIRED -> "REVOKED";
                    };
                    if (entry == null || !entry.getStatus().name().equals(want)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    }

    private static <V> List<V> readAll(String topic, Deserializer<V> deserializer, int expectedCount) {
        List<V> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (out.size() < expectedCount && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(deserializer.deserialize(topic, r.value()));
                }
            }
            // Anything beyond the expected count would be a duplicate: give it a moment to show up.
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                out.add(deserializer.deserialize(topic, r.value()));
            }
        }
        return out;
    }

    private static List<ConsumerRecord<byte[], byte[]>> readRaw(String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static void await(String what, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }
}
