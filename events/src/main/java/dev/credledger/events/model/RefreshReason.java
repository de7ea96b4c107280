package dev.credledger.events.model;

/** Why an auth token was regenerated. */
public enum RefreshReason {
    ROUTINE,
    /** Suspected leaked: downstream services should treat the old token as hostile. */
    COMPROMISED
}
