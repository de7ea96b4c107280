package dev.credledger.processors.domain;

import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.EventMetadata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Folds an event into the slice of state it touches. The same function builds the command side's state
 * and the query side's views, and replays history to any point in time.
 */
public final class Evolver {

    private Evolver() {}

    /** The slice after {@code event}. */
    public static Slice evolve(Slice slice, CredentialEvent event) {
        EventMetadata m = event.metadata();
        Instant at = m.occurredAt();
        AccountState a = slice.account();
        // A leak report that revokes nothing, or a webhook's change, changes no credential state: an If-Match taken
        // before it still holds.
        boolean changesState = !(event instanceof CredentialEvent.CommandRejected || event instanceof CredentialEvent.LeakReported
                || event instanceof CredentialEvent.DeliveryTargetChanged || event instanceof CredentialEvent.CredentialExpiring);
        Slice s = slice.withAccount(a.withSequence(m.sequence(), changesState ? m.sequence() : a.stateVersion(), at));
        boolean live = m.environment() == Environment.LIVE;
        return switch (event) {
            case CredentialEvent.ApiEnabled e -> account(
                    s.withAccess(new ApiAccess(true, e.authToken(), e.privateSalt(), null, s.access().allowedIps(), at, at,
                            e.sealedSalt(), m.actor().actorId(), at, e.tokenExpiresAt(), false)),
                    live ? true : null, 0);
            case CredentialEvent.AuthTokenRefreshed e -> s.withAccess(new ApiAccess(true, e.newToken(), s.access().salt(),
                    e.graceUntil() == null ? null : new GraceToken(e.previousToken(), e.graceUntil(), e.reason()),
                    s.access().allowedIps(), s.access().enabledAt(), at, s.access().sealedSalt(), s.access().enabledBy(), at,
                    e.newTokenExpiresAt(), false));
            case CredentialEvent.AuthTokenGraceEnded e -> {
                ApiAccess x = s.access();
                boolean ends = x.graceToken() != null && x.graceToken().token().equals(e.revokedToken());
                yield s.withAccess(new ApiAccess(x.enabled(), x.token(), x.salt(), ends ? null : x.graceToken(),
                        x.allowedIps(), x.enabledAt(), at, x.sealedSalt(), x.enabledBy(), x.tokenIssuedAt(), x.tokenExpiresAt(),
                        x.tokenExpired()));
            }
            case CredentialEvent.ApiDisabled e -> {
                // Events written before the allow-list outlived disable name the entries they removed.
                List<String> ips = new ArrayList<>(s.access().allowedIps());
                ips.removeAll(e.removedIps());
                yield account(s.withAccess(withIps(ApiAccess.disabled(at), ips, at)), live ? false : null, 0);
            }
            case CredentialEvent.IpAllowed e -> s.withAccess(withIps(s.access(), add(s.access().allowedIps(), e.cidr()), at));
            case CredentialEvent.IpRemoved e -> {
                List<String> ips = new ArrayList<>(s.access().allowedIps());
                ips.remove(e.cidr());
                yield s.withAccess(withIps(s.access(), ips, at));
            }
            case CredentialEvent.ClientCredentialCreated e -> account(s.withCredential(new Credential(e.credentialId(),
                    m.environment(), e.name(), e.clientId(), e.clientSecret(), CredentialStatus.ACTIVE, at, at, m.actor().actorId(),
                    e.expiresAt(), e.scopes()),
                    e.credentialId()), null, live ? 1 : 0);
            case CredentialEvent.CredentialDeactivated e ->
                    account(s.withCredential(s.credential().with(CredentialStatus.INACTIVE, at), s.nameOwner()), null, live ? -1 : 0);
            case CredentialEvent.CredentialReactivated e ->
                    account(s.withCredential(s.credential().with(CredentialStatus.ACTIVE, at), s.nameOwner()), null, live ? 1 : 0);
            case CredentialEvent.CredentialDeleted e -> {
                boolean wasActive = s.credential().status() == CredentialStatus.ACTIVE;
                yield account(s.withCredential(s.credential().with(CredentialStatus.DELETED, at), null),
                        null, live && wasActive ? -1 : 0);
            }
            case CredentialEvent.PlanChanged e -> s.withAccount(s.account().withPlan(e.plan()));
            case CredentialEvent.LeakPolicyChanged e -> s.withAccount(s.account().withLeakMode(e.mode()));
            case CredentialEvent.CredentialPolicyChanged e -> s.withAccount(s.account().withPolicy(
                    new CredentialPolicy(e.maxAgeDays(), e.expiryWarningDays(), e.requireExpiry())));
            case CredentialEvent.CredentialScopesChanged e ->
                    s.withCredential(s.credential().withScopes(e.scopes(), at), s.nameOwner());
            case CredentialEvent.CredentialExpired e -> {
                if (e.credentialId() != null) {
                    yield account(s.withCredential(s.credential().with(CredentialStatus.EXPIRED, at), s.nameOwner()),
                            null, live && e.revoked() ? -1 : 0);
                }
                ApiAccess x = s.access();
                boolean current = x.token() != null && x.token().secretId().equals(e.secret().secretId());
                yield !current ? s : s.withAccess(new ApiAccess(x.enabled(), x.token(), x.salt(), x.graceToken(),
                        x.allowedIps(), x.enabledAt(), at, x.sealedSalt(), x.enabledBy(), x.tokenIssuedAt(), x.tokenExpiresAt(),
                        true));
            }
            case CredentialEvent.CredentialExpiring e -> s;
            case CredentialEvent.LeakReported e -> s;
            case CredentialEvent.DeliveryTargetChanged e -> s;
            case CredentialEvent.CommandRejected e -> s;
        };
    }

    private static Slice account(Slice s, Boolean liveApiEnabled, int activeLiveDelta) {
        return s.withAccount(s.account().withLive(liveApiEnabled, activeLiveDelta));
    }

    private static ApiAccess withIps(ApiAccess x, List<String> ips, Instant at) {
        return new ApiAccess(x.enabled(), x.token(), x.salt(), x.graceToken(), ips, x.enabledAt(), at, x.sealedSalt(),
                x.enabledBy(), x.tokenIssuedAt(), x.tokenExpiresAt(), x.tokenExpired());
    }

    private static List<String> add(List<String> list, String value) {
        List<String> out = new ArrayList<>(list);
        out.add(value);
        return out;
    }
}
