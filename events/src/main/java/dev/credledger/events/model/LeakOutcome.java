package dev.credledger.events.model;

/** What a leak report led to. */
public enum LeakOutcome {
    /** The secret was active and the same command revoked it. */
    REVOKED,
    /** The secret was active; the account's leak policy is {@link LeakMode#NOTIFY}, so it stays active. */
    NOTIFIED,
    /** The secret was already revoked or inactive: recorded, nothing else. */
    NOT_ACTIVE
}
