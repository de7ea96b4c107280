package dev.credledger.processors.topology;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every RocksDB store of the process together, as the Kafka Streams
 * memory-management guide describes: one LRU block cache shared by all stores, with memtables charged
 * to it through one {@link WriteBufferManager}, and index and filter blocks inside the cache. Without it
 * each store (and each window-store segment) takes its own 50 MiB-ish of memtables and cache.
 *
 * <p>Sizes come from {@link #TOTAL_BYTES} and {@link #WRITE_BUFFER_BYTES} in the Streams configuration;
 * the first store to be configured creates the shared cache, which lives as long as the process: the
 * bound is per JVM, not per Streams instance (two ledgers in one JVM, as in tests, share it).
 *
 * <p>The bound is <em>soft</em>, as in the Kafka guide's own example: the cache is built without a strict
 * capacity limit, so RocksDB may exceed it briefly when pinned index and filter blocks and iterators in use
 * need more; a strict limit would instead fail reads and writes ("Insert failed due to LRU cache being
 * full"), which a credential ledger must not do. RocksDB's own bookkeeping and the JNI allocations outside
 * the cache are not counted either.
 */
public final class BoundedMemoryRocksDbConfig implements RocksDBConfigSetter {

    /** Everything RocksDB may use off-heap: block cache, index and filter blocks, and memtables. */
    public static final String TOTAL_BYTES = "credledger.rocksdb.total.bytes";
    /** The part of {@link #TOTAL_BYTES} that memtables may take. */
    public static final String WRITE_BUFFER_BYTES = "credledger.rocksdb.write.buffer.bytes";

    public static final long DEFAULT_TOTAL_BYTES = 256L << 20;
    public static final long DEFAULT_WRITE_BUFFER_BYTES = 64L << 20;

    private static Cache cache;
    private static WriteBufferManager writeBufferManager;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        synchronized (BoundedMemoryRocksDbConfig.class) {
            if (cache == null) {
                long total = bytes(configs, TOTAL_BYTES, DEFAULT_TOTAL_BYTES);
                long writeBuffers = bytes(configs, WRITE_BUFFER_BYTES, DEFAULT_WRITE_BUFFER_BYTES);
                // High-priority pool for index and filter blocks, so data blocks cannot evict them.
                cache = new LRUCache(total, -1, false, 0.1);
                writeBufferManager = new WriteBufferManager(writeBuffers, cache);
            }
            table.setBlockCache(cache);
            options.setWriteBufferManager(writeBufferManager);
        }
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setTableFormatConfig(table);
        options.setMaxWriteBufferNumber(2);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write buffer manager are shared by every store: they outlive any one store.
    }

    private static long bytes(Map<String, Object> configs, String key, long fallback) {
        Object value = configs.get(key);
        return value == null ? fallback : Long.parseLong(value.toString());
    }
}
