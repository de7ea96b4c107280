package dev.credledger.processors.topology;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The Kafka Streams configuration of the ledger. Exactly-once (v2) always; latency is governed by the
 * commit interval and Streams' poll time, both set low; the producer lingers until the commit's flush.
 *
 * @param applicationId the Streams application ID (and consumer group); instances sharing it share the work
 * @param bootstrapServers the Kafka cluster
 * @param stateDir where RocksDB keeps the stores
 * @param replicationFactor of the internal (changelog) topics
 * @param standbyReplicas warm copies of each store on other instances
 * @param streamThreads Streams threads of this instance (more: throughput; one: the lowest tail latency)
 * @param applicationServer {@code host:port} of this instance's HTTP API, for routing queries; may be {@code null}
 * @param instanceId stable, unique ID of this instance for Kafka's static group membership (a restart
 *     takes its partitions back without a rebalance or a session timeout); {@code null} for dynamic membership
 * @param rocksDbTotalBytes off-heap bound of all stores together
 * @param rocksDbWriteBufferBytes the memtable part of that bound
 */
public record StreamsSettings(
        String applicationId, String bootstrapServers, Path stateDir, int replicationFactor, int standbyReplicas,
        int streamThreads, String applicationServer, String instanceId, long rocksDbTotalBytes, long rocksDbWriteBufferBytes) {

    /** Longer than the commit interval: a commit's flush sends what its transaction wrote. */
    static final int LINGER_UNTIL_COMMIT_MS = 1_000;

    public StreamsSettings {
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(stateDir, "stateDir");
    }

    /** One local instance, as the embedded default and the tests run it. */
    public static StreamsSettings local(String bootstrapServers, Path stateDir) {
        return new StreamsSettings("credledger", bootstrapServers, stateDir, 1, 0, 1, null, null,
                BoundedMemoryRocksDbConfig.DEFAULT_TOTAL_BYTES, BoundedMemoryRocksDbConfig.DEFAULT_WRITE_BUFFER_BYTES);
    }

    public Properties toProperties() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, replicationFactor);
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas);
        // Batches commands under load; a command sent alone asks for its commit at once (CommandHeaders.IN_FLIGHT).
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 10);
        p.put(StreamsConfig.POLL_MS_CONFIG, 5);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads);
        // Records wait for the commit, which flushes them all at once: the transaction's partitions reach the
        // coordinator in one request, not one per partition as they would with linger 0 (fewer __transaction_state
        // records per command; docs/benchmarks.md, "Record budget"). Nobody reads them before the commit anyway (read_committed).
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), LINGER_UNTIL_COMMIT_MS);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        p.put("processing.exception.handler.global.enabled", true);
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedMemoryRocksDbConfig.class);
        p.put(BoundedMemoryRocksDbConfig.TOTAL_BYTES, Long.toString(rocksDbTotalBytes));
        p.put(BoundedMemoryRocksDbConfig.WRITE_BUFFER_BYTES, Long.toString(rocksDbWriteBufferBytes));
        if (instanceId != null) {
            p.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId);
        }
        if (applicationServer != null) {
            p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer);
        }
        return p;
    }
}
