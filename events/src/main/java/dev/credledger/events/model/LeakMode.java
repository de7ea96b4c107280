package dev.credledger.events.model;

/** What the ledger does when a scanner reports one of an account's active secrets as leaked. */
public enum LeakMode {
    /** Revoke it at once (the default). */
    REVOKE,
    /** Record the report and raise it (metric, audit record), without revoking. */
    NOTIFY
}
