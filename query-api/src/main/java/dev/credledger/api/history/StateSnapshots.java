package dev.credledger.api.history;

import dev.credledger.events.mapping.AvroToDomain;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.processors.history.AccountReplay;
import dev.credledger.processors.topology.Keys;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Snapshots of accounts' folded state every {@link #EVERY} events, kept in memory on the instance that
 * answers (events are immutable, so a snapshot never goes stale): the state at an instant folds only the
 * events after the latest snapshot before it. Bounded to {@link #MAX_PER_ACCOUNT} per account (its oldest
 * dropped first) and {@link #MAX_SNAPSHOTS} in all (the least recently used account's dropped first); lost on
 * restart and rebuilt by the next queries.
 */
final class StateSnapshots {

    static final int EVERY = 500;
    static final int MAX_SNAPSHOTS = 512;
    /** Per account too, so that one account with a long history cannot take every slot (the oldest go first). */
    static final int MAX_PER_ACCOUNT = 16;

    /** Per account, snapshots by the occurredAt of their last event (times never go backwards within an account). */
    private final LinkedHashMap<String, NavigableMap<Instant, AccountReplay>> byAccount = new LinkedHashMap<>(16, 0.75f, true);
    private int count;

    /**
     * The account folded up to {@code asOf}, or {@code null} if the account has no event at all.
     */
    AccountReplay stateAt(ReadOnlyKeyValueStore<String, dev.credledger.events.avro.CredentialEvent> store, AccountId account,
            Instant asOf) {
        AccountReplay start = latestBefore(account.value(), asOf);
        AccountReplay replay = start == null ? new AccountReplay(account) : start.copy();
        String prefix = Keys.auditPrefix(account.value());
        String from = start == null ? prefix : Keys.accountEvent(account.value(), start.sequence() + 1);
        boolean any = start != null;
        try (KeyValueIterator<String, dev.credledger.events.avro.CredentialEvent> it = store.range(from, prefix + "~")) {
            while (it.hasNext()) {
                any = true;
                CredentialEvent event = AvroToDomain.event(it.next().value);
                if (event.metadata().occurredAt().isAfter(asOf)) {
                    break;
                }
                replay.apply(event);
                if (replay.sequence() % EVERY == 0) {
                    remember(account.value(), replay.copy());
                }
            }
        }
        return any ? replay : null;
    }

    private synchronized AccountReplay latestBefore(String account, Instant asOf) {
        NavigableMap<Instant, AccountReplay> snapshots = byAccount.get(account);
        if (snapshots == null) {
            return null;
        }
        Map.Entry<Instant, AccountReplay> e = snapshots.floorEntry(asOf);
        return e == null ? null : e.getValue();
    }

    private synchronized void remember(String account, AccountReplay snapshot) {
        NavigableMap<Instant, AccountReplay> snapshots = byAccount.computeIfAbsent(account, a -> new TreeMap<>());
        if (snapshots.put(snapshot.lastEventAt(), snapshot) == null) {
            count++;
        }
        while (snapshots.size() > MAX_PER_ACCOUNT) {
            snapshots.pollFirstEntry();
            count--;
        }
        while (count > MAX_SNAPSHOTS && !byAccount.isEmpty()) {
            var eldest = byAccount.entrySet().iterator().next();
            count -= eldest.getValue().size();
            byAccount.remove(eldest.getKey());
        }
    }
}
