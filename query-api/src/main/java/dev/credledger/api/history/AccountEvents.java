package dev.credledger.api.history;

import dev.credledger.events.mapping.AvroToDomain;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.processors.topology.Keys;
import java.time.Instant;
import java.util.function.Consumer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Reads an account's events from {@code view-account-events}, oldest first. */
public final class AccountEvents {

    private AccountEvents() {}

    /**
     * Hands each event of the account up to {@code until} (inclusive; {@code null}: all) to {@code each};
     * returns whether the account has any event at all.
     */
    public static boolean read(ReadOnlyKeyValueStore<String, dev.credledger.events.avro.CredentialEvent> store,
            AccountId account, Instant until, Consumer<CredentialEvent> each) {
        String prefix = Keys.auditPrefix(account.value());
        boolean any = false;
        try (KeyValueIterator<String, dev.credledger.events.avro.CredentialEvent> it = store.range(prefix, prefix + "~")) {
            while (it.hasNext()) {
                any = true;
                CredentialEvent event = AvroToDomain.event(it.next().value);
                // Event times never go backwards within an account: the first one after `until` ends the read.
                if (until != null && event.metadata().occurredAt().isAfter(until)) {
                    break;
                }
                each.accept(event);
            }
        }
        return any;
    }
}
