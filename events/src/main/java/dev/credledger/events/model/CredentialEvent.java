package dev.credledger.events.model;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One immutable fact about an account's API credentials. The set is closed: a {@code switch} over it
 * is checked by the compiler to handle every fact.
 */
public sealed interface CredentialEvent {

    /** The envelope: ID, account, environment, time, actor, correlation and sequence. */
    EventMetadata metadata();

    /** Makes an event once its envelope is known: how a decision names its events before numbering them. */
    @FunctionalInterface
    interface Builder {
        CredentialEvent build(EventMetadata metadata);
    }

    /**
     * API access was switched on: an auth token and a private salt were issued; the salt also sealed, so that the
     * ledger can sign with it ({@code null} in events from before salts were sealed).
     */
    record ApiEnabled(EventMetadata metadata, SecretRef authToken, SecretRef privateSalt, SealedSecret sealedSalt,
            Instant tokenExpiresAt) implements CredentialEvent {
        public ApiEnabled {
            tokenExpiresAt = millis(tokenExpiresAt);
            requireKind(authToken, CredentialKind.AUTH_TOKEN);
            requireKind(privateSalt, CredentialKind.PRIVATE_SALT);
            if (sealedSalt != null && !sealedSalt.secretId().equals(privateSalt.secretId())) {
                throw new IllegalArgumentException("the sealed salt is not the salt issued");
            }
        }

        public ApiEnabled(EventMetadata metadata, SecretRef authToken, SecretRef privateSalt, SealedSecret sealedSalt) {
            this(metadata, authToken, privateSalt, sealedSalt, null);
        }

        public ApiEnabled(EventMetadata metadata, SecretRef authToken, SecretRef privateSalt) {
            this(metadata, authToken, privateSalt, null, null);
        }
    }

    /**
     * A new auth token replaced the previous one, which is revoked now or, with a grace period, at
     * {@code graceUntil} ({@code null} when revoked at once), unless it had already expired ({@code previousExpired}:
     * its {@link CredentialExpired} revoked it). {@code newTokenExpiresAt}: the new token's expiry, or {@code null}.
     */
    record AuthTokenRefreshed(
            EventMetadata metadata, SecretRef newToken, SecretRef previousToken, RefreshReason reason, Instant graceUntil,
            Instant newTokenExpiresAt, boolean previousExpired) implements CredentialEvent {
        public AuthTokenRefreshed {
            requireKind(newToken, CredentialKind.AUTH_TOKEN);
            requireKind(previousToken, CredentialKind.AUTH_TOKEN);
            Objects.requireNonNull(reason, "reason");
            graceUntil = millis(graceUntil);
            newTokenExpiresAt = millis(newTokenExpiresAt);
            if (previousExpired && graceUntil != null) {
                throw new IllegalArgumentException("an expired token has no grace period");
            }
        }

        public AuthTokenRefreshed(
                EventMetadata metadata, SecretRef newToken, SecretRef previousToken, RefreshReason reason, Instant graceUntil) {
            this(metadata, newToken, previousToken, reason, graceUntil, null, false);
        }
    }

    /** The grace period of a refreshed-away token ended: it is revoked from now on. */
    record AuthTokenGraceEnded(EventMetadata metadata, SecretRef revokedToken, RefreshReason reason)
            implements CredentialEvent {
        public AuthTokenGraceEnded {
            requireKind(revokedToken, CredentialKind.AUTH_TOKEN);
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** API access was switched off: every secret and the whole allow-list removed in one step. */
    record ApiDisabled(EventMetadata metadata, List<SecretRef> revokedSecrets, List<String> removedIps,
            UUID shreddedDataKeyId) implements CredentialEvent {
        public ApiDisabled {
            revokedSecrets = List.copyOf(revokedSecrets);
            removedIps = List.copyOf(removedIps);
        }

        public ApiDisabled(EventMetadata metadata, List<SecretRef> revokedSecrets, List<String> removedIps) {
            this(metadata, revokedSecrets, removedIps, null);
        }
    }

    /**
     * A named client credential was created. {@code expiresAt}: when its secret stops verifying ({@code null}: never);
     * {@code scopes}: what it may do ({@code null}: unrestricted).
     */
    record ClientCredentialCreated(
            EventMetadata metadata, UUID credentialId, String name, String clientId, SecretRef clientSecret,
            Instant expiresAt, List<String> scopes) implements CredentialEvent {
        public ClientCredentialCreated {
            Objects.requireNonNull(credentialId, "credentialId");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(clientId, "clientId");
            requireKind(clientSecret, CredentialKind.CLIENT_SECRET);
            expiresAt = millis(expiresAt);
            scopes = scopes == null ? null : List.copyOf(scopes);
        }

        public ClientCredentialCreated(
                EventMetadata metadata, UUID credentialId, String name, String clientId, SecretRef clientSecret) {
            this(metadata, credentialId, name, clientId, clientSecret, null, null);
        }
    }

    /** A client credential was made inactive. */
    record CredentialDeactivated(EventMetadata metadata, UUID credentialId, SecretRef clientSecret)
            implements CredentialEvent {
        public CredentialDeactivated {
            Objects.requireNonNull(credentialId, "credentialId");
            requireKind(clientSecret, CredentialKind.CLIENT_SECRET);
        }
    }

    /** An inactive client credential was made active again. */
    record CredentialReactivated(EventMetadata metadata, UUID credentialId, SecretRef clientSecret)
            implements CredentialEvent {
        public CredentialReactivated {
            Objects.requireNonNull(credentialId, "credentialId");
            requireKind(clientSecret, CredentialKind.CLIENT_SECRET);
        }
    }

    /** A client credential was deleted; final. */
    record CredentialDeleted(EventMetadata metadata, UUID credentialId, String name, SecretRef clientSecret)
            implements CredentialEvent {
        public CredentialDeleted {
            Objects.requireNonNull(credentialId, "credentialId");
            Objects.requireNonNull(name, "name");
            requireKind(clientSecret, CredentialKind.CLIENT_SECRET);
        }
    }

    /** An address or CIDR block (normalised) joined the allow-list. */
    record IpAllowed(EventMetadata metadata, String cidr) implements CredentialEvent {
        public IpAllowed {
            Objects.requireNonNull(cidr, "cidr");
        }
    }

    /** An address or CIDR block left the allow-list. */
    record IpRemoved(EventMetadata metadata, String cidr) implements CredentialEvent {
        public IpRemoved {
            Objects.requireNonNull(cidr, "cidr");
        }
    }

    /** The account's plan changed (account-wide: no environment). */
    record PlanChanged(EventMetadata metadata, Plan previousPlan, Plan plan) implements CredentialEvent {
        public PlanChanged {
            Objects.requireNonNull(previousPlan, "previousPlan");
            Objects.requireNonNull(plan, "plan");
        }
    }

    /**
     * A command was refused; nothing else changed. Recorded so the audit trail shows the attempt.
     * {@code credentialId}: the client credential the command named, or {@code null}.
     */
    record CommandRejected(EventMetadata metadata, UUID commandId, String commandType, String reasonCode, String detail,
                           UUID credentialId) implements CredentialEvent {
        public CommandRejected {
            Objects.requireNonNull(commandId, "commandId");
            Objects.requireNonNull(commandType, "commandType");
            Objects.requireNonNull(reasonCode, "reasonCode");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * A secret scanner reported {@code secret} as found in the open ({@code credentialId}: its client credential, for a
     * client secret). With outcome {@link LeakOutcome#REVOKED} the revocation follows in the same command's events.
     */
    record LeakReported(EventMetadata metadata, SecretRef secret, UUID credentialId, LeakReport report, LeakOutcome outcome)
            implements CredentialEvent {
        public LeakReported {
            Objects.requireNonNull(secret, "secret");
            Objects.requireNonNull(report, "report");
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    /** The account's leak policy changed (account-wide: no environment). */
    record LeakPolicyChanged(EventMetadata metadata, LeakMode previousMode, LeakMode mode) implements CredentialEvent {
        public LeakPolicyChanged {
            Objects.requireNonNull(previousMode, "previousMode");
            Objects.requireNonNull(mode, "mode");
        }
    }

    /**
     * Who receives the account's credential changes changed: a webhook, or (on the transmitter's own account
     * {@link AccountId#SSF_TRANSMITTER}) a Shared Signals stream. It changes no credential; it is here so the audit
     * trail shows it. {@code destination}: a URL's origin only (a path may carry the receiver's token), or {@code null}
     * for a polled stream; {@code events}: what it receives; {@code receiver}: a stream's receiver; {@code status}: a
     * stream's new status, when that changed.
     */
    record DeliveryTargetChanged(EventMetadata metadata, DeliveryTargetKind targetKind, String targetId,
            DeliveryChange change, String destination, List<String> events, String receiver, String status)
            implements CredentialEvent {
        public DeliveryTargetChanged {
            Objects.requireNonNull(targetKind, "targetKind");
            Objects.requireNonNull(targetId, "targetId");
            Objects.requireNonNull(change, "change");
            events = events == null ? List.of() : List.copyOf(events);
        }
    }

    /**
     * A secret reached its expiry; recorded by the ledger itself. {@code revoked}: it was active until now, and this
     * event revokes it; {@code false} for one already inactive, which can no longer come back.
     */
    record CredentialExpired(EventMetadata metadata, SecretRef secret, UUID credentialId, Instant expiresAt, boolean revoked)
            implements CredentialEvent {
        public CredentialExpired {
            Objects.requireNonNull(secret, "secret");
            expiresAt = millis(Objects.requireNonNull(expiresAt, "expiresAt"));
            if ((secret.kind() == CredentialKind.CLIENT_SECRET) != (credentialId != null)) {
                throw new IllegalArgumentException("a client secret's expiry names its credential, a token's none");
            }
        }
    }

    /** A rotation notice: a secret still active expires at {@code expiresAt}; recorded once per secret and expiry. */
    record CredentialExpiring(EventMetadata metadata, SecretRef secret, UUID credentialId, Instant expiresAt)
            implements CredentialEvent {
        public CredentialExpiring {
            Objects.requireNonNull(secret, "secret");
            expiresAt = millis(Objects.requireNonNull(expiresAt, "expiresAt"));
        }
    }

    /**
     * The account's credential policy changed (account-wide). {@code maxAgeDays}: the longest lifetime of a new
     * secret ({@code null}: none); {@code expiryWarningDays}: when the rotation notice comes; {@code requireExpiry}:
     * whether a secret without an expiry is refused.
     */
    record CredentialPolicyChanged(EventMetadata metadata, Integer maxAgeDays, int expiryWarningDays, boolean requireExpiry)
            implements CredentialEvent {}

    /** What a client credential may do changed ({@code null}: unrestricted). */
    record CredentialScopesChanged(EventMetadata metadata, UUID credentialId, SecretRef clientSecret,
            List<String> previousScopes, List<String> scopes) implements CredentialEvent {
        public CredentialScopesChanged {
            Objects.requireNonNull(credentialId, "credentialId");
            requireKind(clientSecret, CredentialKind.CLIENT_SECRET);
            previousScopes = previousScopes == null ? null : List.copyOf(previousScopes);
            scopes = scopes == null ? null : List.copyOf(scopes);
        }
    }

    /** What delivers credential changes out of the ledger. */
    enum DeliveryTargetKind { WEBHOOK, SSF_STREAM }

    /** What happened to a delivery target. */
    enum DeliveryChange { CREATED, UPDATED, SECRET_ROTATED, DELETED }

    private static Instant millis(Instant at) {
        return at == null ? null : at.truncatedTo(ChronoUnit.MILLIS);
    }

    private static void requireKind(SecretRef secret, CredentialKind kind) {
        Objects.requireNonNull(secret, "secret");
        if (secret.kind() != kind) {
            throw new IllegalArgumentException("expected a " + kind + " secret, got " + secret.kind());
        }
    }
}
