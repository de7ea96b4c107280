package dev.credledger.bench;

import dev.credledger.events.avro.CredentialEvent;
import dev.credledger.processors.topology.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;

/**
 * Point-in-time replay: read credential-events from the start, decode, and fold every event into fresh
 * in-memory state (what answering "what was active at 14:02" takes). Baseline: read and decode only.
 */
final class Replay {

    private final Benchmarks b;
    private final Report report;

    Replay(Benchmarks b, Report report) {
        this.b = b;
        this.report = report;
    }

    void run() throws Exception {
        long total = eventCount();
        for (int round = 0; round < 2; round++) { // the first round warms the JIT and the page cache
            long start = System.nanoTime();
            List<CredentialEvent> events = read(total);
            long read = System.nanoTime();
            Benchmarks.fold(events);
            long end = System.nanoTime();
            if (round == 1) {
                report.line(String.format("point-in-time replay (read + decode + fold): %,.0f events/s over %,d events"
                        + " (target >= 100,000/s)", total / ((end - start) / 1e9), total));
                report.line(String.format("  baseline, same run: read + decode only: %,.0f events/s; fold alone: %,.0f events/s",
                        total / ((read - start) / 1e9), total / ((end - read) / 1e9)));
            }
        }
    }

    private List<CredentialEvent> read(long total) {
        List<CredentialEvent> events = new ArrayList<>();
        try (TopicWatch watch = new TopicWatch(b.app.bootstrapServers(), Topics.EVENTS, true)) {
            watch.await(total, Duration.ofMinutes(5),
                    r -> events.add(b.topics.events.valueSerde().deserializer().deserialize(Topics.EVENTS, r.value())));
        }
        return events;
    }

    private long eventCount() throws Exception {
        try (Admin admin = Admin.create(java.util.Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b.app.bootstrapServers()))) {
            var partitions = admin.describeTopics(List.of(Topics.EVENTS)).allTopicNames().get().get(Topics.EVENTS).partitions();
            var offsets = admin.listOffsets(partitions.stream().collect(java.util.stream.Collectors.toMap(
                    p -> new TopicPartition(Topics.EVENTS, p.partition()),
                    p -> org.apache.kafka.clients.admin.OffsetSpec.latest()))).all().get();
            // Transaction markers take offsets too: count records, not offsets.
            long upper = offsets.values().stream().mapToLong(o -> o.offset()).sum();
            long[] count = {0};
            try (TopicWatch watch = new TopicWatch(b.app.bootstrapServers(), Topics.EVENTS, true)) {
                watch.await(upper, Duration.ofSeconds(20), r -> count[0]++);
            }
            return count[0];
        }
    }
}
