package dev.credledger.processors.topology;

import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.command.CommandResult;
import dev.credledger.events.avro.state.AccountStateRecord;
import dev.credledger.events.avro.state.ApiAccessState;
import dev.credledger.events.avro.state.CredentialState;
import dev.credledger.events.registry.SchemaRegistryClient;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The ledger's state stores: names (stable, since changelog topics are named after them) and value
 * serdes. The {@code command-*} stores are the decision state of the single writer per account, and also what the
 * API shows of an account's access and credentials; the partitioned {@code view-*} stores and {@code audit-log} are
 * written by the same writer in the same transaction (their names are older than that: changelogs keep them); the
 * global ones are replicated to every instance from their topics.
 */
public final class Stores {

    public static final String COMMAND_ACCOUNTS = "command-accounts";
    public static final String COMMAND_API_ACCESS = "command-api-access";
    public static final String COMMAND_CREDENTIALS = "command-credentials";
    public static final String COMMAND_CREDENTIAL_NAMES = "command-credential-names";
    public static final String COMMAND_PROCESSED = "command-processed";
    public static final String COMMAND_GRACE_DEADLINES = "command-grace-deadlines";

    public static final String VIEW_AUDIT = "view-audit";
    /** Each account's events in sequence order: point-in-time state and secret histories are folded from them. */
    public static final String VIEW_ACCOUNT_EVENTS = "view-account-events";
    /**
     * Audit records by actor and by source address, across the accounts of a partition ({@link Keys#byActor},
     * {@link Keys#bySourceIp}); the value is empty: the key names the record in {@link #VIEW_AUDIT} of the same
     * partition ({@link Keys#auditKeyOfParty}).
     */
    public static final String VIEW_AUDIT_BY_PARTY = "view-audit-by-party";
    /**
     * The audit log of each partition of {@code credential-audit}: its Merkle tree's perfect subtrees, each record's
     * leaf index and every checkpoint signed ({@link dev.credledger.processors.audit.AuditLog}).
     */
    public static final String AUDIT_LOG = "audit-log";
    /** Global: the latest signed checkpoint of every audit log, by origin. */
    public static final String VIEW_AUDIT_CHECKPOINTS = "view-audit-checkpoints";
    /** Global: replicated to every instance, so verification never needs a network hop. */
    public static final String VIEW_TOKEN_LOOKUP = "view-token-lookup";
    /** Global, like the token lookup. */
    public static final String VIEW_ALLOW_LISTS = "view-allow-lists";
    /** Global: when each secret last verified (key: the secret ID). */
    public static final String VIEW_CREDENTIAL_USAGE = "view-credential-usage";
    /** Global and in memory only: a wrapped data key never reaches a disk of the ledger's own. */
    public static final String VIEW_DATA_KEYS = "view-data-keys";
    /** Global: every webhook and Shared Signals stream, by target ID. */
    public static final String VIEW_DELIVERY_TARGETS = "view-delivery-targets";
    /** Global: how far each delivery target has been served, by target ID. */
    public static final String VIEW_DELIVERY_STATE = "view-delivery-state";
    /** Global: every instance signs for every account without a network hop. */
    public static final String VIEW_SIGNING_SALTS = "view-signing-salts";
    /** Hourly verification counts per credential (window store; key {@code <account>|<credentialId>}). */
    public static final String USAGE_WINDOWS = "usage-verifications";

    final Serde<AccountStateRecord> accounts;
    final Serde<ApiAccessState> apiAccess;
    final Serde<CredentialState> credentials;
    final Serde<CommandResult> results;
    final Serde<AuditRecord> audit;
    final Serde<String> strings = Serdes.String();

    public Stores(SchemaRegistryClient registry) {
        accounts = Topics.avro(registry, AccountStateRecord.getClassSchema());
        apiAccess = Topics.avro(registry, ApiAccessState.getClassSchema());
        credentials = Topics.avro(registry, CredentialState.getClassSchema());
        results = Topics.avro(registry, CommandResult.getClassSchema());
        audit = Topics.avro(registry, AuditRecord.getClassSchema());
    }
}
