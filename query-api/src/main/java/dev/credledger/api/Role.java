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
    /** No key needed: health and metrics. */
    PUBLIC
}
