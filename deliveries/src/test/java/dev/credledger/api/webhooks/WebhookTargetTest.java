package dev.credledger.api.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.api.delivery.Message;
import dev.credledger.events.avro.DeliveryKind;
import dev.credledger.events.avro.DeliveryTarget;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Actor;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.EventMetadata;
import dev.credledger.events.model.SecretRef;
import dev.credledger.events.secret.SecretFormat;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What a webhook subscribed to credential changes is sent for the events of credential policies (issue 27). */
class WebhookTargetTest {

    private static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");
    private static final Instant EXPIRES = Instant.parse("2026-12-21T10:00:00Z");

    private final WebhookTarget webhooks = new WebhookTarget(null, null); // messages() neither signs nor sends
    private final SecretRef secret = new SecretFormat().issue(CredentialKind.CLIENT_SECRET, Environment.SANDBOX).ref();
    private final UUID credentialId = UUID.randomUUID();

    @Test
    void aRotationNoticeIsSentAsCredentialExpiringWithItsExpiry() {
        List<Message> sent = webhooks.messages(subscribed(WebhookTarget.EXPIRING),
                new CredentialEvent.CredentialExpiring(meta(), secret, credentialId, EXPIRES));

        assertThat(sent).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo("credential.expiring");
            assertThat(m.data()).containsEntry("expiresAt", EXPIRES.toString()).containsEntry("credentialId", credentialId)
                    .containsEntry("prefix", secret.prefix());
        });
    }

    @Test
    void anExpiryIsSentAsARevocationWithReasonExpiredAndNotAsANotice() {
        CredentialEvent.CredentialExpired expired = new CredentialEvent.CredentialExpired(meta(), secret, credentialId, EXPIRES, true);

        List<Message> sent = webhooks.messages(subscribed(WebhookTarget.REVOKED, WebhookTarget.EXPIRING), expired);

        assertThat(sent).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo("credential.revoked");
            assertThat(m.data()).containsEntry("reason", "EXPIRED");
        });
        assertThat(webhooks.messages(subscribed(WebhookTarget.REVOKED),
                new CredentialEvent.CredentialExpired(meta(), secret, credentialId, EXPIRES, false)))
                .as("an inactive credential's expiry revokes nothing more").isEmpty();
    }

    @Test
    void aWebhookNotSubscribedToNoticesGetsNone() {
        assertThat(webhooks.messages(subscribed(WebhookTarget.REVOKED, WebhookTarget.CREATED),
                new CredentialEvent.CredentialExpiring(meta(), secret, credentialId, EXPIRES))).isEmpty();
    }

    private static EventMetadata meta() {
        return new EventMetadata(UUID.randomUUID(), new AccountId("acme"), Environment.SANDBOX, AT, Actor.system(), null,
                null, 7);
    }

    private static DeliveryTarget subscribed(String... events) {
        return DeliveryTarget.newBuilder().setTargetId(UUID.randomUUID().toString()).setKind(DeliveryKind.WEBHOOK)
                .setAccountId("acme").setEnvironment(dev.credledger.events.avro.Environment.SANDBOX)
                .setUrl("https://hooks.example.com/credledger").setEvents(List.of(events)).setStartPositions(Map.of())
                .setCreatedAt(AT).setCreatedBy("admin").build();
    }
}
