package dev.credledger.processors.topology;

import dev.credledger.events.avro.AllowList;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.SigningSalt;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.avro.state.ApiAccessState;
import dev.credledger.events.avro.state.CredentialState;
import dev.credledger.events.mapping.AvroToDomain;
import dev.credledger.events.mapping.DomainToAvro;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.Actor;
import dev.credledger.events.model.EventMetadata;
import dev.credledger.processors.audit.AuditChain;
import dev.credledger.events.model.Cidr;
import dev.credledger.processors.domain.Credential;
import dev.credledger.processors.domain.Ledger;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Builds the query side from {@code credential-events}: API access and credentials per account+environment
 * (the same fold as the command side, by {@link Ledger#apply}), the hash-chained audit trail, and the
 * updates of the replicated token lookup and allow-lists.
 */
final class ViewProcessor implements Processor<String, dev.credledger.events.avro.CredentialEvent, String, Object> {

    static final String AUDIT_SINK = "audit-sink";
    static final String TOKEN_LOOKUP_SINK = "token-lookup-sink";
    static final String ALLOW_LISTS_SINK = "allow-lists-sink";
    static final String SIGNING_SALTS_SINK = "signing-salts-sink";
    private static final int HEADS_CACHED = 10_000;

    private ProcessorContext<String, Object> context;
    private StoreLedgerState state;
    private Ledger ledger;
    private KeyValueStore<String, AuditRecord> audit;
    private KeyValueStore<String, dev.credledger.events.avro.CredentialEvent> accountEvents;
    private KeyValueStore<String, String> byParty;
    /**
     * The latest audit record of recently active accounts, so that most events skip a reverse range scan of
     * {@code view-audit}. Made anew in {@link #init}, which Kafka Streams calls again whenever it revives the
     * task (an aborted transaction included), so it never holds a head the store does not have.
     */
    private Map<String, AuditRecord> heads;

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        KeyValueStore<String, ApiAccessState> access = context.getStateStore(Stores.VIEW_API_ACCESS);
        KeyValueStore<String, CredentialState> credentials = context.getStateStore(Stores.VIEW_CREDENTIALS);
        // Views need neither account-wide state nor the name index: fewer stores, fewer changelog records.
        state = new StoreLedgerState(null, access, credentials, null);
        ledger = Ledger.replaying(state);
        audit = context.getStateStore(Stores.VIEW_AUDIT);
        accountEvents = context.getStateStore(Stores.VIEW_ACCOUNT_EVENTS);
        byParty = context.getStateStore(Stores.VIEW_AUDIT_BY_PARTY);
        heads = new java.util.LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, AuditRecord> eldest) {
                return size() > HEADS_CACHED;
            }
        };
    }

    @Override
    public void close() {
        heads = null;
    }

    @Override
    public void process(Record<String, dev.credledger.events.avro.CredentialEvent> record) {
        CredentialEvent event = AvroToDomain.event(record.value());
        EventMetadata m = event.metadata();
        String account = m.accountId().value();
        // Kept even when the rest was applied already (the put is idempotent): re-reading credential-events from
        // the start fills this store for events written before it existed (README, "Upgrading").
        accountEvents.put(Keys.accountEvent(account, m.sequence()), record.value());
        index(m, account);
        AuditRecord head = lastAuditRecord(account);
        if (head != null && head.getSequence() >= m.sequence()) {
            return; // applied already
        }
        ledger.apply(event);

        AuditRecord entry = AuditChain.next(head == null ? AuditChain.GENESIS : head.getHash(), event);
        audit.put(Keys.audit(account, m.occurredAt(), m.sequence()), entry);
        heads.put(account, entry);
        long ts = record.timestamp();
        context.forward(new Record<>(account, entry, ts), AUDIT_SINK);

        Credential credential = credentialOf(event);
        for (Map.Entry<String, TokenLookup> lookup : TokenLookups.of(event, credential)) {
            context.forward(new Record<>(lookup.getKey(), lookup.getValue(), ts), TOKEN_LOOKUP_SINK);
        }
        signingSalt(event, ts);
        if (m.environment() != null) {
            AllowList allowList = TokenLookups.allowList(event, state.access(m.accountId(), m.environment()));
            if (allowList != null) {
                // An empty allow-list is a tombstone: nothing to keep, every address allowed.
                context.forward(new Record<>(Keys.access(m.accountId(), m.environment()),
                        allowList.getCidrs().isEmpty() ? null : allowList, ts), ALLOW_LISTS_SINK);
            }
        }
    }

    /** Every instance's copy of the sealed salts that sign webhooks: put when enabled, removed when disabled. */
    private void signingSalt(CredentialEvent event, long ts) {
        EventMetadata m = event.metadata();
        switch (event) {
            case CredentialEvent.ApiEnabled e when e.sealedSalt() != null -> context.forward(new Record<>(
                    Keys.access(m.accountId(), m.environment()),
                    new SigningSalt(DomainToAvro.secret(e.privateSalt()), DomainToAvro.sealed(e.sealedSalt())), ts),
                    SIGNING_SALTS_SINK);
            case CredentialEvent.ApiDisabled e ->
                    context.forward(new Record<>(Keys.access(m.accountId(), m.environment()), null, ts), SIGNING_SALTS_SINK);
            default -> { }
        }
    }

    /** Who acted and from where, for questions across accounts ("what did this actor, this address, do?"). */
    private void index(EventMetadata m, String account) {
        // The key says all (the record's key in view-audit follows from it): the value is empty.
        Actor actor = m.actor();
        byParty.put(Keys.byActor(actor.actorId(), m.occurredAt(), account, m.sequence()), "");
        Optional<String> address = Cidr.canonicalAddress(actor.sourceIp());
        if (address.isPresent()) {
            byParty.put(Keys.bySourceIp(address.get(), m.occurredAt(), account, m.sequence()), "");
        }
    }

    /** The account's latest audit record: the last key under its prefix (keys sort by time, then sequence). */
    private AuditRecord lastAuditRecord(String account) {
        AuditRecord cached = heads.get(account);
        if (cached != null) {
            return cached;
        }
        String prefix = Keys.auditPrefix(account);
        try (KeyValueIterator<String, AuditRecord> it = audit.reverseRange(prefix, prefix + "~")) {
            return it.hasNext() ? it.next().value : null;
        }
    }

    private Credential credentialOf(CredentialEvent event) {
        UUID id = Ledger.credentialIdOf(event);
        return id == null ? null : state.credential(event.metadata().accountId(), event.metadata().environment(), id);
    }
}
