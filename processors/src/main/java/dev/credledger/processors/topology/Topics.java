package dev.credledger.processors.topology;

import dev.credledger.events.avro.AllowList;
import dev.credledger.events.avro.AuditCheckpoint;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.CredentialEvent;
import dev.credledger.events.avro.CredentialRevoked;
import dev.credledger.events.avro.EnforcementAck;
import dev.credledger.events.avro.SigningSalt;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.avro.WrappedDataKey;
import dev.credledger.events.avro.command.CommandResult;
import dev.credledger.events.avro.command.CredentialCommand;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.serde.ConfluentAvroSerde;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The ledger's topics: names (a contract with downstream consumers, fixed), key and value types.
 * Built once per application from its registry client; no static mutable state.
 */
public final class Topics {

    public static final String COMMANDS = "credential-commands";
    public static final String EVENTS = "credential-events";
    public static final String RESULTS = "credential-command-results";
    public static final String REVOCATIONS = "credential-revocations";
    /**
     * Each revocation again, published the moment it is decided, before the transaction that records it commits
     * (at least once, not transactional): a head start for enforcement points. {@link #REVOCATIONS} stays the record;
     * kept an hour. See {@link EarlyRevocations}.
     */
    public static final String EARLY_REVOCATIONS = "credential-revocations-early";
    public static final String AUDIT = "credential-audit";
    public static final String TOKEN_LOOKUP = "credential-token-lookup";
    public static final String ALLOW_LISTS = "credential-allow-lists";
    public static final String DEAD_LETTERS = "credential-commands-dlq";
    /** Wrapped data keys (compacted, compacted soon after a tombstone: see {@link #definitions}). */
    public static final String DATA_KEYS = "credential-data-keys";
    /** Each enabled environment's sealed private salt (compacted). */
    public static final String SIGNING_SALTS = "credential-signing-salts";
    /**
     * Written by revocation clients, not by the ledger: how far each enforcement point has applied
     * {@code credential-revocations}. Kept as long as the revocations are, so the ledger can tell for each of them
     * when each point applied it.
     */
    public static final String ENFORCEMENT_ACKS = "credential-enforcement-acks";
    /** Signed checkpoints of the audit logs (one log per partition of credential-audit), kept forever. */
    public static final String AUDIT_CHECKPOINTS = "credential-audit-checkpoints";
    /** When each secret last verified, per instance (compacted): written by the verify route, at most once a minute. */
    public static final String USAGE = "credential-usage";
    /** Verification counts, flushed by each instance off the request path; the hourly usage windows are built from it. */
    public static final String VERIFICATIONS = "credential-verifications";
    /** Webhooks and Shared Signals streams: where credential changes are delivered outside Kafka (compacted). */
    public static final String DELIVERY_TARGETS = "credential-delivery-targets";
    /** How far each delivery target has been served (compacted): where another instance continues. */
    public static final String DELIVERY_STATE = "credential-delivery-state";

    public final Topic<String, byte[]> commandBytes;
    public final Topic<String, CredentialCommand> commands;
    public final Topic<String, CredentialEvent> events;
    public final Topic<String, CommandResult> results;
    public final Topic<String, CredentialRevoked> revocations;
    public final Topic<String, AuditRecord> audit;
    public final Topic<String, TokenLookup> tokenLookup;
    public final Topic<String, AllowList> allowLists;
    public final Topic<byte[], byte[]> deadLetters;
    public final Topic<String, WrappedDataKey> dataKeys;
    public final Topic<String, SigningSalt> signingSalts;
    public final Topic<String, EnforcementAck> enforcementAcks;
    public final Topic<String, AuditCheckpoint> auditCheckpoints;
    public final Topic<String, dev.credledger.events.avro.CredentialUsage> usage;
    public final Topic<String, dev.credledger.events.avro.VerificationCounts> verifications;
    public final Topic<String, dev.credledger.events.avro.DeliveryTarget> deliveryTargets;
    public final Topic<String, dev.credledger.events.avro.DeliveryState> deliveryState;

    public Topics(SchemaRegistryClient registry) {
        commandBytes = new Topic<>(COMMANDS, Serdes.String(), Serdes.ByteArray());
        commands = new Topic<>(COMMANDS, Serdes.String(), avro(registry, CredentialCommand.getClassSchema()));
        events = new Topic<>(EVENTS, Serdes.String(), avro(registry, CredentialEvent.getClassSchema()));
        results = new Topic<>(RESULTS, Serdes.String(), avro(registry, CommandResult.getClassSchema()));
        revocations = new Topic<>(REVOCATIONS, Serdes.String(), avro(registry, CredentialRevoked.getClassSchema()));
        audit = new Topic<>(AUDIT, Serdes.String(), avro(registry, AuditRecord.getClassSchema()));
        tokenLookup = new Topic<>(TOKEN_LOOKUP, Serdes.String(), avro(registry, TokenLookup.getClassSchema()));
        allowLists = new Topic<>(ALLOW_LISTS, Serdes.String(), avro(registry, AllowList.getClassSchema()));
        deadLetters = new Topic<>(DEAD_LETTERS, Serdes.ByteArray(), Serdes.ByteArray());
        dataKeys = new Topic<>(DATA_KEYS, Serdes.String(), avro(registry, WrappedDataKey.getClassSchema()));
        signingSalts = new Topic<>(SIGNING_SALTS, Serdes.String(), avro(registry, SigningSalt.getClassSchema()));
        enforcementAcks = new Topic<>(ENFORCEMENT_ACKS, Serdes.String(), avro(registry, EnforcementAck.getClassSchema()));
        auditCheckpoints = new Topic<>(AUDIT_CHECKPOINTS, Serdes.String(), avro(registry, AuditCheckpoint.getClassSchema()));
        usage = new Topic<>(USAGE, Serdes.String(), avro(registry, dev.credledger.events.avro.CredentialUsage.getClassSchema()));
        verifications = new Topic<>(VERIFICATIONS, Serdes.String(),
                avro(registry, dev.credledger.events.avro.VerificationCounts.getClassSchema()));
        deliveryTargets = new Topic<>(DELIVERY_TARGETS, Serdes.String(),
                avro(registry, dev.credledger.events.avro.DeliveryTarget.getClassSchema()));
        deliveryState = new Topic<>(DELIVERY_STATE, Serdes.String(),
                avro(registry, dev.credledger.events.avro.DeliveryState.getClassSchema()));
    }

    /**
     * The topics to create on a cluster that lacks them. Events and audit records are kept forever (the
     * source of truth and the trail); lookups and allow-lists are compacted (latest per key); results,
     * revocations, enforcement acknowledgements and dead letters age out.
     */
    public static List<NewTopic> definitions(int partitions, short replicationFactor, Duration revocationRetention) {
        Map<String, String> forever = Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.RETENTION_BYTES_CONFIG, "-1");
        Map<String, String> compacted = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        return List.of(
                new NewTopic(COMMANDS, partitions, replicationFactor)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(7).toMillis()))),
                new NewTopic(EVENTS, partitions, replicationFactor).configs(forever),
                new NewTopic(AUDIT, partitions, replicationFactor).configs(forever),
                new NewTopic(AUDIT_CHECKPOINTS, partitions, replicationFactor).configs(forever),
                new NewTopic(RESULTS, partitions, replicationFactor)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(1).toMillis()))),
                new NewTopic(REVOCATIONS, partitions, replicationFactor)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(revocationRetention.toMillis()))),
                // As long as the record: the ledger's proof of enforcement reads which copy each point applied first.
                new NewTopic(EARLY_REVOCATIONS, partitions, replicationFactor)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(revocationRetention.toMillis()))),
                new NewTopic(TOKEN_LOOKUP, partitions, replicationFactor).configs(compacted),
                new NewTopic(ALLOW_LISTS, partitions, replicationFactor).configs(compacted),
                new NewTopic(DEAD_LETTERS, 1, replicationFactor)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(30).toMillis()))),
                new NewTopic(DATA_KEYS, partitions, replicationFactor).configs(SHREDDING),
                new NewTopic(SIGNING_SALTS, partitions, replicationFactor).configs(compacted),
                new NewTopic(USAGE, partitions, replicationFactor).configs(compacted),
                // A feed into the hourly windows (whose changelog keeps them): a week covers any restore.
                new NewTopic(VERIFICATIONS, partitions, replicationFactor)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(7).toMillis()))),
                new NewTopic(DELIVERY_TARGETS, partitions, replicationFactor).configs(compacted),
                new NewTopic(DELIVERY_STATE, partitions, replicationFactor).configs(compacted),
                // Dated by the broker: the ledger judges enforcement on one clock, not on each client's.
                new NewTopic(ENFORCEMENT_ACKS, partitions, replicationFactor)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(revocationRetention.toMillis()),
                                TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")));
    }

    /**
     * A destroyed data key must leave the broker's log soon, not whenever the cleaner gets to it: segments roll
     * hourly, and a segment with a tombstone is compacted within the hour after (max.compaction.lag.ms), so a
     * wrapped key is gone from every replica's log about two hours after its tombstone at the latest.
     */
    public static final Map<String, String> SHREDDING = Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.SEGMENT_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis()),
            TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis()),
            TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01",
            TopicConfig.DELETE_RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(1).toMillis()));

    static <T extends SpecificRecord> Serde<T> avro(SchemaRegistryClient registry, Schema schema) {
        return ConfluentAvroSerde.forValues(registry, schema);
    }
}
