package dev.credledger.processors.domain;

/** The status of a named client credential. DELETED is final. */
public enum CredentialStatus {
    ACTIVE,
    INACTIVE,
    DELETED
}
