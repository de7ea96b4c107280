package dev.credledger.events.model;

/** Why a secret stopped being honoured, as published on the revocation feed. */
public enum RevocationReason {
    TOKEN_REFRESHED,
    TOKEN_COMPROMISED,
    API_DISABLED,
    CREDENTIAL_DEACTIVATED,
    CREDENTIAL_DELETED,
    /** The secret reached its expiry. */
    EXPIRED,
    /** A reason this reader does not know yet (written by a newer version). */
    OTHER
}
