package dev.credledger.processors.domain;

import dev.credledger.events.model.Cidr;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.EventMetadata;
import dev.credledger.events.model.LeakMode;
import dev.credledger.events.model.LeakOutcome;
import dev.credledger.events.model.RefreshReason;
import dev.credledger.events.model.SecretRef;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Decides a command against the slice of state it needs: the events to append, or a rejection with a
 * reason. Pure and deterministic: event IDs derive from the command ID, times from {@code now}.
 */
public final class Decider {

    private final Limits limits;

    public Decider(Limits limits) {
        this.limits = limits;
    }

    /** Decides {@code command} on {@code slice} at {@code now}. */
    public Decision decide(Command command, Slice slice, Instant now) {
        Draft draft = new Draft(command, slice.account(), now);
        Long expected = command.metadata().expectedVersion();
        if (expected != null && expected != slice.account().stateVersion()) {
            return draft.reject(RejectionReason.VERSION_CONFLICT, "expected version " + expected
                    + " but the account is at version " + slice.account().stateVersion());
        }
        if (command.environment() == Environment.LIVE && grantsLiveAccess(command) && !slice.account().plan().allowsLive()) {
            return draft.reject(RejectionReason.PLAN_REQUIRED,
                    "live API access needs a PROFESSIONAL or TEAMS plan; the account is on " + slice.account().plan());
        }
        Optional<String> inconsistency = inconsistency(command);
        if (inconsistency.isPresent()) {
            return draft.reject(RejectionReason.INVALID_COMMAND, inconsistency.get());
        }
        ApiAccess access = slice.access();
        Credential credential = slice.credential();
        return switch (command) {
            case Command.EnableApi c -> {
                if (access.enabled()) {
                    yield draft.reject(RejectionReason.API_ALREADY_ENABLED, "API access is already enabled for " + env(c));
                }
                Expiry expiry = Expiry.decide(c.tokenExpiresAt(), slice.account().policy(), draft.at);
                yield expiry.refusal() != null ? draft.reject(expiry.refusal(), expiry.detail())
                        : draft.accept(m -> new CredentialEvent.ApiEnabled(m, c.authToken(), c.privateSalt(), c.sealedSalt(),
                                expiry.expiresAt()));
            }
            case Command.RefreshAuthToken c -> refresh(c, slice, draft);
            case Command.DisableApi c -> {
                if (!access.enabled()) {
                    yield draft.reject(RejectionReason.API_NOT_ENABLED, "API access is not enabled for " + env(c));
                }
                yield draft.accept(disable(access));
            }
            case Command.CreateClientCredential c -> {
                if (!CredentialNames.isValid(c.name())) {
                    yield draft.reject(RejectionReason.NAME_INVALID,
                            "a credential name is 6-64 characters of letters, digits, '_' and '-', without spaces");
                }
                if (slice.nameOwner() != null) {
                    yield draft.reject(RejectionReason.NAME_TAKEN,
                            "a credential named '" + c.name() + "' already exists in " + env(c));
                }
                if (credential != null) {
                    yield draft.reject(RejectionReason.INVALID_COMMAND, "credential ID " + c.credentialId() + " is taken");
                }
                Expiry expiry = Expiry.decide(c.expiresAt(), slice.account().policy(), draft.at);
                if (expiry.refusal() != null) {
                    yield draft.reject(expiry.refusal(), expiry.detail());
                }
                yield draft.accept(m -> new CredentialEvent.ClientCredentialCreated(
                        m, c.credentialId(), c.name(), c.clientId(), c.clientSecret(), expiry.expiresAt(), c.scopes()));
            }
            case Command.DeactivateCredential c -> changeStatus(c.credentialId(), credential, CredentialStatus.ACTIVE, draft,
                    () -> draft.accept(m -> new CredentialEvent.CredentialDeactivated(m, credential.credentialId(), credential.secret())));
            case Command.ReactivateCredential c -> credential != null && credential.expiredAt(draft.at)
                    && credential.status() != CredentialStatus.DELETED
                    ? draft.reject(RejectionReason.CREDENTIAL_EXPIRED, "credential " + c.credentialId() + " expired at "
                            + credential.expiresAt() + "; create a new one")
                    : changeStatus(c.credentialId(), credential, CredentialStatus.INACTIVE, draft,
                    () -> draft.accept(m -> new CredentialEvent.CredentialReactivated(m, credential.credentialId(), credential.secret())));
            case Command.DeleteCredential c -> changeStatus(c.credentialId(), credential, null, draft,
                    () -> draft.accept(m -> new CredentialEvent.CredentialDeleted(
                            m, credential.credentialId(), credential.name(), credential.secret())));
            case Command.AllowIp c -> allowIp(c, access, draft);
            case Command.RemoveIp c -> {
                Optional<Cidr> cidr = Cidr.parse(c.cidr());
                if (cidr.isEmpty()) {
                    yield draft.reject(RejectionReason.IP_INVALID, "not an IPv4/IPv6 address or CIDR block");
                }
                String normalised = cidr.get().toString();
                yield access.allowedIps().contains(normalised)
                        ? draft.accept(m -> new CredentialEvent.IpRemoved(m, normalised))
                        : draft.reject(RejectionReason.IP_NOT_ALLOWED, normalised + " is not on the allow-list of " + env(c));
            }
            case Command.ChangePlan c -> {
                if (c.plan() == slice.account().plan()) {
                    // Setting the plan the account has changes nothing: accepted, no event (PUT is idempotent).
                    yield new Decision.Accepted(List.of());
                }
                if (!c.plan().allowsLive() && slice.account().hasActiveLiveSecrets()) {
                    yield draft.reject(RejectionReason.LIVE_SECRETS_ACTIVE, "live secrets are active: disable live API "
                            + "access and deactivate or delete live credentials before moving to " + c.plan());
                }
                yield draft.accept(m -> new CredentialEvent.PlanChanged(m, slice.account().plan(), c.plan()));
            }
            case Command.ReportLeak c -> reportLeak(c, slice, draft);
            case Command.SetLeakPolicy c -> c.mode() == slice.account().leakMode()
                    ? new Decision.Accepted(List.of())
                    : draft.accept(m -> new CredentialEvent.LeakPolicyChanged(m, slice.account().leakMode(), c.mode()));
            case Command.RecordDeliveryChange c -> draft.accept(m -> new CredentialEvent.DeliveryTargetChanged(m,
                    c.targetKind(), c.targetId(), c.change(), c.destination(), c.events(), c.receiver(), c.status()));
            case Command.SetCredentialPolicy c -> {
                CredentialPolicy p = c.policy();
                yield p.equals(slice.account().policy()) ? new Decision.Accepted(List.of())
                        : draft.accept(m -> new CredentialEvent.CredentialPolicyChanged(m, p.maxAgeDays(),
                                p.expiryWarningDays(), p.requireExpiry()));
            }
            case Command.SetCredentialScopes c -> {
                if (credential != null && credential.status() == CredentialStatus.EXPIRED) {
                    yield draft.reject(RejectionReason.CREDENTIAL_EXPIRED, "credential " + c.credentialId() + " has expired");
                }
                yield changeStatus(c.credentialId(), credential, null, draft, () -> java.util.Objects.equals(
                        credential.scopes(), c.scopes()) ? new Decision.Accepted(List.of())
                        : draft.accept(m -> new CredentialEvent.CredentialScopesChanged(m, credential.credentialId(),
                                credential.secret(), credential.scopes(), c.scopes())));
            }
            case Command.ExpireSecret c -> expire(c, slice, draft);
            case Command.WarnOfExpiry c -> stillExpiringAt(c.secretId(), c.credentialId(), c.expiresAt(), slice)
                    && draft.at.isBefore(c.expiresAt())
                    ? draft.accept(m -> new CredentialEvent.CredentialExpiring(m, secretOf(c.credentialId(), slice),
                            c.credentialId(), c.expiresAt()))
                    : new Decision.Accepted(List.of());
            case Command.EndGracePeriod c -> {
                GraceToken grace = access.graceToken();
                yield grace != null && grace.token().secretId().equals(c.tokenId()) && !now.isBefore(grace.graceUntil())
                        ? draft.accept(m -> new CredentialEvent.AuthTokenGraceEnded(m, grace.token(), grace.reason()))
                        : new Decision.Accepted(List.of());
            }
        };
    }

    /**
     * A due expiry: recorded once, for a secret that still has that expiry and is not yet expired (an auth token still
     * current, a client credential not deleted); it revokes the secret if it was active. Otherwise nothing.
     */
    private static Decision expire(Command.ExpireSecret c, Slice slice, Draft draft) {
        if (draft.at.isBefore(c.expiresAt())) {
            return new Decision.Accepted(List.of());
        }
        if (c.credentialId() == null) {
            ApiAccess access = slice.access();
            boolean current = access.enabled() && access.token().secretId().equals(c.secretId()) && !access.tokenExpired()
                    && c.expiresAt().equals(access.tokenExpiresAt());
            return current ? draft.accept(m -> new CredentialEvent.CredentialExpired(m, access.token(), null,
                    c.expiresAt(), true)) : new Decision.Accepted(List.of());
        }
        Credential credential = slice.credential();
        boolean due = credential != null && credential.secret().secretId().equals(c.secretId())
                && c.expiresAt().equals(credential.expiresAt())
                && (credential.status() == CredentialStatus.ACTIVE || credential.status() == CredentialStatus.INACTIVE);
        return due ? draft.accept(m -> new CredentialEvent.CredentialExpired(m, credential.secret(),
                credential.credentialId(), c.expiresAt(), credential.status() == CredentialStatus.ACTIVE))
                : new Decision.Accepted(List.of());
    }

    /** Whether the secret is still active with this expiry: what a rotation notice is about. */
    private static boolean stillExpiringAt(UUID secretId, UUID credentialId, Instant expiresAt, Slice slice) {
        if (credentialId == null) {
            ApiAccess access = slice.access();
            return access.enabled() && access.token().secretId().equals(secretId) && !access.tokenExpired()
                    && expiresAt.equals(access.tokenExpiresAt());
        }
        Credential credential = slice.credential();
        return credential != null && credential.secret().secretId().equals(secretId)
                && credential.status() == CredentialStatus.ACTIVE && expiresAt.equals(credential.expiresAt());
    }

    private static SecretRef secretOf(UUID credentialId, Slice slice) {
        return credentialId == null ? slice.access().token() : slice.credential().secret();
    }

    /** How far an edge's clock may run ahead of the decider's before an expiry at the maximum age counts as beyond it. */
    private static final Duration CLOCK_TOLERANCE = Duration.ofMinutes(1);

    /** The expiry a new secret gets under the account's policy, or why it is refused. */
    private record Expiry(Instant expiresAt, RejectionReason refusal, String detail) {
        static Expiry decide(Instant asked, CredentialPolicy policy, Instant at) {
            Instant latest = policy.latestExpiry(at);
            if (asked != null && !asked.isAfter(at)) {
                return new Expiry(null, RejectionReason.INVALID_COMMAND, "the expiry " + asked + " is not in the future");
            }
            if (asked != null && latest != null && asked.isAfter(latest)
                    && !asked.isAfter(latest.plus(CLOCK_TOLERANCE))) {
                // A time to live of exactly the maximum age, counted on an edge whose clock is a moment ahead.
                asked = latest;
            }
            if (asked != null && latest != null && asked.isAfter(latest)) {
                return new Expiry(null, RejectionReason.EXPIRY_BEYOND_POLICY, "the account's credential policy allows at most "
                        + policy.maxAgeDays() + " days: an expiry no later than " + latest);
            }
            Instant expiresAt = asked != null ? asked : latest;
            if (expiresAt == null && policy.requireExpiry()) {
                return new Expiry(null, RejectionReason.EXPIRY_REQUIRED,
                        "the account's credential policy requires an expiry: give expiresAt or ttlSeconds");
            }
            return new Expiry(expiresAt, null, null);
        }
    }

    /** API access off: token (and any grace token) and salt revoked in one event. */
    private static CredentialEvent.Builder disable(ApiAccess access) {
        // A token whose expiry was recorded is revoked already (reason EXPIRED): not revoked twice.
        List<SecretRef> revoked = new ArrayList<>(access.tokenExpired() ? List.of() : List.of(access.token()));
        if (access.graceToken() != null) {
            revoked.add(access.graceToken().token());
        }
        revoked.add(access.salt());
        // The allow-list is the environment's network policy and stays: it still governs the client
        // credentials of this environment, which disabling API access does not touch (docs/development.md, "The rules").
        // The salt's data key is destroyed with it (crypto-shredding): its sealed copies in the log become noise.
        UUID shredded = access.sealedSalt() == null ? null : access.sealedSalt().dataKeyId();
        return m -> new CredentialEvent.ApiDisabled(m, revoked, List.of(), shredded);
    }

    /**
     * A leak report: recorded, and — if the secret is active and the account's policy is to revoke — revoked in the
     * same decision: an auth token by a COMPROMISED refresh, a grace token by ending its grace, a client secret by
     * deactivation, a private salt by disabling API access (a salt is only ever replaced so; DESIGN.md §2).
     */
    private static Decision reportLeak(Command.ReportLeak c, Slice slice, Draft draft) {
        ApiAccess access = slice.access();
        Credential credential = slice.credential();
        UUID id = c.secret().secretId();
        boolean current = access.enabled() && switch (c.secret().kind()) {
            case AUTH_TOKEN -> access.token().secretId().equals(id) && !access.tokenExpired();
            case PRIVATE_SALT -> access.salt().secretId().equals(id);
            case CLIENT_SECRET -> false;
        };
        boolean inGrace = access.graceToken() != null && access.graceToken().token().secretId().equals(id);
        boolean activeCredential = credential != null && credential.secret().secretId().equals(id)
                && credential.status() == CredentialStatus.ACTIVE;
        boolean active = current || inGrace || activeCredential;
        LeakOutcome outcome = !active ? LeakOutcome.NOT_ACTIVE
                : slice.account().leakMode() == LeakMode.REVOKE ? LeakOutcome.REVOKED : LeakOutcome.NOTIFIED;
        List<CredentialEvent.Builder> events = new ArrayList<>();
        events.add(m -> new CredentialEvent.LeakReported(m, c.secret(), c.credentialId(), c.report(), outcome));
        if (outcome == LeakOutcome.REVOKED) {
            if (inGrace) {
                SecretRef token = access.graceToken().token();
                events.add(m -> new CredentialEvent.AuthTokenGraceEnded(m, token, RefreshReason.COMPROMISED));
            } else if (activeCredential) {
                events.add(m -> new CredentialEvent.CredentialDeactivated(m, credential.credentialId(), credential.secret()));
            } else if (c.secret().kind() == CredentialKind.PRIVATE_SALT) {
                events.add(disable(access));
            } else {
                GraceToken earlier = access.graceToken();
                if (earlier != null) {
                    events.add(m -> new CredentialEvent.AuthTokenGraceEnded(m, earlier.token(), earlier.reason()));
                }
                // The replacement is a new secret like any other: the account's maximum age applies to it.
                Instant expiresAt = slice.account().policy().latestExpiry(draft.at);
                events.add(m -> new CredentialEvent.AuthTokenRefreshed(m, c.newToken(), access.token(),
                        RefreshReason.COMPROMISED, null, expiresAt, false));
            }
        }
        return draft.accept(events);
    }

    private Decision refresh(Command.RefreshAuthToken c, Slice slice, Draft draft) {
        ApiAccess access = slice.access();
        if (!access.enabled()) {
            return draft.reject(RejectionReason.API_NOT_ENABLED, "API access is not enabled for " + env(c));
        }
        Duration grace = c.grace();
        if (grace.isNegative() || grace.compareTo(limits.maxGracePeriod()) > 0) {
            return draft.reject(RejectionReason.GRACE_PERIOD_NOT_ALLOWED,
                    "a grace period is 0 to " + limits.maxGracePeriod().toSeconds() + " seconds");
        }
        if (c.reason() == RefreshReason.COMPROMISED && !grace.isZero()) {
            return draft.reject(RejectionReason.GRACE_PERIOD_NOT_ALLOWED,
                    "a compromised token is revoked at once: no grace period");
        }
        boolean expired = access.tokenExpiredAt(draft.at);
        if (expired && !grace.isZero()) {
            return draft.reject(RejectionReason.GRACE_PERIOD_NOT_ALLOWED, "the token has expired: no grace period");
        }
        Expiry expiry = Expiry.decide(c.tokenExpiresAt(), slice.account().policy(), draft.at);
        if (expiry.refusal() != null) {
            return draft.reject(expiry.refusal(), expiry.detail());
        }
        List<CredentialEvent.Builder> events = new ArrayList<>();
        GraceToken earlier = access.graceToken();
        if (earlier != null) {
            // At most two tokens verify at a time: a token still in its grace period ends now.
            events.add(m -> new CredentialEvent.AuthTokenGraceEnded(m, earlier.token(), earlier.reason()));
        }
        // A grace period never outlives the token's own expiry.
        Instant graceUntil = grace.isZero() ? null : access.tokenExpiresAt() != null
                && access.tokenExpiresAt().isBefore(draft.at.plus(grace)) ? access.tokenExpiresAt() : draft.at.plus(grace);
        // An expiry already recorded revoked the token: nothing more to revoke.
        boolean previousExpired = access.tokenExpired();
        events.add(m -> new CredentialEvent.AuthTokenRefreshed(m, c.newToken(), access.token(), c.reason(), graceUntil,
                expiry.expiresAt(), previousExpired));
        return draft.accept(events);
    }

    private Decision allowIp(Command.AllowIp c, ApiAccess access, Draft draft) {
        Optional<Cidr> cidr = Cidr.parse(c.cidr());
        if (cidr.isEmpty()) {
            return draft.reject(RejectionReason.IP_INVALID, "not an IPv4/IPv6 address or CIDR block");
        }
        String normalised = cidr.get().toString();
        if (access.allowedIps().contains(normalised)) {
            return draft.reject(RejectionReason.IP_ALREADY_ALLOWED, normalised + " is already on the allow-list");
        }
        if (access.allowedIps().size() >= limits.maxAllowedIps()) {
            return draft.reject(RejectionReason.IP_LIMIT_REACHED,
                    "the allow-list holds at most " + limits.maxAllowedIps() + " entries");
        }
        return draft.accept(m -> new CredentialEvent.IpAllowed(m, normalised));
    }

    /** Deactivate (from ACTIVE), reactivate (from INACTIVE) or delete (from either: {@code from} null). */
    private static Decision changeStatus(UUID id, Credential credential, CredentialStatus from, Draft draft,
            java.util.function.Supplier<Decision> accept) {
        if (credential == null) {
            return draft.reject(RejectionReason.CREDENTIAL_NOT_FOUND, "no credential " + id + " in this environment");
        }
        if (credential.status() == CredentialStatus.DELETED) {
            return draft.reject(RejectionReason.CREDENTIAL_DELETED, "credential " + id + " is deleted; delete is final");
        }
        if (from != null && credential.status() == CredentialStatus.EXPIRED) {
            return draft.reject(RejectionReason.CREDENTIAL_EXPIRED, "credential " + id + " has expired; it can only be deleted");
        }
        if (from != null && credential.status() != from) {
            return draft.reject(from == CredentialStatus.ACTIVE
                    ? RejectionReason.CREDENTIAL_ALREADY_INACTIVE : RejectionReason.CREDENTIAL_ALREADY_ACTIVE,
                    "credential " + id + " is already " + credential.status());
        }
        return accept.get();
    }

    /** Commands that give (or keep giving) live access; taking access away is always allowed. */
    private static boolean grantsLiveAccess(Command command) {
        return command instanceof Command.EnableApi || command instanceof Command.RefreshAuthToken
                || command instanceof Command.CreateClientCredential || command instanceof Command.ReactivateCredential
                || command instanceof Command.AllowIp;
    }

    private static Optional<String> inconsistency(Command command) {
        return switch (command) {
            case Command.EnableApi c -> secretProblem(c.authToken(), CredentialKind.AUTH_TOKEN, c.environment())
                    .or(() -> secretProblem(c.privateSalt(), CredentialKind.PRIVATE_SALT, c.environment()));
            case Command.RefreshAuthToken c -> secretProblem(c.newToken(), CredentialKind.AUTH_TOKEN, c.environment());
            case Command.ReportLeak c -> secretProblem(c.secret(), c.secret().kind(), c.environment())
                    .or(() -> c.newToken() == null ? Optional.empty()
                            : secretProblem(c.newToken(), CredentialKind.AUTH_TOKEN, c.environment()));
            case Command.CreateClientCredential c ->
                    secretProblem(c.clientSecret(), CredentialKind.CLIENT_SECRET, c.environment())
                            .or(() -> c.clientId().startsWith("clid_" + c.environment().marker() + "_")
                                    ? Optional.empty() : Optional.of("the client ID is not one of " + env(c)));
            default -> Optional.empty();
        };
    }

    private static Optional<String> secretProblem(SecretRef secret, CredentialKind kind, Environment environment) {
        if (secret.kind() != kind) {
            return Optional.of("expected a " + kind + " secret, got " + secret.kind());
        }
        if (secret.environment() != environment) {
            return Optional.of("a " + secret.environment() + " secret cannot be used in " + environment);
        }
        return Optional.empty();
    }

    private static String env(Command command) {
        return command.environment().pathName();
    }

    /** Numbers and stamps the events of one decision. */
    private static final class Draft {
        private final Command command;
        private final AccountState account;
        private final Instant at;

        Draft(Command command, AccountState account, Instant now) {
            this.command = command;
            this.account = account;
            // Never earlier than the account's last event: time order stays sequence order.
            this.at = now.isBefore(account.lastOccurredAt()) ? account.lastOccurredAt() : now;
        }

        Decision accept(CredentialEvent.Builder event) {
            return accept(List.of(event));
        }

        Decision accept(List<CredentialEvent.Builder> builders) {
            List<CredentialEvent> events = new ArrayList<>(builders.size());
            for (int i = 0; i < builders.size(); i++) {
                events.add(builders.get(i).build(metadata(i)));
            }
            return new Decision.Accepted(events);
        }

        Decision reject(RejectionReason reason, String detail) {
            CredentialEvent.CommandRejected event = new CredentialEvent.CommandRejected(
                    metadata(0), command.metadata().commandId(), command.type(), reason.name(), detail, command.credentialId());
            return new Decision.Rejected(reason, detail, event);
        }

        private EventMetadata metadata(int index) {
            CommandMetadata m = command.metadata();
            return new EventMetadata(eventId(m.commandId(), index), m.accountId(), command.environment(), at,
                    m.actor(), m.correlationId(), m.commandId(), account.sequence() + 1 + index);
        }

        private static UUID eventId(UUID commandId, int index) {
            return UUID.nameUUIDFromBytes((commandId + "#" + index).getBytes(StandardCharsets.US_ASCII));
        }
    }
}
