package dev.credledger.processors.history;

import dev.credledger.events.model.Actor;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.EventMetadata;
import dev.credledger.events.model.SecretRef;
import dev.credledger.processors.domain.Ledger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An event as one timeline line: {@code accountId, sequence, eventId, type, environment, time,
 * actor{id,sourceIp,userAgent,channel}, credentialId, commandId, correlationId, detail}. The detail is
 * type-specific and never holds a secret: secrets appear as {@code id, kind, prefix, fingerprint}.
 */
public final class Timeline {

    private Timeline() {}

    public static Map<String, Object> line(CredentialEvent event) {
        EventMetadata m = event.metadata();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("accountId", m.accountId().value());
        out.put("sequence", m.sequence());
        out.put("eventId", m.eventId());
        out.put("type", event.getClass().getSimpleName());
        out.put("environment", m.environment() == null ? null : m.environment().pathName());
        out.put("time", m.occurredAt().toString());
        out.put("actor", actor(m.actor()));
        out.put("credentialId", event instanceof CredentialEvent.CommandRejected r ? r.credentialId() : Ledger.credentialIdOf(event));
        out.put("commandId", m.causationId());
        out.put("correlationId", m.correlationId());
        out.put("detail", detail(event));
        return out;
    }

    static Map<String, Object> actor(Actor a) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", a.actorId());
        out.put("sourceIp", a.sourceIp());
        out.put("userAgent", a.userAgent());
        out.put("channel", a.channel().name());
        return out;
    }

    /** A secret by reference: ID, kind, displayed prefix and SHA-256 fingerprint — never the secret. */
    static Map<String, Object> secret(SecretRef ref) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", ref.secretId());
        out.put("kind", ref.kind().name());
        out.put("prefix", ref.prefix());
        out.put("fingerprint", ref.fingerprint().hex());
        return out;
    }

    private static Map<String, Object> detail(CredentialEvent event) {
        Map<String, Object> d = new LinkedHashMap<>();
        switch (event) {
            case CredentialEvent.ApiEnabled e -> {
                d.put("authToken", secret(e.authToken()));
                d.put("privateSalt", secret(e.privateSalt()));
                if (e.tokenExpiresAt() != null) {
                    d.put("expiresAt", e.tokenExpiresAt().toString());
                }
            }
            case CredentialEvent.AuthTokenRefreshed e -> {
                d.put("newToken", secret(e.newToken()));
                d.put("previousToken", secret(e.previousToken()));
                d.put("reason", e.reason().name());
                d.put("graceUntil", e.graceUntil() == null ? null : e.graceUntil().toString());
                if (e.newTokenExpiresAt() != null) {
                    d.put("expiresAt", e.newTokenExpiresAt().toString());
                }
            }
            case CredentialEvent.AuthTokenGraceEnded e -> {
                d.put("revokedToken", secret(e.revokedToken()));
                d.put("reason", e.reason().name());
            }
            case CredentialEvent.ApiDisabled e -> {
                d.put("revokedSecrets", secrets(e.revokedSecrets()));
                d.put("removedIps", e.removedIps());
            }
            case CredentialEvent.ClientCredentialCreated e -> {
                d.put("name", e.name());
                d.put("clientId", e.clientId());
                d.put("clientSecret", secret(e.clientSecret()));
                d.put("expiresAt", e.expiresAt() == null ? null : e.expiresAt().toString());
                d.put("scopes", e.scopes());
            }
            case CredentialEvent.CredentialDeactivated e -> d.put("clientSecret", secret(e.clientSecret()));
            case CredentialEvent.CredentialReactivated e -> d.put("clientSecret", secret(e.clientSecret()));
            case CredentialEvent.CredentialDeleted e -> {
                d.put("name", e.name());
                d.put("clientSecret", secret(e.clientSecret()));
            }
            case CredentialEvent.IpAllowed e -> d.put("cidr", e.cidr());
            case CredentialEvent.IpRemoved e -> d.put("cidr", e.cidr());
            case CredentialEvent.PlanChanged e -> {
                d.put("previousPlan", e.previousPlan().name());
                d.put("plan", e.plan().name());
            }
            case CredentialEvent.LeakReported e -> {
                d.put("secret", secret(e.secret()));
                d.put("reporter", e.report().reporter());
                d.put("url", e.report().url());
                d.put("source", e.report().source());
                d.put("tokenType", e.report().tokenType());
                d.put("outcome", e.outcome().name());
            }
            case CredentialEvent.LeakPolicyChanged e -> {
                d.put("previousMode", e.previousMode().name());
                d.put("mode", e.mode().name());
            }
            case CredentialEvent.DeliveryTargetChanged e -> {
                d.put("targetKind", e.targetKind().name());
                d.put("targetId", e.targetId());
                d.put("change", e.change().name());
                d.put("destination", e.destination());
                d.put("events", e.events());
                d.put("receiver", e.receiver());
                d.put("status", e.status());
            }
            case CredentialEvent.CredentialExpired e -> {
                d.put("secret", secret(e.secret()));
                d.put("expiresAt", e.expiresAt().toString());
                d.put("revoked", e.revoked());
            }
            case CredentialEvent.CredentialExpiring e -> {
                d.put("secret", secret(e.secret()));
                d.put("expiresAt", e.expiresAt().toString());
            }
            case CredentialEvent.CredentialPolicyChanged e -> {
                d.put("maxAgeDays", e.maxAgeDays());
                d.put("expiryWarningDays", e.expiryWarningDays());
                d.put("requireExpiry", e.requireExpiry());
            }
            case CredentialEvent.CredentialScopesChanged e -> {
                d.put("clientSecret", secret(e.clientSecret()));
                d.put("previousScopes", e.previousScopes());
                d.put("scopes", e.scopes());
            }
            case CredentialEvent.CommandRejected e -> {
                d.put("commandType", e.commandType());
                d.put("reasonCode", e.reasonCode());
                d.put("reason", e.detail());
            }
        }
        return d;
    }

    private static List<Map<String, Object>> secrets(List<SecretRef> refs) {
        return refs.stream().map(Timeline::secret).toList();
    }
}
