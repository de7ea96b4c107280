package dev.credledger.processors.topology;

import dev.credledger.events.avro.AllowList;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.SigningSalt;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.mapping.DomainToAvro;
import dev.credledger.events.model.Actor;
import dev.credledger.events.model.Cidr;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.EventMetadata;
import dev.credledger.processors.audit.AuditChain;
import dev.credledger.processors.domain.Credential;
import dev.credledger.processors.domain.Ledger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * What an event decided by the single writer changes beside the event itself, written by the same task in the
 * command's transaction: the account's hash-chained audit record (the writer owns the chain head), the account's
 * event history and the cross-account index, the account's audit log, and the updates of the replicated token
 * lookup, allow-lists and signing salts. The account's API access and credentials need nothing here: the decision
 * state is the view ({@link Stores#COMMAND_API_ACCESS}, {@link Stores#COMMAND_CREDENTIALS}).
 */
final class Projections {

    static final String AUDIT_SINK = "audit-sink";
    static final String TOKEN_LOOKUP_SINK = "token-lookup-sink";
    static final String ALLOW_LISTS_SINK = "allow-lists-sink";
    static final String SIGNING_SALTS_SINK = "signing-salts-sink";
    private static final int HEADS_CACHED = 10_000;

    private final ProcessorContext<Object, Object> context;
    private final StoreLedgerState state;
    private final AuditLogAppender auditLog;
    private final KeyValueStore<String, AuditRecord> audit;
    private final KeyValueStore<String, dev.credledger.events.avro.CredentialEvent> accountEvents;
    private final KeyValueStore<String, String> byParty;
    /**
     * The latest audit record of recently active accounts, so that most events skip a reverse range scan of
     * {@code view-audit}. Made anew in each {@code init} of the command processor, which Kafka Streams calls again
     * whenever it revives the task (an aborted transaction included), so it never holds a head the store does not have.
     */
    private final Map<String, AuditRecord> heads = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, AuditRecord> eldest) {
            return size() > HEADS_CACHED;
        }
    };

    Projections(ProcessorContext<Object, Object> context, StoreLedgerState state, AuditLogAppender auditLog) {
        this.context = context;
        this.state = state;
        this.auditLog = auditLog;
        this.audit = context.getStateStore(Stores.VIEW_AUDIT);
        this.accountEvents = context.getStateStore(Stores.VIEW_ACCOUNT_EVENTS);
        this.byParty = context.getStateStore(Stores.VIEW_AUDIT_BY_PARTY);
    }

    /** Projects {@code event}, already applied to the decision state, and its Avro form as written. */
    void project(CredentialEvent event, dev.credledger.events.avro.CredentialEvent avro, long ts) {
        EventMetadata m = event.metadata();
        String account = m.accountId().value();
        accountEvents.put(Keys.accountEvent(account, m.sequence()), avro);
        index(m, account);

        AuditRecord head = lastAuditRecord(account);
        AuditRecord entry = AuditChain.next(head == null ? AuditChain.GENESIS : head.getHash(), event);
        audit.put(Keys.audit(account, m.occurredAt(), m.sequence()), entry);
        heads.put(account, entry);
        context.forward(new Record<>(account, entry, ts), AUDIT_SINK);
        auditLog.append(account, entry);

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
