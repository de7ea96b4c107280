package dev.credledger.embedded;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * What is on a broker, counted from outside: the end offset of every partition of every topic (data records and
 * transaction markers both take an offset) and the bytes of every partition's log. Used by the record-budget test and
 * the bench to count what one command costs: take a settled footprint, send, take another, subtract.
 */
public final class BrokerFootprint implements AutoCloseable {

    /** The end offsets and log sizes of every partition at one moment. */
    public record Snapshot(Map<TopicPartition, Long> endOffsets, Map<TopicPartition, Long> bytes) {

        /** Records (and markers) added since {@code before}, by topic; topics that did not move are left out. */
        public Map<String, Long> recordsSince(Snapshot before) {
            return since(endOffsets, before.endOffsets);
        }

        /** Log bytes added since {@code before}, by topic. */
        public Map<String, Long> bytesSince(Snapshot before) {
            return since(bytes, before.bytes);
        }

        private static Map<String, Long> since(Map<TopicPartition, Long> now, Map<TopicPartition, Long> then) {
            Map<String, Long> out = new TreeMap<>();
            now.forEach((tp, value) -> {
                long added = value - then.getOrDefault(tp, 0L);
                if (added != 0) {
                    out.merge(tp.topic(), added, Long::sum);
                }
            });
            return out;
        }
    }

    private final Admin admin;
    private final boolean internal;

    /** @param internal whether the broker's own {@code __consumer_offsets} and {@code __transaction_state} count */
    public BrokerFootprint(String bootstrapServers, boolean internal) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        this.internal = internal;
    }

    /** The end offset of every partition (without log sizes: one request fewer). */
    public Map<TopicPartition, Long> endOffsets() {
        try {
            Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(30, TimeUnit.SECONDS);
            topics.removeIf(t -> !internal && t.startsWith("__"));
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, d) -> d.partitions()
                    .forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, Long> out = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading end offsets", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not read the end offsets", e);
        }
    }

    /** End offsets and log sizes now. */
    public Snapshot snapshot() {
        Map<TopicPartition, Long> offsets = endOffsets();
        Map<TopicPartition, Long> bytes = new HashMap<>();
        try {
            admin.describeLogDirs(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream().map(n -> n.id()).toList())
                    .allDescriptions().get(30, TimeUnit.SECONDS).values().forEach(dirs -> dirs.values().forEach(dir ->
                            dir.replicaInfos().forEach((tp, info) -> {
                                if (offsets.containsKey(tp)) {
                                    bytes.merge(tp, info.size(), Long::sum);
                                }
                            })));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading log sizes", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not read the log sizes", e);
        }
        return new Snapshot(offsets, bytes);
    }

    /**
     * The footprint once no end offset moved for {@code quiet} (background writers settled); fails if that takes
     * longer than {@code deadline}, naming what kept moving.
     */
    public Snapshot settled(Duration quiet, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        Map<TopicPartition, Long> last = endOffsets();
        List<String> moved = new ArrayList<>();
        long since = System.nanoTime();
        while (System.nanoTime() - since < quiet.toNanos()) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("the topics never stayed still for " + quiet + "; moving: " + moved);
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos()); // polling offsets
            Map<TopicPartition, Long> now = endOffsets();
            if (!now.equals(last)) {
                Map<TopicPartition, Long> then = last;
                List<String> these = new ArrayList<>();
                now.forEach((tp, offset) -> {
                    if (!offset.equals(then.get(tp))) {
                        these.add(tp + "+" + (offset - then.getOrDefault(tp, 0L)));
                    }
                });
                moved.add(these.toString());
                if (moved.size() > 12) {
                    moved.removeFirst();
                }
                last = now;
                since = System.nanoTime();
            }
        }
        Snapshot s = snapshot();
        if (!s.endOffsets().equals(last)) {
            return settled(quiet, Duration.ofNanos(Math.max(0, end - System.nanoTime())));
        }
        return s;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
