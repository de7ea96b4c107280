package dev.credledger.processors.topology;

import dev.credledger.events.avro.Outcome;
import dev.credledger.events.avro.command.CommandResult;
import dev.credledger.events.avro.command.CredentialCommand;
import dev.credledger.events.avro.state.AccountStateRecord;
import dev.credledger.events.avro.state.ApiAccessState;
import dev.credledger.events.avro.state.CredentialState;
import dev.credledger.events.mapping.DomainToAvro;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Actor;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.CredentialRevoked;
import dev.credledger.events.model.Environment;
import dev.credledger.events.serde.WireFormatException;
import dev.credledger.processors.audit.AuditLogSettings;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.domain.CommandMetadata;
import dev.credledger.processors.domain.Decider;
import dev.credledger.processors.domain.Decision;
import dev.credledger.processors.domain.Ledger;
import dev.credledger.processors.domain.Revocations;
import dev.credledger.processors.wire.CommandCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of an account: decodes a command, decides it on the account's stores, and forwards, in the one
 * transaction that answers the command, its events, revocations and result and everything they change downstream
 * ({@link Projections}: the audit record, the lookups, the account's history). Poison records go to the dead-letter
 * topic; a command ID seen within the idempotency window gets its earlier result again and changes nothing. Also ends
 * due grace periods, records due expiries and rotation notices ({@link Deadlines}), on a wall-clock punctuation
 * scheduled for the next deadline only: an idle ledger with no deadline near commits nothing.
 */
final class CommandProcessor implements Processor<String, byte[], Object, Object> {

    static final String EVENTS_SINK = "events-sink";
    static final String RESULTS_SINK = "results-sink";
    static final String REVOCATIONS_SINK = "revocations-sink";
    static final String DEAD_LETTER_SINK = "dead-letter-sink";
    static final String DATA_KEYS_SINK = "data-keys-sink";

    private static final Logger LOG = LoggerFactory.getLogger(CommandProcessor.class);
    private static final int MAX_DEADLINES_PER_CHECK = 1_000;

    private final Deserializer<CredentialCommand> commands;
    private final Decider decider;
    private final Duration idempotencyWindow;
    private final Duration graceCheckInterval;
    private final AuditLogSettings auditLogSettings;
    private final EarlyRevocations early;

    private ProcessorContext<Object, Object> context;
    private StoreLedgerState state;
    private Ledger ledger;
    private WindowStore<String, CommandResult> processed;
    private KeyValueStore<String, String> graceDeadlines;
    private Cancellable graceCheck;
    private long nextCheckAt;
    private Projections projections;

    CommandProcessor(Deserializer<CredentialCommand> commands, Decider decider, Duration idempotencyWindow,
            Duration graceCheckInterval, AuditLogSettings auditLogSettings, EarlyRevocations early) {
        this.commands = commands;
        this.early = early;
        this.auditLogSettings = auditLogSettings;
        this.decider = decider;
        this.idempotencyWindow = idempotencyWindow;
        this.graceCheckInterval = graceCheckInterval;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        KeyValueStore<String, AccountStateRecord> accounts = context.getStateStore(Stores.COMMAND_ACCOUNTS);
        KeyValueStore<String, ApiAccessState> access = context.getStateStore(Stores.COMMAND_API_ACCESS);
        KeyValueStore<String, CredentialState> credentials = context.getStateStore(Stores.COMMAND_CREDENTIALS);
        KeyValueStore<String, String> names = context.getStateStore(Stores.COMMAND_CREDENTIAL_NAMES);
        state = new StoreLedgerState(accounts, access, credentials, names);
        ledger = new Ledger(decider, state);
        processed = context.getStateStore(Stores.COMMAND_PROCESSED);
        graceDeadlines = context.getStateStore(Stores.COMMAND_GRACE_DEADLINES);
        projections = new Projections(context, state, new AuditLogAppender(auditLogSettings, context));
        graceCheck = null;
        // Deadlines that passed while the ledger was down are due at the first check.
        scheduleNextCheck();
    }

    /**
     * Schedules the next deadline check for the earliest deadline in the store (at least one interval from now), and
     * none when there is none: each punctuation commits a transaction, which an idle ledger should not.
     */
    private void scheduleNextCheck() {
        try (KeyValueIterator<String, String> first = graceDeadlines.all()) {
            if (!first.hasNext()) {
                if (graceCheck != null) {
                    graceCheck.cancel();
                    graceCheck = null;
                }
                return;
            }
            scheduleCheckAt(Deadlines.dueAt(first.next().key));
        }
    }

    private void scheduleCheckAt(long dueAt) {
        long now = context.currentSystemTimeMs();
        long at = Math.max(dueAt, now + graceCheckInterval.toMillis());
        if (graceCheck != null && nextCheckAt <= at) {
            return;
        }
        if (graceCheck != null) {
            graceCheck.cancel();
        }
        nextCheckAt = at;
        graceCheck = context.schedule(Duration.ofMillis(Math.max(1, at - now)), PunctuationType.WALL_CLOCK_TIME,
                this::handleDueDeadlines);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse(Topics.COMMANDS);
        CredentialCommand avro;
        try {
            avro = commands.deserialize(topic, record.headers(), record.value());
        } catch (WireFormatException e) {
            deadLetter(record, DeadLetters.Reason.UNDECODABLE, e);
            return;
        }
        if (avro == null) {
            deadLetter(record, DeadLetters.Reason.UNDECODABLE, new IllegalArgumentException("a command without value"));
            return;
        }
        Command command;
        try {
            command = CommandCodec.fromAvro(avro);
        } catch (IllegalArgumentException | NullPointerException e) {
            deadLetter(record, DeadLetters.Reason.INVALID_COMMAND, e);
            return;
        }
        if (!command.metadata().accountId().value().equals(record.key())) {
            deadLetter(record, DeadLetters.Reason.KEY_MISMATCH,
                    new IllegalArgumentException("record key is not the command's account ID"));
            return;
        }
        Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
        CommandResult earlier = earlierResult(command.metadata().commandId(), now);
        // Command IDs are unique per account by construction; the account check keeps it so by defence too.
        if (earlier != null && earlier.getAccountId().equals(record.key())) {
            CommandResult replay = CommandResult.newBuilder(earlier).setReplayed(true).build();
            context.forward(new Record<>(record.key(), replay, now.toEpochMilli()), RESULTS_SINK);
            // A repeated enable came with a data key of its own (the edge makes one per attempt): unless it is
            // the one in use (the same record delivered again), it will seal nothing.
            if (command instanceof Command.EnableApi e && e.sealedSalt() != null) {
                dev.credledger.events.model.SealedSecret inUse = state.access(e.metadata().accountId(), e.environment()).sealedSalt();
                if (inUse == null || !inUse.dataKeyId().equals(e.sealedSalt().dataKeyId())) {
                    shred(e.metadata().accountId(), e.environment(), e.sealedSalt().dataKeyId(), now.toEpochMilli());
                }
            }
            return;
        }
        Decision decision = ledger.handle(command, now);
        emit(decision.events());
        shredUnused(command, decision, now);
        CommandResult result = CommandResult.newBuilder(result(command, decision, now))
                .setRequestFingerprint(avro.getRequestFingerprint()).build();
        processed.put(command.metadata().commandId().toString(), result, now.toEpochMilli());
        context.forward(new Record<>(record.key(), result, now.toEpochMilli()), RESULTS_SINK);
        if (CommandHeaders.alone(record.headers())) {
            context.commit();
        }
    }

    private void emit(List<CredentialEvent> events) {
        for (CredentialEvent event : events) {
            long ts = event.metadata().occurredAt().toEpochMilli();
            dev.credledger.events.avro.CredentialEvent avro = DomainToAvro.event(event);
            context.forward(new Record<>(event.metadata().accountId().value(), avro, ts), EVENTS_SINK);
            projections.project(event, avro, ts);
            for (CredentialRevoked revocation : Revocations.of(event)) {
                String fingerprint = revocation.secret().fingerprint().hex();
                dev.credledger.events.avro.CredentialRevoked record = DomainToAvro.revocation(revocation);
                early.publish(fingerprint, record, ts);
                context.forward(new Record<>(fingerprint, record, ts), REVOCATIONS_SINK);
            }
            if (event instanceof CredentialEvent.ApiDisabled d && d.shreddedDataKeyId() != null) {
                // Crypto-shredding, in the transaction that records the disable: the sealed salt is noise from now on.
                shred(d.metadata().accountId(), d.metadata().environment(), d.shreddedDataKeyId(), ts);
            }
            if (event instanceof CredentialEvent.AuthTokenRefreshed r && r.graceUntil() != null) {
                graceDeadlines.put(Keys.graceDeadline(r.graceUntil(), r.metadata().accountId(),
                        r.metadata().environment(), r.previousToken().secretId()), "");
                scheduleCheckAt(r.graceUntil().toEpochMilli());
            }
            for (Map.Entry<String, String> deadline : Deadlines.of(event, state.account(event.metadata().accountId()).policy())) {
                graceDeadlines.put(deadline.getKey(), deadline.getValue());
                scheduleCheckAt(Deadlines.dueAt(deadline.getKey()));
            }
        }
    }

    /**
     * Destroys data keys that will seal nothing: the one the edge made for an enable that was refused (an enable
     * writes its data key before the command), in the same transaction as the refusal. The data key of a disabled
     * environment is destroyed in {@link #emit}.
     */
    private void shredUnused(Command command, Decision decision, Instant now) {
        if (command instanceof Command.EnableApi e && e.sealedSalt() != null && decision instanceof Decision.Rejected) {
            shred(e.metadata().accountId(), e.environment(), e.sealedSalt().dataKeyId(), now.toEpochMilli());
        }
    }

    private void shred(AccountId account, Environment environment, UUID dataKeyId, long ts) {
        context.forward(new Record<>(Keys.dataKey(account, environment, dataKeyId), null, ts), DATA_KEYS_SINK);
    }

    private CommandResult earlierResult(UUID commandId, Instant now) {
        try (WindowStoreIterator<CommandResult> found = processed.fetch(
                commandId.toString(), now.minus(idempotencyWindow), now)) {
            return found.hasNext() ? found.next().value : null;
        }
    }

    private CommandResult result(Command command, Decision decision, Instant now) {
        CommandResult.Builder result = CommandResult.newBuilder()
                .setCommandId(command.metadata().commandId())
                .setAccountId(command.metadata().accountId().value())
                .setCommandType(command.type())
                .setEventIds(decision.events().stream().map(e -> e.metadata().eventId()).toList())
                .setRevoked(decision.events().stream().flatMap(e -> Revocations.of(e).stream())
                        .map(r -> DomainToAvro.secret(r.secret())).toList())
                .setRevocationIds(decision.events().stream().flatMap(e -> Revocations.of(e).stream())
                        .map(CredentialRevoked::eventId).toList())
                .setActivated(decision.events().stream().flatMap(e -> activated(e).stream())
                        .map(DomainToAvro::secret).toList())
                .setUpdated(decision.events().stream().filter(e -> e instanceof CredentialEvent.CredentialScopesChanged)
                        .map(e -> DomainToAvro.secret(((CredentialEvent.CredentialScopesChanged) e).clientSecret())).toList())
                .setStateVersion(state.account(command.metadata().accountId()).stateVersion())
                .setLeakOutcome(decision.events().stream()
                        .filter(e -> e instanceof CredentialEvent.LeakReported)
                        .map(e -> ((CredentialEvent.LeakReported) e).outcome().name()).findFirst().orElse(null))
                .setGraceUntil(decision.events().stream().filter(e -> e instanceof CredentialEvent.AuthTokenRefreshed)
                        .map(e -> ((CredentialEvent.AuthTokenRefreshed) e).graceUntil()).filter(java.util.Objects::nonNull)
                        .findFirst().orElse(null))
                .setExpiresAt(decision.events().stream().map(CommandProcessor::expiryIssued)
                        .filter(java.util.Objects::nonNull).findFirst().orElse(null))
                .setDecidedAt(now);
        return switch (decision) {
            case Decision.Accepted a -> result.setOutcome(Outcome.ACCEPTED).setReasonCode(null).setDetail(null).build();
            case Decision.Rejected r ->
                    result.setOutcome(Outcome.REJECTED).setReasonCode(r.reason().name()).setDetail(r.detail()).build();
        };
    }

    /** The expiry of the secret an event issues, or {@code null}. */
    private static Instant expiryIssued(CredentialEvent event) {
        return switch (event) {
            case CredentialEvent.ApiEnabled e -> e.tokenExpiresAt();
            case CredentialEvent.AuthTokenRefreshed e -> e.newTokenExpiresAt();
            case CredentialEvent.ClientCredentialCreated e -> e.expiresAt();
            default -> null;
        };
    }

    /** Secrets an event makes active: what a caller may verify right after the command. */
    private static List<dev.credledger.events.model.SecretRef> activated(CredentialEvent event) {
        return switch (event) {
            case CredentialEvent.ApiEnabled e -> List.of(e.authToken(), e.privateSalt());
            case CredentialEvent.AuthTokenRefreshed e -> List.of(e.newToken());
            case CredentialEvent.ClientCredentialCreated e -> List.of(e.clientSecret());
            case CredentialEvent.CredentialReactivated e -> List.of(e.clientSecret());
            default -> List.of();
        };
    }

    /** Ends due grace periods and records due expiries and notices, each through the decider, then schedules the next. */
    private void handleDueDeadlines(long timestamp) {
        Instant now = Instant.ofEpochMilli(timestamp);
        List<KeyValue<String, String>> due = new ArrayList<>();
        try (KeyValueIterator<String, String> it = graceDeadlines.range("0", Keys.graceDeadlineUpTo(now))) {
            // At most a batch per transaction (after a long stop many may be due): the next check takes the rest.
            while (it.hasNext() && due.size() < MAX_DEADLINES_PER_CHECK) {
                due.add(it.next());
            }
        }
        for (KeyValue<String, String> entry : due) {
            emit(ledger.handle(Deadlines.command(entry.key, entry.value, now), now).events());
            graceDeadlines.delete(entry.key);
        }
        graceCheck.cancel();
        graceCheck = null;
        scheduleNextCheck();
    }

    private void deadLetter(Record<String, byte[]> record, DeadLetters.Reason reason, Exception cause) {
        RecordMetadata source = context.recordMetadata().orElse(null);
        LOG.warn("Command record sent to {} ({}): {} at {}", Topics.DEAD_LETTERS, reason, cause.getClass().getSimpleName(),
                source == null ? "?" : source.topic() + "-" + source.partition() + "@" + source.offset());
        byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        context.forward(new Record<Object, Object>(key, record.value(), record.timestamp(),
                DeadLetters.headers(record.headers(), reason, cause, source)), DEAD_LETTER_SINK);
    }
}
