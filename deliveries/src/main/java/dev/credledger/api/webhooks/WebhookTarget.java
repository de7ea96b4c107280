package dev.credledger.api.webhooks;

import dev.credledger.api.Json;
import dev.credledger.api.delivery.Message;
import dev.credledger.api.delivery.Outbound;
import dev.credledger.api.delivery.Target;
import dev.credledger.api.keys.DataKeys;
import dev.credledger.api.stream.RevocationStream;
import dev.credledger.events.avro.DeliveryTarget;
import dev.credledger.events.mapping.AvroToDomain;
import dev.credledger.events.mapping.DomainToAvro;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.CredentialRevoked;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.SecretRef;
import dev.credledger.processors.domain.Revocations;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Webhooks as a kind of delivery target: the changes of one account's environment, as the types it subscribed to,
 * POSTed as JSON signed per Standard Webhooks ({@code webhook-id}, {@code webhook-timestamp},
 * {@code webhook-signature}). The signing secret is unsealed for each attempt and overwritten after; during a
 * rotation's overlap a delivery carries a signature by each secret.
 */
public final class WebhookTarget implements Target {

    public static final String CREATED = "credential.created";
    public static final String REVOKED = "credential.revoked";
    public static final String REACTIVATED = "credential.reactivated";
    public static final String DELETED = "credential.deleted";
    /** A rotation notice: the secret expires soon (the credential policy's expiryWarningDays ahead). */
    public static final String EXPIRING = "credential.expiring";
    public static final Set<String> TYPES = Set.of(CREATED, REVOKED, REACTIVATED, DELETED, EXPIRING);

    private final DataKeys dataKeys;
    private final Outbound outbound;

    public WebhookTarget(DataKeys dataKeys, Outbound outbound) {
        this.dataKeys = dataKeys;
        this.outbound = outbound;
    }

    @Override
    public List<Message> messages(DeliveryTarget target, CredentialEvent event) {
        var m = event.metadata();
        if (!m.accountId().value().equals(target.getAccountId()) || m.environment() == null
                || !m.environment().name().equals(target.getEnvironment().name())) {
            return List.of();
        }
        List<Message> out = new ArrayList<>();
        List<String> wanted = target.getEvents();
        // A revocation first: of one event's changes, the one a receiver must act on at once.
        if (wanted.contains(REVOKED)) {
            for (CredentialRevoked r : Revocations.of(event)) {
                out.add(new Message("msg_" + r.eventId(), REVOKED, r.secret().secretId().toString(), r.revokedAt(),
                        RevocationStream.revocation(DomainToAvro.revocation(r))));
            }
        }
        if (wanted.contains(CREATED)) {
            switch (event) {
                case CredentialEvent.ApiEnabled e -> {
                    out.add(change(CREATED, event, null, e.authToken()));
                    out.add(change(CREATED, event, null, e.privateSalt()));
                }
                case CredentialEvent.AuthTokenRefreshed e -> out.add(change(CREATED, event, null, e.newToken()));
                case CredentialEvent.ClientCredentialCreated e -> out.add(change(CREATED, event, e.credentialId(), e.clientSecret()));
                default -> { }
            }
        }
        if (wanted.contains(REACTIVATED) && event instanceof CredentialEvent.CredentialReactivated e) {
            out.add(change(REACTIVATED, event, e.credentialId(), e.clientSecret()));
        }
        if (wanted.contains(DELETED) && event instanceof CredentialEvent.CredentialDeleted e) {
            out.add(change(DELETED, event, e.credentialId(), e.clientSecret()));
        }
        if (wanted.contains(EXPIRING) && event instanceof CredentialEvent.CredentialExpiring e) {
            Message notice = change(EXPIRING, event, e.credentialId(), e.secret());
            notice.data().put("expiresAt", e.expiresAt().toString());
            out.add(notice);
        }
        return out;
    }

    @Override
    public List<Integer> partitions(DeliveryTarget target, int partitionCount) {
        // Events are keyed by account: one partition holds all of a webhook's.
        return List.of(org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
                target.getAccountId().getBytes(StandardCharsets.UTF_8))) % partitionCount);
    }

    @Override
    public Outbound.Response send(DeliveryTarget target, Message message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", message.type());
        body.put("timestamp", message.occurredAt().toString());
        body.put("data", message.data());
        byte[] payload = Json.write(body).getBytes(StandardCharsets.UTF_8);
        long now = Instant.now().getEpochSecond();
        AccountId account = new AccountId(target.getAccountId());
        Environment environment = Environment.valueOf(target.getEnvironment().name());
        List<String> signatures = new ArrayList<>();
        String current = sign(account, environment, target.getSecret(), message.id(), now, payload);
        if (current == null) {
            return new Outbound.Response(0, 0, "the signing secret can no longer be unsealed");
        }
        signatures.add(current);
        if (target.getPreviousSecret() != null && target.getPreviousSecretUntil() != null
                && Instant.now().isBefore(target.getPreviousSecretUntil())) {
            String previous = sign(account, environment, target.getPreviousSecret(), message.id(), now, payload);
            if (previous != null) {
                signatures.add(previous);
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("webhook-id", message.id());
        headers.put("webhook-timestamp", Long.toString(now));
        headers.put("webhook-signature", String.join(" ", signatures));
        return outbound.post(URI.create(target.getUrl()), "application/json", headers, payload);
    }

    private String sign(AccountId account, Environment environment, dev.credledger.events.avro.SealedSecret sealed,
            String messageId, long timestamp, byte[] payload) {
        return dataKeys.withUnsealed(account, environment, AvroToDomain.sealed(sealed),
                secret -> new StandardWebhooks(new String(secret, StandardCharsets.US_ASCII)).sign(messageId, timestamp, payload));
    }

    private static Message change(String type, CredentialEvent event, UUID credentialId, SecretRef secret) {
        var m = event.metadata();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("eventId", m.eventId());
        data.put("accountId", m.accountId().value());
        data.put("environment", m.environment().name().toLowerCase(Locale.ROOT));
        data.put("kind", secret.kind().name());
        data.put("credentialId", credentialId);
        data.put("secretId", secret.secretId());
        data.put("prefix", secret.prefix());
        data.put("fingerprint", secret.fingerprint().hex());
        data.put("occurredAt", m.occurredAt().toString());
        String id = "msg_" + UUID.nameUUIDFromBytes((type + "/" + m.eventId() + "/" + secret.secretId())
                .getBytes(StandardCharsets.US_ASCII));
        return new Message(id, type, secret.secretId().toString(), m.occurredAt(), data);
    }
}
