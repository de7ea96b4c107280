package dev.credledger.processors.topology;

import dev.credledger.processors.audit.AuditLogSettings;
import dev.credledger.processors.domain.Decider;
import dev.credledger.processors.domain.Limits;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The one factory of the ledger's topology, used by the application and by every test.
 *
 * <p>One exactly-once hop: the single writer of an account decides a command and writes, in one transaction, everything
 * the command's answer depends on.
 *
 * <pre>
 * credential-commands ─► command-processor ─┬─► credential-events
 *   (command-* stores: the decision state   ├─► credential-command-results
 *    and the account views;                 ├─► credential-revocations
 *    view-audit, view-account-events,       ├─► credential-audit ┄┄ audit-log store: the partition's Merkle tree
 *    view-audit-by-party, audit-log)        ├─► credential-audit-checkpoints (a log that grew, each interval) ─► view-audit-checkpoints (global)
 *                                           ├─► credential-token-lookup ─► view-token-lookup (global)
 *                                           ├─► credential-allow-lists  ─► view-allow-lists (global)
 *                                           ├─► credential-signing-salts ─► view-signing-salts (global)
 *                                           ├─► credential-data-keys (tombstones: crypto-shredding)
 *                                           └─► credential-commands-dlq
 * </pre>
 */
public final class LedgerTopology {

    /**
     * @param limits the bounds of the rules
     * @param idempotencyWindow how long a command ID is remembered (a repeat gets the first result)
     * @param graceCheckInterval how often due grace periods are ended (wall clock)
     * @param usageRetention how long hourly verification counts are kept
     */
    public record Settings(Limits limits, Duration idempotencyWindow, Duration graceCheckInterval, AuditLogSettings auditLog,
            Duration usageRetention) {
        public static final Duration DEFAULT_USAGE_RETENTION = Duration.ofDays(90);
        public static final Settings DEFAULT = new Settings(Limits.DEFAULT, Duration.ofHours(24), Duration.ofSeconds(1),
                AuditLogSettings.ephemeral("credledger.local/audit", Duration.ofMinutes(1)), DEFAULT_USAGE_RETENTION);

        public Settings {
            Objects.requireNonNull(limits, "limits");
            Objects.requireNonNull(idempotencyWindow, "idempotencyWindow");
            Objects.requireNonNull(graceCheckInterval, "graceCheckInterval");
            Objects.requireNonNull(auditLog, "auditLog");
            if (usageRetention.compareTo(UsageWindows.WINDOW) < 0) {
                throw new IllegalArgumentException("usage retention must be at least one hour");
            }
        }

        public Settings(Limits limits, Duration idempotencyWindow, Duration graceCheckInterval, AuditLogSettings auditLog) {
            this(limits, idempotencyWindow, graceCheckInterval, auditLog, DEFAULT_USAGE_RETENTION);
        }

        public Settings withAuditLog(AuditLogSettings value) {
            return new Settings(limits, idempotencyWindow, graceCheckInterval, value, usageRetention);
        }
    }

    private static final String COMMANDS_SOURCE = "commands-source";
    private static final String COMMAND_PROCESSOR = "command-processor";
    private static final String VERIFICATIONS_SOURCE = "verifications-source";

    private LedgerTopology() {}

    public static Topology build(Topics topics, Stores stores, Settings settings) {
        return build(topics, stores, settings, EarlyRevocations.NONE);
    }

    /** With {@code early}: every revocation also published the moment it is decided (see {@link EarlyRevocations}). */
    public static Topology build(Topics topics, Stores stores, Settings settings, EarlyRevocations early) {
        Topology t = new Topology();
        t.addSource(COMMANDS_SOURCE, topics.commandBytes.keySerde().deserializer(),
                topics.commandBytes.valueSerde().deserializer(), Topics.COMMANDS);
        Decider decider = new Decider(settings.limits());
        t.addProcessor(COMMAND_PROCESSOR, () -> new CommandProcessor(topics.commands.valueSerde().deserializer(), decider,
                settings.idempotencyWindow(), settings.graceCheckInterval(), settings.auditLog(), early), COMMANDS_SOURCE);
        t.addStateStore(kv(Stores.COMMAND_ACCOUNTS, stores.strings, stores.accounts), COMMAND_PROCESSOR);
        t.addStateStore(kv(Stores.COMMAND_API_ACCESS, stores.strings, stores.apiAccess), COMMAND_PROCESSOR);
        t.addStateStore(kv(Stores.COMMAND_CREDENTIALS, stores.strings, stores.credentials), COMMAND_PROCESSOR);
        t.addStateStore(kv(Stores.COMMAND_CREDENTIAL_NAMES, stores.strings, stores.strings), COMMAND_PROCESSOR);
        t.addStateStore(kv(Stores.COMMAND_GRACE_DEADLINES, stores.strings, stores.strings), COMMAND_PROCESSOR);
        t.addStateStore(org.apache.kafka.streams.state.Stores.windowStoreBuilder(
                org.apache.kafka.streams.state.Stores.persistentWindowStore(Stores.COMMAND_PROCESSED,
                        settings.idempotencyWindow(), Duration.ofMillis(1), false),
                stores.strings, stores.results).withCachingEnabled(), COMMAND_PROCESSOR);
        sink(t, CommandProcessor.EVENTS_SINK, topics.events, COMMAND_PROCESSOR);
        sink(t, CommandProcessor.RESULTS_SINK, topics.results, COMMAND_PROCESSOR);
        sink(t, CommandProcessor.REVOCATIONS_SINK, topics.revocations, COMMAND_PROCESSOR);
        sink(t, CommandProcessor.DEAD_LETTER_SINK, topics.deadLetters, COMMAND_PROCESSOR);
        sink(t, CommandProcessor.DATA_KEYS_SINK, topics.dataKeys, COMMAND_PROCESSOR);

        // Append-only: every key is written once, so a record cache would fold nothing and only cost its upkeep.
        t.addStateStore(kv(Stores.VIEW_AUDIT, stores.strings, stores.audit).withCachingDisabled(), COMMAND_PROCESSOR);
        t.addStateStore(kv(Stores.VIEW_ACCOUNT_EVENTS, stores.strings, topics.events.valueSerde()).withCachingDisabled(),
                COMMAND_PROCESSOR);
        t.addStateStore(kv(Stores.VIEW_AUDIT_BY_PARTY, stores.strings, stores.strings).withCachingDisabled(), COMMAND_PROCESSOR);
        t.addStateStore(kv(Stores.AUDIT_LOG, stores.strings, org.apache.kafka.common.serialization.Serdes.ByteArray()),
                COMMAND_PROCESSOR);
        sink(t, Projections.AUDIT_SINK, topics.audit, COMMAND_PROCESSOR);
        sink(t, Projections.TOKEN_LOOKUP_SINK, topics.tokenLookup, COMMAND_PROCESSOR);
        sink(t, Projections.ALLOW_LISTS_SINK, topics.allowLists, COMMAND_PROCESSOR);
        sink(t, Projections.SIGNING_SALTS_SINK, topics.signingSalts, COMMAND_PROCESSOR);
        sink(t, AuditLogAppender.CHECKPOINTS_SINK, topics.auditCheckpoints, COMMAND_PROCESSOR);

        // Hourly verification counts: a windowed aggregation of what the instances flush to credential-verifications.
        // Its store is also connected to the command processor (which never reads it) so that it shares the account's
        // task: the usage of an account's credentials is kept where the account is, and the credential report reads both.
        t.addSource(VERIFICATIONS_SOURCE, topics.verifications.keySerde().deserializer(),
                topics.verifications.valueSerde().deserializer(), Topics.VERIFICATIONS);
        t.addProcessor(UsageWindows.PROCESSOR, UsageWindows::new, VERIFICATIONS_SOURCE);
        t.addStateStore(org.apache.kafka.streams.state.Stores.windowStoreBuilder(
                org.apache.kafka.streams.state.Stores.persistentWindowStore(Stores.USAGE_WINDOWS, settings.usageRetention(),
                        UsageWindows.WINDOW, false),
                stores.strings, topics.verifications.valueSerde()).withCachingEnabled(), UsageWindows.PROCESSOR, COMMAND_PROCESSOR);
        global(t, Stores.VIEW_AUDIT_CHECKPOINTS, topics.auditCheckpoints, stores);

        global(t, Stores.VIEW_TOKEN_LOOKUP, topics.tokenLookup, stores);
        global(t, Stores.VIEW_ALLOW_LISTS, topics.allowLists, stores);
        global(t, Stores.VIEW_SIGNING_SALTS, topics.signingSalts, stores);
        global(t, Stores.VIEW_CREDENTIAL_USAGE, topics.usage, stores);
        global(t, Stores.VIEW_DELIVERY_TARGETS, topics.deliveryTargets, stores);
        global(t, Stores.VIEW_DELIVERY_STATE, topics.deliveryState, stores);
        global(t, org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                org.apache.kafka.streams.state.Stores.inMemoryKeyValueStore(Stores.VIEW_DATA_KEYS), stores.strings,
                topics.dataKeys.valueSerde()), topics.dataKeys);
        return t;
    }

    private static <V> void global(Topology t, String storeName, Topic<String, V> topic, Stores stores) {
        global(t, kv(storeName, stores.strings, topic.valueSerde()), topic);
    }

    private static <V> void global(Topology t, StoreBuilder<org.apache.kafka.streams.state.KeyValueStore<String, V>> store,
            Topic<String, V> topic) {
        // The topic is the changelog: restoring reads it straight into the store, so values are stored as-is.
        String storeName = store.name();
        t.addGlobalStore(store.withCachingDisabled().withLoggingDisabled(),
                topic.name() + "-source", topic.keySerde().deserializer(), topic.valueSerde().deserializer(),
                topic.name(), storeName + "-updater", () -> new GlobalStoreUpdater<>(storeName));
    }

    private static <K, V> void sink(Topology t, String name, Topic<K, V> topic, String parent) {
        t.addSink(name, topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer(), parent);
    }

    private static <V> StoreBuilder<org.apache.kafka.streams.state.KeyValueStore<String, V>> kv(
            String name, Serde<String> keys, Serde<V> values) {
        KeyValueBytesStoreSupplier supplier = org.apache.kafka.streams.state.Stores.persistentKeyValueStore(name);
        // The record cache folds repeated writes of a key within a commit into one changelog record.
        return org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(supplier, keys, values).withCachingEnabled();
    }
}
