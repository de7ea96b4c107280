package dev.credledger.api.signals;

import dev.credledger.api.delivery.Message;
import dev.credledger.events.model.Actor;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.CredentialRevoked;
import dev.credledger.events.model.EventMetadata;
import dev.credledger.events.model.SecretRef;
import dev.credledger.processors.domain.Revocations;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The ledger's events as CAEP 1.0 {@code credential-change} events: one per secret created, revoked, re-activated
 * ({@code update}) or deleted. The subject is a complex subject identifier (SSF §3): the account as {@code tenant},
 * the secret (the credential the ledger issued) as {@code application}, both {@code opaque}. Never a secret; the
 * fingerprint and prefix travel as extension claims.
 */
final class CaepEvents {

    static final String CREDENTIAL_CHANGE = "https://schemas.openid.net/secevent/caep/event-type/credential-change";
    static final String VERIFICATION = "https://schemas.openid.net/secevent/ssf/event-type/verification";

    private CaepEvents() {}

    /** The changes {@code event} makes, of the types in {@code changeTypes}. Message data: the SET's claims but iss, aud, iat. */
    static List<Message> of(CredentialEvent event, List<String> changeTypes) {
        List<Message> out = new ArrayList<>();
        if (changeTypes.contains("revoke")) {
            for (CredentialRevoked r : Revocations.of(event)) {
                out.add(message(r.eventId().toString(), "revoke", event.metadata(), r.secret(), null,
                        reason(r.reason()), r.revokedAt()));
            }
        }
        if (changeTypes.contains("create")) {
            switch (event) {
                case CredentialEvent.ApiEnabled e -> {
                    out.add(change("create", event, e.authToken(), null, "API access enabled"));
                    out.add(change("create", event, e.privateSalt(), null, "API access enabled"));
                }
                case CredentialEvent.AuthTokenRefreshed e -> out.add(change("create", event, e.newToken(), null,
                        "auth token refreshed (" + e.reason().name() + ")"));
                case CredentialEvent.ClientCredentialCreated e -> out.add(change("create", event, e.clientSecret(), e.name(),
                        "client credential created"));
                default -> { }
            }
        }
        if (changeTypes.contains("update") && event instanceof CredentialEvent.CredentialReactivated e) {
            out.add(change("update", event, e.clientSecret(), null, "client credential re-activated"));
        }
        if (changeTypes.contains("delete") && event instanceof CredentialEvent.CredentialDeleted e) {
            out.add(change("delete", event, e.clientSecret(), e.name(), "client credential deleted"));
        }
        return out;
    }

    /** The SSF subject of a secret: {@code {"format":"complex","tenant":{opaque account},"application":{opaque secret}}}. */
    static Map<String, Object> subject(String accountId, String secretId) {
        Map<String, Object> subject = new LinkedHashMap<>();
        subject.put("format", "complex");
        subject.put("tenant", opaque(accountId));
        subject.put("application", opaque(secretId));
        return subject;
    }

    private static Map<String, Object> opaque(String id) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("format", "opaque");
        out.put("id", id);
        return out;
    }

    private static Message change(String changeType, CredentialEvent event, SecretRef secret, String name, String why) {
        String jti = UUID.nameUUIDFromBytes((changeType + "/" + event.metadata().eventId() + "/" + secret.secretId())
                .getBytes(StandardCharsets.US_ASCII)).toString();
        return message(jti, changeType, event.metadata(), secret, name, why, event.metadata().occurredAt());
    }

    private static Message message(String jti, String changeType, EventMetadata m, SecretRef secret, String name,
            String why, Instant at) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("credential_type", credentialType(secret.kind()));
        claims.put("change_type", changeType);
        claims.put("friendly_name", name != null ? name : secret.prefix());
        claims.put("event_timestamp", at.getEpochSecond());
        claims.put("initiating_entity", initiator(m.actor()));
        claims.put("reason_admin", Map.of("en", why));
        claims.put("credledger_environment", m.environment().name().toLowerCase(java.util.Locale.ROOT));
        claims.put("credledger_prefix", secret.prefix());
        claims.put("credledger_fingerprint", secret.fingerprint().hex());
        Map<String, Object> set = new LinkedHashMap<>();
        set.put("jti", jti);
        set.put("txn", m.eventId().toString());
        set.put("sub_id", subject(m.accountId().value(), secret.secretId().toString()));
        set.put("events", Map.of(CREDENTIAL_CHANGE, claims));
        return new Message(jti, changeType, secret.secretId().toString(), at, set);
    }

    /** CAEP lists no type for an API key: these are the ledger's, to be agreed with receivers (CAEP allows that). */
    static String credentialType(CredentialKind kind) {
        return switch (kind) {
            case AUTH_TOKEN -> "api-key";
            case CLIENT_SECRET -> "client-secret";
            case PRIVATE_SALT -> "signing-secret";
        };
    }

    /** {@code system} for what the ledger did by itself (a grace period ending), else {@code admin}. */
    private static String initiator(Actor actor) {
        return actor.channel() == dev.credledger.events.model.Channel.SYSTEM ? "system" : "admin";
    }

    private static String reason(dev.credledger.events.model.RevocationReason reason) {
        return switch (reason) {
            case TOKEN_COMPROMISED -> "auth token refreshed as compromised";
            case TOKEN_REFRESHED -> "grace period of a refreshed auth token ended";
            case API_DISABLED -> "API access disabled";
            case CREDENTIAL_DEACTIVATED -> "client credential deactivated";
            case CREDENTIAL_DELETED -> "client credential deleted";
            case EXPIRED -> "credential expired";
            case OTHER -> "revoked";
        };
    }
}
