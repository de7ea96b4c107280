package dev.credledger.api;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import dev.credledger.processors.topology.Topics;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.StreamsMetadata;

/**
 * Finds where an account's view lives: in this instance's stores, on another instance (from Kafka
 * Streams' metadata), or nowhere right now (a rebalance is moving it).
 */
public final class StoreLocator {

    /** Where a query for one account must go. */
    public sealed interface Location<V> {
        record Local<V>(ReadOnlyKeyValueStore<String, V> store) implements Location<V> {}

        record Remote<V>(HostInfo host) implements Location<V> {}

        record Unavailable<V>(String why) implements Location<V> {}
    }

    private final Supplier<KafkaStreams> streams;
    private final Supplier<HostInfo> self;

    /** {@code self} is this instance's advertised HTTP address, known once the server listens. */
    public StoreLocator(Supplier<KafkaStreams> streams, Supplier<HostInfo> self) {
        this.streams = streams;
        this.self = self;
    }

    /** The location of {@code storeName}'s data for {@code account} (views are partitioned by account ID). */
    public <V> Location<V> locate(String storeName, String account) {
        KafkaStreams s = streams.get();
        if (s == null || s.state() != KafkaStreams.State.RUNNING) {
            return new Location.Unavailable<>("the ledger's stream processing is " + (s == null ? "starting" : s.state()));
        }
        KeyQueryMetadata metadata = s.queryMetadataForKey(storeName, account, Serdes.String().serializer());
        if (metadata == null || metadata == KeyQueryMetadata.NOT_AVAILABLE || metadata.activeHost() == null) {
            return new Location.Unavailable<>("no instance owns this account's view right now");
        }
        if (!metadata.activeHost().equals(self.get())) {
            return new Location.Remote<>(metadata.activeHost());
        }
        try {
            return new Location.Local<>(s.store(StoreQueryParameters
                    .fromNameAndType(storeName, QueryableStoreTypes.<String, V>keyValueStore())
                    .withPartition(metadata.partition())));
        } catch (InvalidStateStoreException e) {
            return new Location.Unavailable<>("the view is being moved or restored");
        }
    }

    /** Where every partition of a store is: those this instance holds, and the other instances that hold the rest. */
    public record Placement(List<Integer> localPartitions, List<HostInfo> others, java.util.Map<HostInfo, List<Integer>> partitionsOf) {}

    /**
     * The placement of {@code storeName}, a partitioned store of the single writer (whose partitions are those of
     * {@code credential-commands}, and of every topic co-partitioned with it); a 503 problem while stream processing
     * is not running (a rebalance moves partitions, and an answer from some would be partial).
     */
    public Placement placement(String storeName) {
        String sourceTopic = Topics.COMMANDS;
        KafkaStreams s = running();
        List<Integer> local = new ArrayList<>();
        List<HostInfo> others = new ArrayList<>();
        java.util.Map<HostInfo, List<Integer>> partitionsOf = new java.util.LinkedHashMap<>();
        for (StreamsMetadata m : s.streamsMetadataForStore(storeName)) {
            List<Integer> partitions = m.topicPartitions().stream().filter(tp -> tp.topic().equals(sourceTopic))
                    .map(TopicPartition::partition).sorted().toList();
            if (m.hostInfo().equals(self.get())) {
                local.addAll(partitions);
            } else if (!partitions.isEmpty()) {
                others.add(m.hostInfo());
                partitionsOf.put(m.hostInfo(), partitions);
            }
        }
        return new Placement(local, others, partitionsOf);
    }

    /** Where partition {@code partition} of {@code storeName} (a partitioned store of the single writer) is. */
    public <V> Location<V> locatePartition(String storeName, int partition) {
        String sourceTopic = Topics.COMMANDS;
        KafkaStreams s = running();
        for (StreamsMetadata m : s.streamsMetadataForStore(storeName)) {
            if (m.topicPartitions().contains(new TopicPartition(sourceTopic, partition))) {
                return m.hostInfo().equals(self.get()) ? new Location.Local<>(partition(storeName, partition))
                        : new Location.Remote<>(m.hostInfo());
            }
        }
        // Running, every partition is assigned somewhere: one that is not does not exist.
        throw Problem.notFound("no partition " + partition + " (the ledger's topics have fewer)");
    }

    /** One partition of a store this instance holds; a 503 problem if it is being moved or restored. */
    public <V> ReadOnlyKeyValueStore<String, V> partition(String storeName, int partition) {
        try {
            return running().store(StoreQueryParameters
                    .fromNameAndType(storeName, QueryableStoreTypes.<String, V>keyValueStore()).withPartition(partition));
        } catch (InvalidStateStoreException e) {
            throw Problem.unavailable("a partition of the view is being moved or restored; retry");
        }
    }

    private KafkaStreams running() {
        KafkaStreams s = streams.get();
        if (s == null || s.state() != KafkaStreams.State.RUNNING) {
            throw Problem.unavailable("the ledger's stream processing is " + (s == null ? "starting" : s.state()));
        }
        return s;
    }

    /**
     * This instance's partition of a window store of the single writer that holds {@code account}'s data, or {@code null}
     * when another instance holds it (the caller routed by {@link #locate} first); a 503 problem while moving.
     */
    public <V> org.apache.kafka.streams.state.ReadOnlyWindowStore<String, V> localWindows(String storeName, String account) {
        KafkaStreams s = running();
        KeyQueryMetadata metadata = s.queryMetadataForKey(storeName, account, Serdes.String().serializer());
        if (metadata == null || metadata == KeyQueryMetadata.NOT_AVAILABLE || !self.get().equals(metadata.activeHost())) {
            return null;
        }
        return windowPartition(storeName, metadata.partition());
    }

    /** One partition of a window store this instance holds; a 503 problem if it is being moved or restored. */
    public <V> org.apache.kafka.streams.state.ReadOnlyWindowStore<String, V> windowPartition(String storeName, int partition) {
        try {
            return running().store(StoreQueryParameters
                    .fromNameAndType(storeName, QueryableStoreTypes.<String, V>windowStore()).withPartition(partition));
        } catch (InvalidStateStoreException e) {
            throw Problem.unavailable("a partition of the view is being moved or restored; retry");
        }
    }

    /** A global store: every instance has all of it. */
    public <V> ReadOnlyKeyValueStore<String, V> global(String storeName) {
        KafkaStreams s = streams.get();
        if (s == null) {
            throw new InvalidStateStoreException("stream processing is starting");
        }
        return s.store(StoreQueryParameters.fromNameAndType(storeName, QueryableStoreTypes.<String, V>keyValueStore()));
    }
}
