package dev.credledger.events.model;

/** How a change reached the ledger. */
public enum Channel {
    HTTP_API,
    CONSOLE,
    CLI,
    /** The ledger itself, for example when a grace period ends. */
    SYSTEM,
    /** A channel this reader does not know yet (written by a newer version). */
    OTHER
}
