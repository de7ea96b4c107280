package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.api.Http;
import dev.credledger.embedded.EmbeddedKafkaCluster;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.mapping.AvroToDomain;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.registry.server.EmbeddedSchemaRegistry;
import dev.credledger.processors.audit.AuditChain;
import dev.credledger.processors.topology.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;

/**
 * A broker of three lost under load, without Docker: a three-node KRaft cluster in this JVM (replication 3,
 * {@code min.insync.replicas} 2), two ledger instances on it, clients sending commands to both (retrying a 503 with
 * the same {@code Idempotency-Key}, as a client should) and a verifier verifying a token on both throughout. The
 * node leading {@code credential-events} partition 0 is stopped mid-load — abruptly, without a controlled shutdown, as
 * if it crashed — and started again. Afterwards every
 * command answered 2xx is in the log exactly once, no account's sequence has a gap or a repeat, every audit chain is
 * intact, no request hung past the command timeout, every 503 named its command, and verification never failed.
 */
class BrokerFailoverTest {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    private static final int CLIENTS = 4;
    private static final int ACCOUNTS_PER_CLIENT = 2;
    private static final java.util.concurrent.atomic.AtomicInteger UNAVAILABLE = new java.util.concurrent.atomic.AtomicInteger();

    /** One command as a client saw it: its final answer, after retries of 503s. */
    record Sent(String account, String cidr, int status, long doneNanos) {}

    @Test
    void aLostBrokerLosesNoCommandAppliesNoneTwiceAndVerificationKeepsAnswering() throws Exception {
        Path sealingKey = Files.createTempDirectory("credledger-failover-keys-").resolve("sealing.key");
        dev.credledger.events.sealing.FileKeyring.generate(sealingKey);
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(3);
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(new EmbeddedSchemaRegistry.Settings(
                        "127.0.0.1", 0, cluster.bootstrapServers(), EmbeddedSchemaRegistry.Settings.DEFAULT_TOPIC, (short) 3, null));
                LedgerApplication one = LedgerApplication.start(instance(cluster, registry, sealingKey));
                LedgerApplication two = LedgerApplication.start(instance(cluster, registry, sealingKey))) {
            Topics topics = new Topics(new SchemaRegistryClient(SchemaRegistryClient.Settings.of(registry.url())));
            List<Http> ledgers = List.of(new Http(one.httpUrl()), new Http(two.httpUrl()));
            TestLedger.awaitReady(one, ledgers.get(0));
            TestLedger.awaitReady(two, ledgers.get(1));
            Http.Response enabled = ledgers.get(0).post("/v1/accounts/fo-verify/environments/sandbox/api/enable", ADMIN, null);
            assertThat(enabled.status()).as(enabled.raw()).isEqualTo(201);
            String token = enabled.json().path("authToken").asText();

            AtomicBoolean running = new AtomicBoolean(true);
            List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
            List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
            List<Long> latenciesMs = Collections.synchronizedList(new ArrayList<>());
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.add(Thread.ofPlatform().start(() -> {
                    try {
                        load(client, ledgers, running, sent, unexpected, latenciesMs);
                    } catch (Throwable t) { // a hang (the client's own timeout) or any other failure is a finding
                        unexpected.add("client " + client + " stopped: " + t);
                    }
                }));
            }
            List<String> verifyFailures = Collections.synchronizedList(new ArrayList<>());
            List<Long> verifiedAt = Collections.synchronizedList(new ArrayList<>());
            Thread verifier = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; running.get() && i < 100_000; i++) {
                        Http.Response r = ledgers.get(i % 2).post("/v1/verify", VERIFIER, null, "X-Auth-Token", token);
                        if (r.status() != 200 || !r.json().path("active").asBoolean()) {
                            verifyFailures.add(r.status() + " " + r.raw());
                        } else {
                            verifiedAt.add(System.nanoTime());
                        }
                        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
                    }
                } catch (Throwable t) {
                    verifyFailures.add("the verifier stopped: " + t);
                }
            });

            long stoppedAt;
            long restartedAt;
            int leader;
            try {
                awaitCount(sent, 40);
                leader = leaderOf(cluster, Topics.EVENTS, 0);
                stoppedAt = System.nanoTime();
                cluster.stop(leader);
                int beforeRestart = sent.size();
                awaitCount(sent, beforeRestart + 40); // commands go on with two brokers of three
                cluster.restart(leader);
                restartedAt = System.nanoTime();
                awaitCount(sent, sent.size() + 40);
            } finally {
                running.set(false);
                for (Thread t : clients) {
                    t.join(Duration.ofSeconds(90));
                }
                verifier.join(Duration.ofSeconds(60));
            }
            assertThat(clients).as("client threads ended").noneMatch(Thread::isAlive);
            assertThat(verifier.isAlive()).as("verifier ended").isFalse();

            assertThat(unexpected).as("answers other than 2xx or 503 with a commandId").isEmpty();
            long maxLatency = latenciesMs.stream().mapToLong(Long::longValue).max().orElse(0);
            // The command timeout, then up to 2 s for this instance's lookup to show a result, then 2 s for GC and a
            // restarting broker on two shared cores.
            assertThat(maxLatency).as("slowest answer, ms").isLessThan(COMMAND_TIMEOUT.toMillis() + 2_000 + 2_000);
            assertThat(verifyFailures).as("verifications that did not answer active").isEmpty();
            long stopped = stoppedAt;
            long restarted = restartedAt;
            assertThat(sent).as("commands answered 2xx while the node was down")
                    .anyMatch(x -> x.status() / 100 == 2 && x.doneNanos() > stopped && x.doneNanos() < restarted);
            assertThat(verifiedAt).as("verifications answered while the node was down")
                    .anyMatch(t -> t > stopped && t < restarted);

            List<CredentialEvent> events = assertExactlyOnce(cluster.bootstrapServers(), topics, sent);
            int answered = (int) sent.stream().filter(x -> x.status() / 100 == 2).count();

            // The node came back: it is a replica in sync again for every partition of the event log.
            int back = leader;
            long inSyncBy = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
                while (true) {
                    var partitions = admin.describeTopics(List.of(Topics.EVENTS)).allTopicNames().get().get(Topics.EVENTS)
                            .partitions();
                    boolean allInSync = partitions.stream().allMatch(p -> p.isr().stream().anyMatch(n -> n.id() == back));
                    if (allInSync) {
                        break;
                    }
                    assertThat(System.nanoTime()).as("node %d back in sync for every partition of %s", back, Topics.EVENTS)
                            .isLessThan(inSyncBy);
                    java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(200).toNanos()); // polling the ISR
                }
            }
            long pauseMs = longestGapMs(sent, stoppedAt, restartedAt);
            System.out.printf("[failover] node %d (leader of %s-0) stopped under load and restarted %.1f s later: %d commands "
                            + "answered 2xx (%d answers 503 with a commandId, retried), %d not confirmed after retries, %d events, %d "
                            + "verifications all active (%d while it was down); "
                            + "longest pause between answered commands from the stop: %d ms; slowest answer %d ms%n",
                    leader, Topics.EVENTS, (restartedAt - stoppedAt) / 1e9, answered, UNAVAILABLE.get(), sent.size() - answered,
                    events.size(), verifiedAt.size(), verifiedAt.stream().filter(t -> t > stopped && t < restarted).count(),
                    pauseMs, maxLatency);
            assertThat(answered).isGreaterThan(100);
        }
    }

    /**
     * The event log after a fault: every event once, each account's sequence 1..n, every command answered 2xx applied
     * exactly once and every other at most once, an audit record for every event and every chain intact.
     */
    static List<CredentialEvent> assertExactlyOnce(String bootstrapServers, Topics topics, List<Sent> sent) {
        List<CredentialEvent> events = TopicDump.read(bootstrapServers, Topics.EVENTS,
                (t, b) -> AvroToDomain.event(topics.events.valueSerde().deserializer().deserialize(t, b)))
                .stream().map(r -> (CredentialEvent) r.value()).toList();
        Map<String, List<Long>> sequences = new HashMap<>();
        Set<UUID> eventIds = new HashSet<>();
        Map<String, Integer> allowed = new HashMap<>();
        for (CredentialEvent e : events) {
            assertThat(eventIds.add(e.metadata().eventId())).as("event appears once").isTrue();
            sequences.computeIfAbsent(e.metadata().accountId().value(), a -> new ArrayList<>()).add(e.metadata().sequence());
            if (e instanceof CredentialEvent.IpAllowed ip) {
                allowed.merge(e.metadata().accountId().value() + " " + ip.cidr(), 1, Integer::sum);
            }
        }
        sequences.forEach((account, seq) -> assertThat(seq).as(account + ": 1..n, no gap, no repeat")
                .isEqualTo(java.util.stream.LongStream.rangeClosed(1, seq.size()).boxed().toList()));
        for (Sent s : sent) {
            Integer times = allowed.get(s.account() + " " + s.cidr());
            if (s.status() / 100 == 2) {
                assertThat(times).as(s + " answered 2xx: applied exactly once").isEqualTo(1);
            } else {
                assertThat(times == null ? 0 : times).as(s + " not confirmed: applied at most once").isLessThanOrEqualTo(1);
            }
        }
        Map<String, List<AuditRecord>> audit = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        do {
            audit.clear();
            for (var r : TopicDump.read(bootstrapServers, Topics.AUDIT,
                    (t, b) -> topics.audit.valueSerde().deserializer().deserialize(t, b))) {
                AuditRecord a = (AuditRecord) r.value();
                audit.computeIfAbsent(a.getAccountId(), k -> new ArrayList<>()).add(a);
            }
        } while (audit.values().stream().mapToInt(List::size).sum() < events.size() && System.nanoTime() < deadline);
        assertThat(audit.values().stream().mapToInt(List::size).sum()).isEqualTo(events.size());
        audit.forEach((account, records) -> assertThat(AuditChain.firstBreak(records)).as(account).isEmpty());
        return events;
    }

    private static Settings instance(EmbeddedKafkaCluster cluster, EmbeddedSchemaRegistry registry, Path sealingKey)
            throws Exception {
        return Settings.embedded(Files.createTempDirectory("credledger-failover-"), 0, 0, 0)
                .withExternal(cluster.bootstrapServers(), registry.url())
                .withReplicationFactor((short) 3)
                .withCommandTimeout(COMMAND_TIMEOUT)
                .withAuditLog(TestLedger.externalAuditLog())
                .withTokens(ADMIN, AUDITOR, VERIFIER)
                .withSigning(null, sealingKey);
    }

    /** One client: its accounts enabled, then allow-list entries added one at a time, each to one instance or the other. */
    static void load(int client, List<Http> ledgers, AtomicBoolean running, List<Sent> sent, List<String> unexpected,
            List<Long> latenciesMs) {
        for (int a = 0; a < ACCOUNTS_PER_CLIENT; a++) {
            String account = "fo-" + client + "-" + a;
            send(ledgers.get(a % 2), "/v1/accounts/" + account + "/environments/sandbox/api/enable", null, account, null,
                    running, sent, unexpected, latenciesMs);
        }
        for (int i = 0; running.get() && i < 90 * ACCOUNTS_PER_CLIENT; i++) {
            String account = "fo-" + client + "-" + (i % ACCOUNTS_PER_CLIENT);
            String cidr = "10." + client + "." + (i / ACCOUNTS_PER_CLIENT) + ".0/24";
            send(ledgers.get(i % 2), "/v1/accounts/" + account + "/environments/sandbox/allowed-ips", "{\"cidr\":\"" + cidr + "\"}",
                    account, cidr, running, sent, unexpected, latenciesMs);
        }
    }

    private static void send(Http ledger, String path, String body, String account, String cidr, AtomicBoolean running,
            List<Sent> sent, List<String> unexpected, List<Long> latenciesMs) {
        String key = UUID.randomUUID().toString();
        int status = 0;
        for (int attempt = 0; attempt < 20; attempt++) {
            long started = System.nanoTime();
            Http.Response r = ledger.post(path, ADMIN, body, "Idempotency-Key", key);
            latenciesMs.add((System.nanoTime() - started) / 1_000_000);
            status = r.status();
            if (status / 100 == 2) {
                break;
            }
            if (status != 503) {
                unexpected.add(path + " -> " + status + " " + r.raw());
                break;
            }
            UNAVAILABLE.incrementAndGet();
            if (r.json().path("commandId").asText().isEmpty()) {
                unexpected.add(path + " -> 503 without a commandId: " + r.raw());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
        if (cidr != null) {
            sent.add(new Sent(account, cidr, status, System.nanoTime()));
        }
    }

    private static int leaderOf(EmbeddedKafkaCluster cluster, String topic, int partition) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            return d.partitions().get(partition).leader().id();
        }
    }

    static void awaitCount(List<Sent> sent, int count) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (sent.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + sent.size() + " of " + count + " commands answered in 90 s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    /** The longest time without an answered command, from the stop until well after the restart. */
    private static long longestGapMs(List<Sent> sent, long from, long restartedAt) {
        List<Long> done = sent.stream().filter(s -> s.status() / 100 == 2).map(Sent::doneNanos).sorted().toList();
        long longest = 0;
        long previous = from;
        for (long t : done) {
            if (t >= from) {
                longest = Math.max(longest, t - previous);
                previous = t;
            }
        }
        if (previous < restartedAt) {
            longest = Math.max(longest, restartedAt - previous); // nothing answered from the last one to the restart
        }
        return longest / 1_000_000;
    }
}
