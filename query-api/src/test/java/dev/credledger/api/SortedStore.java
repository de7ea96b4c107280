package dev.credledger.api;

import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A sorted map with the range scan of a key-value store, counting the records read: a stand-in for RocksDB
 * in tests of query logic (budgets, snapshots), where the store itself is not what is being checked.
 */
public final class SortedStore<V> implements ReadOnlyKeyValueStore<String, V> {

    private final NavigableMap<String, V> map = new TreeMap<>();
    private long reads;

    public void put(String key, V value) {
        map.put(key, value);
    }

    /** Records handed out by iterators so far. */
    public long reads() {
        return reads;
    }

    @Override
    public V get(String key) {
        return map.get(key);
    }

    @Override
    public KeyValueIterator<String, V> range(String from, String to) {
        Iterator<Map.Entry<String, V>> it = map.subMap(from, true, to, true).entrySet().iterator();
        return new KeyValueIterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public KeyValue<String, V> next() {
                reads++;
                Map.Entry<String, V> e = it.next();
                return KeyValue.pair(e.getKey(), e.getValue());
            }

            @Override
            public String peekNextKey() {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public KeyValueIterator<String, V> all() {
        return range("", "\uffff");
    }

    @Override
    public long approximateNumEntries() {
        return map.size();
    }
}
