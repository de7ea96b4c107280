package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.api.Http;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.registry.server.EmbeddedSchemaRegistry;
import dev.credledger.processors.topology.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The only broker killed with SIGKILL — a process of its own, so no shutdown of any kind, nothing flushed, transactions
 * left open — while four clients send commands over HTTP to a running ledger, then started again on the same data and
 * port. Every command answered 2xx is in the event log exactly once; one answered 503 (with its {@code commandId},
 * retried under the same {@code Idempotency-Key}) at most once; every account's sequence is 1..n and every audit chain
 * intact; and commands are answered again after the broker is back.
 */
class BrokerKillTest {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    /** How long the broker stays dead: long enough for commands in flight to time out. */
    private static final Duration OUTAGE = Duration.ofSeconds(4);

    @Test
    void aBrokerKilledUnderHttpLoadLosesNoAnsweredCommandAndAppliesNoneTwice() throws Exception {
        Path brokerDir = Files.createTempDirectory("credledger-killed-broker-");
        int port = LedgerProcess.freePort();
        BrokerProcess broker = BrokerProcess.start(brokerDir, port);
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(
                EmbeddedSchemaRegistry.Settings.local(broker.bootstrapServers, 0));
                LedgerApplication ledger = LedgerApplication.start(Settings.embedded(
                        Files.createTempDirectory("credledger-kill-"), 0, 0, 0)
                        .withExternal(broker.bootstrapServers, registry.url())
                        .withCommandTimeout(COMMAND_TIMEOUT)
                        .withAuditLog(TestLedger.externalAuditLog())
                        .withTokens(ADMIN, AUDITOR, VERIFIER)
                        .withSigning(null, TestLedger.sealingKeyFile()))) {
            Http http = new Http(ledger.httpUrl());
            TestLedger.awaitReady(ledger, http);
            AtomicBoolean running = new AtomicBoolean(true);
            List<BrokerFailoverTest.Sent> sent = Collections.synchronizedList(new ArrayList<>());
            List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
            List<Long> latenciesMs = Collections.synchronizedList(new ArrayList<>());
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int client = c;
                clients.add(Thread.ofPlatform().start(() -> {
                    try {
                        BrokerFailoverTest.load(client, List.of(http, http), running, sent, unexpected, latenciesMs);
                    } catch (Throwable t) {
                        unexpected.add("client " + client + " stopped: " + t);
                    }
                }));
            }
            long killedAt;
            long backAt;
            try {
                BrokerFailoverTest.awaitCount(sent, 40);
                killedAt = System.nanoTime();
                broker.kill();
                LockSupport.parkNanos(OUTAGE.toNanos()); // the outage itself: the broker is dead, nothing to wait for
                broker = BrokerProcess.start(brokerDir, port);
                backAt = System.nanoTime();
                BrokerFailoverTest.awaitCount(sent, sent.size() + 40);
            } finally {
                running.set(false);
                for (Thread t : clients) {
                    t.join(Duration.ofSeconds(120));
                }
            }
            assertThat(clients).as("client threads ended").noneMatch(Thread::isAlive);
            assertThat(unexpected).as("answers other than 2xx or 503 with a commandId").isEmpty();
            long after = backAt;
            assertThat(sent).as("commands answered 2xx after the broker came back")
                    .anyMatch(x -> x.status() / 100 == 2 && x.doneNanos() > after);

            Topics topics = new Topics(new SchemaRegistryClient(SchemaRegistryClient.Settings.of(registry.url())));
            var events = BrokerFailoverTest.assertExactlyOnce(broker.bootstrapServers, topics, sent);
            long answered = sent.stream().filter(x -> x.status() / 100 == 2).count();
            long slowest = latenciesMs.stream().mapToLong(Long::longValue).max().orElse(0);
            System.out.printf("[broker-kill] broker killed (SIGKILL) under load, back %.1f s later: %d commands answered 2xx, "
                            + "%d not confirmed after retries, %d events, slowest answer %d ms%n", (backAt - killedAt) / 1e9,
                    answered, sent.size() - answered, events.size(), slowest);
            assertThat(slowest).as("no answer slower than the command timeout, the lookup wait and 2 s of slack")
                    .isLessThan(COMMAND_TIMEOUT.toMillis() + 2_000 + 2_000);
            assertThat(answered).isGreaterThan(60);
        } finally {
            broker.close();
        }
    }
}
