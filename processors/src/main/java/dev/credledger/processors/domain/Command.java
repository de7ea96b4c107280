package dev.credledger.processors.domain;

import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.LeakMode;
import dev.credledger.events.model.LeakReport;
import dev.credledger.events.model.Plan;
import dev.credledger.events.model.RefreshReason;
import dev.credledger.events.model.SealedSecret;
import dev.credledger.events.model.SecretRef;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A request to change an account's credentials. Secrets are generated and hashed at the edge: a command
 * carries only their {@link SecretRef}s. Every command but {@link ChangePlan} names one environment.
 */
public sealed interface Command {

    CommandMetadata metadata();

    /** The environment the command is about, or {@code null} for an account-wide command. */
    Environment environment();

    /** The client credential the command names, or {@code null} (commands with such a component override this). */
    default UUID credentialId() {
        return null;
    }

    /** A stable name for audit records and rejections. */
    default String type() {
        return getClass().getSimpleName();
    }

    /**
     * Switch API access on, with the auth token and private salt generated at the edge. {@code tokenExpiresAt}: the
     * token's expiry asked for, or {@code null} (then the credential policy's maximum age, if any).
     */
    record EnableApi(CommandMetadata metadata, Environment environment, SecretRef authToken, SecretRef privateSalt,
            SealedSecret sealedSalt, Instant tokenExpiresAt) implements Command {
        public EnableApi {
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(authToken, "authToken");
            Objects.requireNonNull(privateSalt, "privateSalt");
            if (sealedSalt != null && !sealedSalt.secretId().equals(privateSalt.secretId())) {
                throw new IllegalArgumentException("the sealed salt is not the salt issued");
            }
        }

        public EnableApi(CommandMetadata metadata, Environment environment, SecretRef authToken, SecretRef privateSalt,
                SealedSecret sealedSalt) {
            this(metadata, environment, authToken, privateSalt, sealedSalt, null);
        }

        /** Without a sealed salt: the ledger keeps only the salt's fingerprint and cannot sign with it. */
        public EnableApi(CommandMetadata metadata, Environment environment, SecretRef authToken, SecretRef privateSalt) {
            this(metadata, environment, authToken, privateSalt, null, null);
        }
    }

    /**
     * Replace the auth token; the old one is revoked now, or when {@code grace} (zero: none) ends.
     * {@code tokenExpiresAt}: the new token's expiry asked for, or {@code null}.
     */
    record RefreshAuthToken(
            CommandMetadata metadata, Environment environment, SecretRef newToken, RefreshReason reason, Duration grace,
            Instant tokenExpiresAt) implements Command {
        public RefreshAuthToken {
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(newToken, "newToken");
            Objects.requireNonNull(reason, "reason");
            grace = grace == null ? Duration.ZERO : grace;
        }

        public RefreshAuthToken(
                CommandMetadata metadata, Environment environment, SecretRef newToken, RefreshReason reason, Duration grace) {
            this(metadata, environment, newToken, reason, grace, null);
        }
    }

    /** Switch API access off: token (and any grace token) and salt are revoked in one step; the allow-list stays. */
    record DisableApi(CommandMetadata metadata, Environment environment) implements Command {
        public DisableApi {
            Objects.requireNonNull(environment, "environment");
        }
    }

    /**
     * Create a named client credential; ID, client ID and secret come from the edge. {@code expiresAt}: the expiry
     * asked for, or {@code null}; {@code scopes}: what it may do, or {@code null} for unrestricted.
     */
    record CreateClientCredential(
            CommandMetadata metadata, Environment environment, UUID credentialId, String name, String clientId,
            SecretRef clientSecret, Instant expiresAt, List<String> scopes) implements Command {
        public CreateClientCredential {
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(credentialId, "credentialId");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientSecret, "clientSecret");
            scopes = scopes == null ? null : List.copyOf(scopes);
        }

        public CreateClientCredential(CommandMetadata metadata, Environment environment, UUID credentialId, String name,
                String clientId, SecretRef clientSecret) {
            this(metadata, environment, credentialId, name, clientId, clientSecret, null, null);
        }
    }

    record DeactivateCredential(CommandMetadata metadata, Environment environment, UUID credentialId) implements Command {
        public DeactivateCredential {
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(credentialId, "credentialId");
        }
    }

    record ReactivateCredential(CommandMetadata metadata, Environment environment, UUID credentialId) implements Command {
        public ReactivateCredential {
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(credentialId, "credentialId");
        }
    }

    record DeleteCredential(CommandMetadata metadata, Environment environment, UUID credentialId) implements Command {
        public DeleteCredential {
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(credentialId, "credentialId");
        }
    }

    /** Add an IP address or CIDR block (any notation; normalised by the decision) to the allow-list. */
    record AllowIp(CommandMetadata metadata, Environment environment, String cidr) implements Command {
        public AllowIp {
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(cidr, "cidr");
        }
    }

    record RemoveIp(CommandMetadata metadata, Environment environment, String cidr) implements Command {
        public RemoveIp {
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(cidr, "cidr");
        }
    }

    /** Change the account's plan (account-wide). */
    record ChangePlan(CommandMetadata metadata, Plan plan) implements Command {
        public ChangePlan {
            Objects.requireNonNull(plan, "plan");
        }

        @Override
        public Environment environment() {
            return null;
        }
    }

    /**
     * A secret scanner reported {@code secret} (found by the edge from its fingerprint) as leaked. {@code credentialId}:
     * its client credential, for a client secret. {@code newToken}: for an auth token, the replacement the edge
     * generated, used if the account's leak policy revokes (its plaintext was discarded: the owner refreshes again).
     */
    record ReportLeak(CommandMetadata metadata, Environment environment, SecretRef secret, UUID credentialId,
            LeakReport report, SecretRef newToken) implements Command {
        public ReportLeak {
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(secret, "secret");
            Objects.requireNonNull(report, "report");
            if (secret.kind() == CredentialKind.AUTH_TOKEN) {
                Objects.requireNonNull(newToken, "newToken");
            }
            if (secret.kind() == CredentialKind.CLIENT_SECRET) {
                Objects.requireNonNull(credentialId, "credentialId");
            }
        }
    }

    /** Set what a leak report of one of the account's active secrets does (account-wide). */
    record SetLeakPolicy(CommandMetadata metadata, LeakMode mode) implements Command {
        public SetLeakPolicy {
            Objects.requireNonNull(mode, "mode");
        }

        @Override
        public Environment environment() {
            return null;
        }
    }

    /**
     * Record that a webhook (its environment given) or a Shared Signals stream (on {@link AccountId#SSF_TRANSMITTER},
     * no environment) was created, updated, rotated or deleted: always accepted, changes no credential.
     */
    record RecordDeliveryChange(CommandMetadata metadata, Environment environment,
            CredentialEvent.DeliveryTargetKind targetKind, String targetId, CredentialEvent.DeliveryChange change,
            String destination, List<String> events, String receiver, String status) implements Command {
        public RecordDeliveryChange {
            Objects.requireNonNull(targetKind, "targetKind");
            Objects.requireNonNull(targetId, "targetId");
            Objects.requireNonNull(change, "change");
            events = events == null ? List.of() : List.copyOf(events);
            if ((targetKind == CredentialEvent.DeliveryTargetKind.WEBHOOK) == (environment == null)) {
                throw new IllegalArgumentException("a webhook's change names its environment, a stream's none");
            }
        }
    }

    /** Set the account's credential policy (account-wide); the same policy again changes nothing. */
    record SetCredentialPolicy(CommandMetadata metadata, CredentialPolicy policy) implements Command {
        public SetCredentialPolicy {
            Objects.requireNonNull(policy, "policy");
        }

        @Override
        public Environment environment() {
            return null;
        }
    }

    /** Replace what a client credential may do ({@code null}: unrestricted). */
    record SetCredentialScopes(CommandMetadata metadata, Environment environment, UUID credentialId, List<String> scopes)
            implements Command {
        public SetCredentialScopes {
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(credentialId, "credentialId");
            scopes = scopes == null ? null : List.copyOf(scopes);
        }
    }

    /**
     * Issued by the ledger itself when a secret's expiry is due: idempotent by secret and expiry (a secret since
     * replaced, revoked or given another expiry is left alone). {@code credentialId}: for a client secret.
     */
    record ExpireSecret(CommandMetadata metadata, Environment environment, UUID secretId, UUID credentialId, Instant expiresAt)
            implements Command {
        public ExpireSecret {
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(secretId, "secretId");
            Objects.requireNonNull(expiresAt, "expiresAt");
        }
    }

    /** Issued by the ledger itself when a secret's rotation notice is due; as {@link ExpireSecret}, idempotent. */
    record WarnOfExpiry(CommandMetadata metadata, Environment environment, UUID secretId, UUID credentialId, Instant expiresAt)
            implements Command {
        public WarnOfExpiry {
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(secretId, "secretId");
            Objects.requireNonNull(expiresAt, "expiresAt");
        }
    }

    /** Issued by the ledger itself when a refreshed-away token's grace period is due to end. */
    record EndGracePeriod(CommandMetadata metadata, Environment environment, UUID tokenId) implements Command {
        public EndGracePeriod {
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(tokenId, "tokenId");
        }
    }
}
