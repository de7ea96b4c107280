package dev.credledger.bench;

import dev.credledger.events.model.AccountId;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.topology.StreamsSettings;
import dev.credledger.processors.topology.Topics;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Commands per second, exactly-once, all views updated: from the first command sent to the last audit
 * record visible (the command processor writes it in the command's transaction, with the views). Baseline: a
 * pass-through Kafka Streams app with the same exactly-once settings copying the same bytes.
 */
final class Throughput {

    private final Benchmarks b;
    private final Report report;

    Throughput(Benchmarks b, Report report) {
        this.b = b;
        this.report = report;
    }

    /** Measures and reports both; returns the ledger's commands per second. */
    double run() throws Exception {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        int perAccount = Math.max(3, b.commandCount / b.accountCount);
        for (int i = 0; i < b.accountCount; i++) {
            AccountId account = new AccountId("bench-" + i);
            b.accounts.add(account);
            records.add(b.record(b.enable(account)));
            records.add(b.record(b.create(account, "bench-credential")));
            for (int j = 0; j < perAccount - 2; j++) {
                records.add(b.record(new Command.AllowIp(b.meta(account), dev.credledger.events.model.Environment.SANDBOX,
                        "10." + (j / 250) + "." + (j % 250) + ".0/24")));
            }
        }
        double ledger = measure(records, Topics.AUDIT);
        report.line(String.format("command throughput (EOS, all views updated): %,.0f commands/s over %,d commands"
                + " (target >= 20,000/s)", ledger, records.size()));

        String in = "bench-passthrough-in";
        String out = "bench-passthrough-out";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b.app.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(in, 3, (short) 1), new NewTopic(out, 3, (short) 1))).all().get();
        }
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(in, Consumed.with(Serdes.String(), Serdes.ByteArray())).to(out, Produced.with(Serdes.String(), Serdes.ByteArray()));
        Properties props = StreamsSettings.local(b.app.bootstrapServers(), Files.createTempDirectory("bench-pt-")).toProperties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-passthrough");
        try (KafkaStreams passthrough = new KafkaStreams(builder.build(), props)) {
            passthrough.start();
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (passthrough.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
            }
            List<ProducerRecord<String, byte[]>> copies = records.stream()
                    .map(r -> new ProducerRecord<>(in, r.key(), r.value())).toList();
            double baseline = measure(copies, out);
            report.line(String.format("  baseline, same run: Kafka Streams EOS pass-through of the same records: %,.0f records/s"
                    + " (ratio %.3f; target >= 0.2)", baseline, ledger / baseline));
        }
        return ledger;
    }

    private double measure(List<ProducerRecord<String, byte[]>> records, String outputTopic) {
        try (TopicWatch watch = new TopicWatch(b.app.bootstrapServers(), outputTopic, false)) {
            long start = System.nanoTime();
            records.forEach(b.producer::send);
            b.producer.flush();
            long seen = watch.await(records.size(), Duration.ofMinutes(10), r -> { });
            long elapsed = System.nanoTime() - start;
            if (seen < records.size()) {
                throw new IllegalStateException("only " + seen + " of " + records.size() + " records arrived on " + outputTopic);
            }
            return records.size() / (elapsed / 1e9);
        }
    }
}
