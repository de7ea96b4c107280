package dev.credledger.bench;

import dev.credledger.events.model.AccountId;
import dev.credledger.processors.domain.Command;
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
 * result and the revocation commit in one transaction). Baseline: produce → read_committed consume.
 */
final class RevocationLatency {

    private final Benchmarks b;
    private final Report report;

    RevocationLatency(Benchmarks b, Report report) {
        this.b = b;
        this.report = report;
    }

    void run(int samples) throws Exception {
        Histogram latency = new Histogram(3);
        try (TopicWatch watch = new TopicWatch(b.app.bootstrapServers(), Topics.REVOCATIONS, false)) {
            for (int i = 0; i < samples && i < b.accounts.size(); i++) {
                AccountId account = b.accounts.get(b.accounts.size() - 1 - i);
                String token = b.tokens.get(account).fingerprint().hex();
                ProducerRecord<String, byte[]> disable = b.record(new Command.DisableApi(b.meta(account),
                        dev.credledger.events.model.Environment.SANDBOX));
                long start = System.nanoTime();
                b.producer.send(disable);
                b.producer.flush();
                boolean[] found = {false};
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!found[0] && System.nanoTime() < deadline) {
                    watch.await(1, Duration.ofMillis(50), r -> found[0] |= token.equals(r.key()));
                }
                latency.recordValue((System.nanoTime() - start) / 1000);
            }
        }
        b.activeTokens.subList(b.activeTokens.size() - Math.min(samples, b.accounts.size()), b.activeTokens.size()).clear();
        report.line("revocation propagation (disable sent -> revocation visible, read_committed): " + Report.millis(latency)
                + " (target p50 <= 20 ms, p99 <= 50 ms)");

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
}
