package dev.credledger.api.audit;

import dev.credledger.events.avro.AuditRecord;
import dev.credledger.processors.topology.Keys;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Predicate;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * What one actor, or one source address, did across accounts: the {@code view-audit-by-party} index of each
 * partition scanned between two keys and merged by key (time, then account, then sequence), so that the
 * records come out oldest first whatever partition holds them.
 *
 * <p>A {@link Slice} is what one set of partitions can tell: its records in key order, how far it read, and
 * whether it read everything. Slices of the partitions of every instance merge into one page by
 * {@link #merge}: a record is only given once every slice that stopped early has read past it, so the
 * page's order is the global order and the cursor continues it exactly.
 */
public final class PartyActivity {

    /** The two stores of one partition: the index, and the trail its keys point into. */
    public record Partition(ReadOnlyKeyValueStore<String, String> index, ReadOnlyKeyValueStore<String, AuditRecord> audit) {}

    /** A record found, with the index key that orders it. */
    public record Found(String key, Map<String, Object> item) {}

    /**
     * @param items in key order, at most the page's limit
     * @param scannedTo the last index key read, {@code null} if none
     * @param exhausted whether nothing is left between the bounds after {@code scannedTo}
     */
    public record Slice(List<Found> items, String scannedTo, boolean exhausted) {}

    /** A page: its items, and the key to continue after, or {@code null} at the end. */
    public record Page(List<Map<String, Object>> items, String nextKey) {}

    private PartyActivity() {}

    /**
     * Reads the index of these partitions from {@code fromKey} (inclusive) to {@code toKey} (inclusive), merged by
     * key, keeping the records {@code wanted} accepts, until {@code limit} are found or the work budget of an
     * audit page ({@link AuditQuery#MAX_SCANNED} index entries, {@link AuditQuery#MAX_SCAN_NANOS}) is spent.
     */
    public static Slice scan(List<Partition> partitions, String fromKey, String toKey, Predicate<AuditRecord> wanted,
            int limit) {
        record Head(KeyValue<String, String> entry, KeyValueIterator<String, String> rest, Partition partition) {}
        List<KeyValueIterator<String, String>> open = new ArrayList<>();
        PriorityQueue<Head> heads = new PriorityQueue<>(Comparator.comparing((Head h) -> h.entry().key));
        try {
            if (fromKey.compareTo(toKey) <= 0) {
                for (Partition p : partitions) {
                    KeyValueIterator<String, String> it = p.index().range(fromKey, toKey);
                    open.add(it);
                    if (it.hasNext()) {
                        heads.add(new Head(it.next(), it, p));
                    }
                }
            }
            List<Found> items = new ArrayList<>();
            String last = null;
            int scanned = 0;
            long deadline = System.nanoTime() + AuditQuery.MAX_SCAN_NANOS;
            while (!heads.isEmpty()) {
                if (items.size() == limit || scanned == AuditQuery.MAX_SCANNED
                        || (scanned > 0 && (scanned & 255) == 0 && System.nanoTime() > deadline)) {
                    return new Slice(items, last, false);
                }
                Head head = heads.poll();
                scanned++;
                last = head.entry().key;
                AuditRecord record = head.partition().audit().get(Keys.auditKeyOfParty(last));
                // A record the index names but the trail does not have yet is one being written right now: the
                // index is written first; the next page finds it.
                if (record != null && wanted.test(record)) {
                    items.add(new Found(last, item(record)));
                }
                if (head.rest().hasNext()) {
                    heads.add(new Head(head.rest().next(), head.rest(), head.partition()));
                }
            }
            return new Slice(items, last, true);
        } finally {
            open.forEach(KeyValueIterator::close);
        }
    }

    /** One page of {@code limit} records from the slices of every instance (see the class comment). */
    public static Page merge(List<Slice> slices, int limit) {
        String boundary = null;
        for (Slice s : slices) {
            if (!s.exhausted() && s.scannedTo() != null && (boundary == null || s.scannedTo().compareTo(boundary) < 0)) {
                boundary = s.scannedTo();
            }
        }
        List<Found> all = new ArrayList<>();
        for (Slice s : slices) {
            for (Found f : s.items()) {
                if (boundary == null || f.key().compareTo(boundary) <= 0) {
                    all.add(f);
                }
            }
        }
        all.sort(Comparator.comparing(Found::key));
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, all.size()); i++) {
            items.add(all.get(i).item());
        }
        String next = all.size() > limit ? all.get(limit - 1).key() : boundary;
        return new Page(items, next);
    }

    /** The per-account record shape, with the account it belongs to first. */
    static Map<String, Object> item(AuditRecord r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("accountId", r.getAccountId());
        out.putAll(AuditQuery.item(r));
        return out;
    }
}
