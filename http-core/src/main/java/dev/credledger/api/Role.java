package dev.credledger.api;

import io.javalin.security.RouteRole;

/** Who may call what. */
public enum Role implements RouteRole {
    /** Commands, and everything else. */
    ADMIN,
    /** Reads views and the audit trail. */
    AUDITOR,
    /** Only {@code POST /v1/verify}. */
    VERIFIER,
    /** Only the MAC routes: a webhook sender has its payloads signed with an environment's private salt. */
    SIGNER,
    /** Only {@code POST /v1/leaks}: a secret scanner reporting what it found. */
    SCANNER,
    /** A Shared Signals receiver: its own streams (management, status, verification, polling). */
    RECEIVER,
    /** No key needed: health and metrics. */
    PUBLIC
}
