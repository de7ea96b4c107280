package dev.credledger.processors.history;

import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.CredentialRevoked;
import dev.credledger.events.model.SecretRef;
import dev.credledger.processors.domain.Revocations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Everything an account's events say about one secret (by fingerprint): the event that issued it, the last
 * one that revoked it, and every event that names it. Feed it the account's events oldest first.
 */
public final class SecretTrail {

    private final String fingerprint;
    private CredentialEvent issued;
    private CredentialEvent revoked;
    private CredentialRevoked revocation;
    private final List<CredentialEvent> events = new ArrayList<>();
    private long expected;

    public SecretTrail(String fingerprint) {
        this.fingerprint = fingerprint;
    }

    public void apply(CredentialEvent event) {
        if (event.metadata().sequence() != ++expected) {
            throw new HistoryIncomplete(event.metadata().accountId(), expected, event.metadata().sequence());
        }
        if (issues(event)) {
            issued = event;
        }
        for (CredentialRevoked r : Revocations.of(event)) {
            if (r.secret().fingerprint().hex().equals(fingerprint)) {
                revoked = event;
                revocation = r;
            }
        }
        if (event instanceof CredentialEvent.CredentialReactivated e && matches(e.clientSecret())) {
            revoked = null;
            revocation = null;
        }
        if (names(event)) {
            events.add(event);
        }
    }

    /** The event that issued the secret, or {@code null} if these events do not. */
    public CredentialEvent issued() {
        return issued;
    }

    /** The event of its latest revocation still in force, or {@code null}. */
    public CredentialEvent revoked() {
        return revoked;
    }

    public CredentialRevoked revocation() {
        return revocation;
    }

    /** Every event that names the secret, oldest first. */
    public List<CredentialEvent> events() {
        return List.copyOf(events);
    }

    /** The actor of an event as the timeline shows it. */
    public static Map<String, Object> actor(CredentialEvent event) {
        return Timeline.actor(event.metadata().actor());
    }

    private boolean issues(CredentialEvent event) {
        return switch (event) {
            case CredentialEvent.ApiEnabled e -> matches(e.authToken()) || matches(e.privateSalt());
            case CredentialEvent.AuthTokenRefreshed e -> matches(e.newToken());
            case CredentialEvent.ClientCredentialCreated e -> matches(e.clientSecret());
            default -> false;
        };
    }

    private boolean names(CredentialEvent event) {
        Stream<SecretRef> refs = switch (event) {
            case CredentialEvent.ApiEnabled e -> Stream.of(e.authToken(), e.privateSalt());
            case CredentialEvent.AuthTokenRefreshed e -> Stream.of(e.newToken(), e.previousToken());
            case CredentialEvent.AuthTokenGraceEnded e -> Stream.of(e.revokedToken());
            case CredentialEvent.ApiDisabled e -> e.revokedSecrets().stream();
            case CredentialEvent.ClientCredentialCreated e -> Stream.of(e.clientSecret());
            case CredentialEvent.CredentialDeactivated e -> Stream.of(e.clientSecret());
            case CredentialEvent.CredentialReactivated e -> Stream.of(e.clientSecret());
            case CredentialEvent.CredentialDeleted e -> Stream.of(e.clientSecret());
            case CredentialEvent.IpAllowed e -> Stream.empty();
            case CredentialEvent.IpRemoved e -> Stream.empty();
            case CredentialEvent.PlanChanged e -> Stream.empty();
            case CredentialEvent.CommandRejected e -> Stream.empty();
            case CredentialEvent.LeakReported e -> Stream.of(e.secret());
            case CredentialEvent.LeakPolicyChanged e -> Stream.empty();
            case CredentialEvent.DeliveryTargetChanged e -> Stream.empty();
            case CredentialEvent.CredentialExpired e -> Stream.of(e.secret());
            case CredentialEvent.CredentialExpiring e -> Stream.of(e.secret());
            case CredentialEvent.CredentialPolicyChanged e -> Stream.empty();
            case CredentialEvent.CredentialScopesChanged e -> Stream.of(e.clientSecret());
        };
        return refs.anyMatch(this::matches);
    }

    private boolean matches(SecretRef ref) {
        return ref.fingerprint().hex().equals(fingerprint);
    }
}
