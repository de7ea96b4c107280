package dev.credledger.processors.domain;

/** The status of a named client credential. DELETED is final; EXPIRED is final but for a delete. */
public enum CredentialStatus {
    ACTIVE,
    INACTIVE,
    DELETED,
    /** Its expiry passed: it never verifies again and cannot be reactivated; it can still be deleted. */
    EXPIRED
}
