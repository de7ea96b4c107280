package dev.credledger.processors.domain;

/** Why a command was refused. The code is part of the API: clients branch on it. */
public enum RejectionReason {
    /** {@code expectedVersion} was given and is not the account's current state version. */
    VERSION_CONFLICT,
    /** Live API access and live credentials need a PROFESSIONAL or TEAMS plan. */
    PLAN_REQUIRED,
    API_ALREADY_ENABLED,
    API_NOT_ENABLED,
    /** A grace period longer than the limit (24 h by default), negative, or asked for a compromised token. */
    GRACE_PERIOD_NOT_ALLOWED,
    NAME_INVALID,
    NAME_TAKEN,
    CREDENTIAL_NOT_FOUND,
    /** Delete is final: a deleted credential cannot be changed again. */
    CREDENTIAL_DELETED,
    CREDENTIAL_ALREADY_ACTIVE,
    CREDENTIAL_ALREADY_INACTIVE,
    IP_INVALID,
    IP_ALREADY_ALLOWED,
    IP_NOT_ALLOWED,
    IP_LIMIT_REACHED,
    /** No longer decided (a plan set to itself is accepted without an event); kept so that old results still read. */
    PLAN_UNCHANGED,
    /** A downgrade to FREE while live secrets are active: disable live API access and deactivate live credentials first. */
    LIVE_SECRETS_ACTIVE,
    /** The command contradicts itself (a secret of another environment or kind, a reused ID). */
    INVALID_COMMAND,
    /** An expiry later than the account's credential policy allows (its maxAgeDays). */
    EXPIRY_BEYOND_POLICY,
    /** The account's credential policy requires an expiry, and none was given or implied. */
    EXPIRY_REQUIRED,
    /** The credential's expiry has passed: it cannot be reactivated or changed, only deleted. */
    CREDENTIAL_EXPIRED;

    /** Whether the HTTP edge should answer 409 (state conflict) rather than 422 (the request can never succeed as is). */
    public boolean isConflict() {
        return switch (this) {
            case VERSION_CONFLICT, API_ALREADY_ENABLED, API_NOT_ENABLED, NAME_TAKEN, CREDENTIAL_DELETED,
                    CREDENTIAL_ALREADY_ACTIVE, CREDENTIAL_ALREADY_INACTIVE, IP_ALREADY_ALLOWED, IP_NOT_ALLOWED,
                    IP_LIMIT_REACHED, PLAN_UNCHANGED, LIVE_SECRETS_ACTIVE, PLAN_REQUIRED, CREDENTIAL_EXPIRED -> true;
            case GRACE_PERIOD_NOT_ALLOWED, NAME_INVALID, CREDENTIAL_NOT_FOUND, IP_INVALID, INVALID_COMMAND,
                    EXPIRY_BEYOND_POLICY, EXPIRY_REQUIRED -> false;
        };
    }

    /** Whether the request itself asks for what the account's policy forbids: the edge answers 400. */
    public boolean isPolicyViolation() {
        return this == EXPIRY_BEYOND_POLICY || this == EXPIRY_REQUIRED;
    }
}
