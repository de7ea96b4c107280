package dev.credledger.processors.domain;

import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.CredentialRevoked;
import dev.credledger.events.model.EventMetadata;
import dev.credledger.events.model.RefreshReason;
import dev.credledger.events.model.RevocationReason;
import dev.credledger.events.model.SecretRef;
import java.util.List;

/** The revocations an event causes: one per secret that stops being honoured because of it. */
public final class Revocations {

    private Revocations() {}

    public static List<CredentialRevoked> of(CredentialEvent event) {
        EventMetadata m = event.metadata();
        return switch (event) {
            case CredentialEvent.AuthTokenRefreshed e -> e.graceUntil() != null || e.previousExpired()
                    ? List.of() // revoked when the grace period ends (AuthTokenGraceEnded), or when it expired
                    : List.of(revoke(m, e.previousToken(), reason(e.reason())));
            case CredentialEvent.AuthTokenGraceEnded e -> List.of(revoke(m, e.revokedToken(), reason(e.reason())));
            case CredentialEvent.ApiDisabled e ->
                    e.revokedSecrets().stream().map(s -> revoke(m, s, RevocationReason.API_DISABLED)).toList();
            case CredentialEvent.CredentialDeactivated e ->
                    List.of(revoke(m, e.clientSecret(), RevocationReason.CREDENTIAL_DEACTIVATED));
            case CredentialEvent.CredentialDeleted e -> List.of(revoke(m, e.clientSecret(), RevocationReason.CREDENTIAL_DELETED));
            case CredentialEvent.ApiEnabled e -> List.of();
            case CredentialEvent.ClientCredentialCreated e -> List.of();
            case CredentialEvent.CredentialReactivated e -> List.of();
            case CredentialEvent.IpAllowed e -> List.of();
            case CredentialEvent.IpRemoved e -> List.of();
            case CredentialEvent.PlanChanged e -> List.of();
            case CredentialEvent.CommandRejected e -> List.of();
            case CredentialEvent.LeakReported e -> List.of(); // the revocation, if any, is the event after it
            case CredentialEvent.LeakPolicyChanged e -> List.of();
            case CredentialEvent.DeliveryTargetChanged e -> List.of();
            case CredentialEvent.CredentialExpired e ->
                    e.revoked() ? List.of(revoke(m, e.secret(), RevocationReason.EXPIRED)) : List.of();
            case CredentialEvent.CredentialExpiring e -> List.of();
            case CredentialEvent.CredentialPolicyChanged e -> List.of();
            case CredentialEvent.CredentialScopesChanged e -> List.of();
        };
    }

    /** What a token replaced for {@code reason} is revoked for. */
    public static RevocationReason reason(RefreshReason reason) {
        return reason == RefreshReason.COMPROMISED ? RevocationReason.TOKEN_COMPROMISED : RevocationReason.TOKEN_REFRESHED;
    }

    private static CredentialRevoked revoke(EventMetadata m, SecretRef secret, RevocationReason reason) {
        return CredentialRevoked.of(m.accountId(), m.environment(), secret, reason, m.occurredAt(), m.eventId());
    }
}
