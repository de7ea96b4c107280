package dev.credledger.bench;

import dev.credledger.events.model.AccountId;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.topology.CommandHeaders;
import dev.credledger.processors.topology.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Revocation propagation: a disable command sent → the token's revocation visible to a read_committed
 * consumer of credential-revocations (an upper bound of "disable accepted → revocation visible": the
 * result and the revocation commit in one transaction), and → applied by two revocation clients running meanwhile:
 * one that follows credential-revocations-early too (the default), one that follows the committed record only
 * (their listener calls, which run once the revocation is applied to their verify). Baseline: produce →
 * read_committed consume.
 */
final class RevocationLatency {

    private final Benchmarks b;
    private final Report report;
    private final java.util.Map<String, java.util.concurrent.ConcurrentHashMap<String, Long>> decided = new java.util.HashMap<>();

    RevocationLatency(Benchmarks b, Report report) {
        this.b = b;
        this.report = report;
    }

    /** @param withClients also measure until two revocation clients, running meanwhile, have applied each revocation */
    void run(int samples, boolean withClients) throws Exception {
        Histogram latency = new Histogram(3);
        Histogram atEarly = new Histogram(3);
        Histogram atCommitted = new Histogram(3);
        Histogram decidedToEarly = new Histogram(3);
        Histogram decidedToCommitted = new Histogram(3);
        java.util.Map<String, java.util.concurrent.ConcurrentHashMap<String, Long>> applied = new java.util.HashMap<>();
        // Microseconds from the decision (the revocation's revokedAt: the processor's clock, this process's) to applied.
        decided.clear();
        try (TopicWatch watch = new TopicWatch(b.app.bootstrapServers(), Topics.REVOCATIONS, false);
                AutoCloseable early = withClients ? client("bench-early", true, applied) : () -> { };
                AutoCloseable committed = withClients ? client("bench-committed", false, applied) : () -> { }) {
            for (int i = 0; i < samples && i < b.accounts.size(); i++) {
                AccountId account = b.accounts.get(b.accounts.size() - 1 - i);
                String token = b.tokens.get(account).fingerprint().hex();
                ProducerRecord<String, byte[]> disable = b.record(new Command.DisableApi(b.meta(account),
                        dev.credledger.events.model.Environment.SANDBOX));
                // Sent as the HTTP edge sends a command that is alone in flight: the processor commits at once.
                disable.headers().add(CommandHeaders.IN_FLIGHT, "1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                long start = System.nanoTime();
                b.producer.send(disable);
                b.producer.flush();
                boolean[] found = {false};
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!found[0] && System.nanoTime() < deadline) {
                    watch.await(1, Duration.ofMillis(50), r -> found[0] |= token.equals(r.key()));
                }
                latency.recordValue((System.nanoTime() - start) / 1000);
                while (withClients && System.nanoTime() < deadline && !(applied.get("bench-early").containsKey(token)
                        && applied.get("bench-committed").containsKey(token))) {
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                }
                if (withClients && System.nanoTime() < deadline) {
                    atEarly.recordValue((applied.get("bench-early").get(token) - start) / 1000);
                    atCommitted.recordValue((applied.get("bench-committed").get(token) - start) / 1000);
                    decidedToEarly.recordValue(Math.max(0, decided.get("bench-early").get(token)));
                    decidedToCommitted.recordValue(Math.max(0, decided.get("bench-committed").get(token)));
                }
            }
        }
        b.activeTokens.subList(b.activeTokens.size() - Math.min(samples, b.accounts.size()), b.activeTokens.size()).clear();
        report.line("revocation propagation (disable sent -> revocation visible, read_committed): " + Report.millis(latency)
                + " (target p50 <= 20 ms, p99 <= 50 ms)");
        if (withClients) {
            report.line("  disable sent -> applied by a revocation client following credential-revocations-early: "
                    + Report.millis(atEarly) + " (moonshot: p99 ~5 ms)");
            report.line("  disable sent -> applied by a revocation client following the committed record only, same run: "
                    + Report.millis(atCommitted));
            report.line("  decided (revokedAt, same clock) -> applied, early: " + Report.millis(decidedToEarly)
                    + "; committed record only: " + Report.millis(decidedToCommitted));
        }

        String topic = "bench-roundtrip";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b.app.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        Histogram baseline = new Histogram(3);
        try (TopicWatch watch = new TopicWatch(b.app.bootstrapServers(), topic, false)) {
            for (int i = 0; i < samples; i++) {
                long start = System.nanoTime();
                b.producer.send(new ProducerRecord<>(topic, "k", new byte[100]));
                b.producer.flush();
                watch.await(1, Duration.ofSeconds(10), r -> { });
                baseline.recordValue((System.nanoTime() - start) / 1000);
            }
        }
        report.line("  baseline, same run: plain produce -> read_committed consume round trip: " + Report.millis(baseline));
    }

    /** A revocation client that notes when each fingerprint's revocation was applied (its listener runs after). */
    private dev.credledger.client.RevocationClient client(String point, boolean early,
            java.util.Map<String, java.util.concurrent.ConcurrentHashMap<String, Long>> applied) throws InterruptedException {
        java.util.concurrent.ConcurrentHashMap<String, Long> seen = new java.util.concurrent.ConcurrentHashMap<>();
        applied.put(point, seen);
        java.util.concurrent.ConcurrentHashMap<String, Long> sinceDecided = new java.util.concurrent.ConcurrentHashMap<>();
        decided.put(point, sinceDecided);
        dev.credledger.client.RevocationClient c = dev.credledger.client.RevocationClient.builder()
                .bootstrapServers(b.app.bootstrapServers()).schemaRegistryUrl(b.app.registryUrl()).enforcementPoint(point)
                .followEarlyRevocations(early).build();
        c.onRevocation(r -> {
            long at = System.nanoTime();
            java.time.Instant now = java.time.Instant.now();
            // Before seen: the loop that waits for seen reads this one right after.
            sinceDecided.putIfAbsent(r.fingerprint(), java.time.Duration.between(r.revokedAt(), now).toNanos() / 1000);
            seen.putIfAbsent(r.fingerprint(), at);
        });
        c.start();
        if (!c.awaitReady(Duration.ofSeconds(60))) {
            throw new IllegalStateException(point + " not ready");
        }
        return c;
    }
}
