package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;
import dev.credledger.api.Http;
import dev.credledger.api.delivery.DeliveryPolicy;
import dev.credledger.processors.topology.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Webhooks over real HTTP on an in-process broker, with receivers on loopback (private addresses allowed here, as
 * for development; {@link WebhookAddressesTest} runs with the default). Deliveries verify with the Standard Webhooks
 * specification's own Java library; a receiver that fails is retried with backoff, every attempt shown; the secret
 * is shown once and never stored in clear; a restart neither loses nor repeats a delivery.
 */
class WebhooksTest {

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger(s -> s.withDeliveries(new DeliveryPolicy(true, 5, Duration.ofMillis(100))));

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Http http() {
        return LEDGER.http();
    }

    private static String env(String account) {
        return "/v1/accounts/" + account + "/environments/sandbox";
    }

    private static JsonNode subscribe(String account, String url, String... events) {
        TestLedger.knownAccount(http(), account);
        Http.Response r = http().post(env(account) + "/webhooks", ADMIN, "{\"url\":\"" + url + "\",\"events\":[\""
                + String.join("\",\"", events) + "\"]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.json();
    }

    private static JsonNode post(String path, String body, int expected) {
        Http.Response r = http().post(path, ADMIN, body);
        assertThat(r.status()).as(r.raw()).isEqualTo(expected);
        return r.json();
    }

    private static Predicate<Receiver.Request> ofType(String type) {
        return r -> json(r.body()).path("type").asText().equals(type);
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new AssertionError(body, e);
        }
    }

    private static void verifies(String secret, Receiver.Request request) {
        assertThatCode(() -> new Webhook(secret).verify(request.body(), request.headers()))
                .as("verified by the Standard Webhooks library").doesNotThrowAnyException();
    }

    /** The deliveries endpoint, polled until its newest delivery has {@code outcome}. */
    private static JsonNode newestDelivery(String account, String webhookId, String outcome) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode newest = null;
        while (System.nanoTime() < deadline) {
            Http.Response r = http().get(env(account) + "/webhooks/" + webhookId + "/deliveries", AUDITOR);
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            newest = r.json().path("deliveries").path(0);
            if (newest.path("outcome").asText().equals(outcome)) {
                return newest;
            }
            Thread.sleep(20); // polling the ledger's HTTP view, not waiting for Kafka
        }
        throw new AssertionError("no delivery with outcome " + outcome + ": " + newest);
    }

    @Test
    void aRevocationReachesTheWebhookSignedSoTheSpecificationsLibraryVerifiesIt() throws Exception {
        try (Receiver receiver = new Receiver()) {
            JsonNode webhook = subscribe("wh-a", receiver.url("/hooks/credledger"), "credential.created", "credential.revoked");
            String secret = webhook.path("secret").asText();
            assertThat(secret).startsWith("whsec_");

            JsonNode enabled = post(env("wh-a") + "/api/enable", null, 201);
            List<Receiver.Request> created = receiver.await(2, ofType("credential.created"), Duration.ofSeconds(5));
            long sent = System.nanoTime();
            JsonNode refreshed = post(env("wh-a") + "/api/refresh", "{\"reason\":\"COMPROMISED\"}", 200);
            Receiver.Request revoked = receiver.await(1, ofType("credential.revoked"), Duration.ofSeconds(5)).getFirst();

            System.out.printf("[webhooks] command sent to webhook received: %d ms%n", (revoked.receivedNanos() - sent) / 1_000_000);
            JsonNode body = json(revoked.body());
            String oldToken = enabled.path("authToken").asText();
            assertThat(body.path("data").path("prefix").asText()).isEqualTo(oldToken.substring(0, 13));
            assertThat(body.path("data").path("reason").asText()).isEqualTo("TOKEN_COMPROMISED");
            String revocationId = refreshed.path("revoked").get(0).path("revocationId").asText();
            assertThat(body.path("data").path("eventId").asText()).isEqualTo(revocationId);
            assertThat(revoked.header("webhook-id")).isEqualTo("msg_" + revocationId);
            assertThat(revoked.header("content-type")).startsWith("application/json");
            assertThat(body.has("timestamp")).isTrue();
            receiver.await(3, ofType("credential.created"), Duration.ofSeconds(5)); // the replacement token
            for (Receiver.Request request : receiver.received()) {
                verifies(secret, request);
                for (String plaintext : List.of(oldToken, enabled.path("privateSalt").asText(),
                        refreshed.path("authToken").asText(), secret)) {
                    assertThat(request.body()).doesNotContain(plaintext);
                    assertThat(request.headers().toString()).doesNotContain(plaintext);
                }
            }
            assertThat(receiver.received()).extracting(r -> json(r.body()).path("type").asText())
                    .containsOnly("credential.created", "credential.revoked");
            assertThat(created).extracting(r -> json(r.body()).path("data").path("kind").asText())
                    .containsExactlyInAnyOrder("AUTH_TOKEN", "PRIVATE_SALT");
        }
    }

    @Test
    void aReceiverThatFailsThreeTimesGetsTheMessageOnTheFourthAttemptAndTheDeliveriesShowEveryAttempt() throws Exception {
        try (Receiver receiver = new Receiver().answer(500, 503, 500)) {
            JsonNode webhook = subscribe("wh-b", receiver.url("/flaky"), "credential.revoked");
            post(env("wh-b") + "/api/enable", null, 201);
            post(env("wh-b") + "/api/refresh", "{\"reason\":\"COMPROMISED\"}", 200);

            List<Receiver.Request> attempts = receiver.await(4, r -> true, Duration.ofSeconds(10));

            assertThat(attempts).extracting(r -> r.header("webhook-id")).containsOnly(attempts.getFirst().header("webhook-id"));
            assertThat(attempts.get(3).receivedNanos() - attempts.get(0).receivedNanos())
                    .as("three waits of at least half the backoff each: 50 + 100 + 200 ms").isGreaterThan(350_000_000L);
            JsonNode delivery = newestDelivery("wh-b", webhook.path("webhookId").asText(), "delivered");
            assertThat(delivery.path("type").asText()).isEqualTo("credential.revoked");
            assertThat(delivery.path("attempts")).extracting(a -> a.path("status").asInt()).containsExactly(500, 503, 500, 204);
            assertThat(delivery.path("attempts").get(0).path("error").asText()).isEqualTo("answered HTTP 500");
            assertThat(delivery.path("attempts").get(3).path("error").isNull()).isTrue();
        }
    }

    @Test
    void aRedirectIsNotFollowedAMessageNeverTakenIsGivenUpOnAndTheNextOneStillGoesOut() throws Exception {
        try (Receiver elsewhere = new Receiver(); Receiver receiver = new Receiver().answer(302, 302, 302, 302, 302)) {
            receiver.redirectingTo(elsewhere.url("/stolen"));
            JsonNode webhook = subscribe("wh-c", receiver.url("/moved"), "credential.revoked");
            post(env("wh-c") + "/api/enable", null, 201);
            post(env("wh-c") + "/api/refresh", "{\"reason\":\"COMPROMISED\"}", 200);

            JsonNode failed = newestDelivery("wh-c", webhook.path("webhookId").asText(), "failed");
            assertThat(failed.path("attempts")).hasSize(5).allSatisfy(a -> {
                assertThat(a.path("status").asInt()).isEqualTo(302);
                assertThat(a.path("error").asText()).isEqualTo("answered HTTP 302");
            });

            post(env("wh-c") + "/api/refresh", "{\"reason\":\"ROUTINE\"}", 200);
            List<Receiver.Request> all = receiver.await(6, r -> true, Duration.ofSeconds(10));
            assertThat(all.get(5).header("webhook-id")).isNotEqualTo(all.get(0).header("webhook-id"));
            newestDelivery("wh-c", webhook.path("webhookId").asText(), "delivered");
            assertThat(elsewhere.received()).as("the redirect's target").isEmpty();
        }
    }

    @Test
    void theSecretIsShownOnceNeverListedNorStoredInClearAndARotationSignsWithBothSecrets() throws Exception {
        try (Receiver receiver = new Receiver()) {
            JsonNode webhook = subscribe("wh-d", receiver.url("/rotating"), "credential.created");
            String first = webhook.path("secret").asText();
            String id = webhook.path("webhookId").asText();

            Http.Response listed = http().get(env("wh-d") + "/webhooks", AUDITOR);
            assertThat(listed.status()).isEqualTo(200);
            assertThat(listed.json().path("webhooks")).hasSize(1);
            assertThat(listed.json().path("webhooks").get(0).path("webhookId").asText()).isEqualTo(id);
            assertThat(listed.raw()).doesNotContain("whsec_").doesNotContain("\"secret\"");
            assertThat(listed.json().path("webhooks").get(0).path("url").asText()).as("an auditor sees the origin only")
                    .isEqualTo(receiver.url("/…"));
            assertThat(http().get(env("wh-d") + "/webhooks", ADMIN).json().path("webhooks").get(0).path("url").asText())
                    .isEqualTo(receiver.url("/rotating"));

            JsonNode rotated = post(env("wh-d") + "/webhooks/" + id + "/rotate-secret", null, 200);
            String second = rotated.path("secret").asText();
            assertThat(second).startsWith("whsec_").isNotEqualTo(first);
            assertThat(rotated.path("previousSecretValidUntil").isTextual()).isTrue();

            post(env("wh-d") + "/api/enable", null, 201);
            List<Receiver.Request> delivered = receiver.await(2, r -> true, Duration.ofSeconds(5));
            for (Receiver.Request request : delivered) {
                assertThat(request.header("webhook-signature").split(" ")).hasSize(2);
                verifies(first, request);
                verifies(second, request);
            }

            for (String topic : List.of(Topics.DELIVERY_TARGETS, Topics.DELIVERY_STATE, Topics.DATA_KEYS)) {
                for (var record : TopicDump.read(LEDGER.app().bootstrapServers(), topic,
                        (t, bytes) -> new String(bytes, StandardCharsets.ISO_8859_1))) {
                    for (String secret : List.of(first, second)) {
                        assertThat(String.valueOf(record.value())).as(topic).doesNotContain(secret)
                                .doesNotContain(secret.substring("whsec_".length()));
                    }
                }
            }
        }
    }

    @Test
    void aKeyRotationThatDestroysUnusedDataKeysKeepsTheWebhooksSigningSecret() throws Exception {
        try (Receiver receiver = new Receiver()) {
            JsonNode webhook = subscribe("wh-h", receiver.url("/rotated-kek"), "credential.created");
            String secret = webhook.path("secret").asText();
            try (DataKeyRotation rotation = new DataKeyRotation(
                    dev.credledger.events.sealing.FileKeyring.load(java.nio.file.Path.of(LEDGER.app().sealingKeyFile())),
                    dev.credledger.processors.topology.ClientProperties.of(LEDGER.app().bootstrapServers()),
                    new Topics(new dev.credledger.events.registry.SchemaRegistryClient(
                            dev.credledger.events.registry.SchemaRegistryClient.Settings.of(LEDGER.app().registryUrl()))),
                    Duration.ofSeconds(10), Duration.ZERO)) {
                rotation.run(); // every data key nothing uses is destroyed now, however young
            }
            post(env("wh-h") + "/api/enable", null, 201);
            for (Receiver.Request request : receiver.await(2, r -> true, Duration.ofSeconds(10))) {
                verifies(secret, request);
            }
        }
    }

    @Test
    void aDeletedWebhookGetsNothingMoreAndItsDeliveriesAreGone() throws Exception {
        try (Receiver deleted = new Receiver(); Receiver kept = new Receiver()) {
            JsonNode gone = subscribe("wh-e", deleted.url("/gone"), "credential.created");
            subscribe("wh-e", kept.url("/kept"), "credential.created");
            String id = gone.path("webhookId").asText();
            Http.Response removed = http().send("DELETE", env("wh-e") + "/webhooks/" + id, ADMIN, null);
            assertThat(removed.status()).as(removed.raw()).isEqualTo(204);

            post(env("wh-e") + "/api/enable", null, 201);
            kept.await(2, r -> true, Duration.ofSeconds(5));

            assertThat(deleted.received()).isEmpty();
            assertThat(http().get(env("wh-e") + "/webhooks/" + id + "/deliveries", AUDITOR).status()).isEqualTo(404);
            assertThat(http().get(env("wh-e") + "/webhooks", AUDITOR).json().path("webhooks")).hasSize(1);
            assertThat(http().send("DELETE", env("wh-e") + "/webhooks/" + id, ADMIN, null).status()).isEqualTo(404);
        }
    }

    @Test
    void malformedSubscriptionsAndTheWrongRoleAreRefusedWithProblems() {
        String path = env("wh-f") + "/webhooks";
        TestLedger.knownAccount(http(), "wh-f");
        record Case(String body, String key, int status) {}
        for (Case c : List.of(
                new Case("{\"url\":\"http://127.0.0.1:9/x\",\"events\":[\"credential.exploded\"]}", ADMIN, 400),
                new Case("{\"url\":\"http://127.0.0.1:9/x\",\"events\":[]}", ADMIN, 400),
                new Case("{\"events\":[\"credential.revoked\"]}", ADMIN, 400),
                new Case("{\"url\":\"ftp://127.0.0.1/x\",\"events\":[\"credential.revoked\"]}", ADMIN, 400),
                new Case("{\"url\":\"http://user:pw@127.0.0.1/x\",\"events\":[\"credential.revoked\"]}", ADMIN, 400),
                new Case("{\"url\":\"http://no-such-host.invalid/x\",\"events\":[\"credential.revoked\"]}", ADMIN, 400),
                new Case("{\"url\":\"http://127.0.0.1:9/x\",\"events\":[\"credential.revoked\"]}", AUDITOR, 403))) {
            Http.Response r = http().post(path, c.key(), c.body());
            assertThat(r.status()).as(c.body() + " -> " + r.raw()).isEqualTo(c.status());
            assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        }
        assertThat(http().get(env("wh-f") + "/webhooks/not-a-uuid/deliveries", AUDITOR).status()).isEqualTo(400);
        assertThat(http().get(env("wh-f") + "/webhooks/" + java.util.UUID.randomUUID() + "/deliveries", AUDITOR).status())
                .isEqualTo(404);
        for (int i = 0; i < dev.credledger.api.webhooks.WebhookRoutes.MAX_PER_ENVIRONMENT; i++) {
            subscribe("wh-f", "http://127.0.0.1:9/" + i, "credential.revoked");
        }
        Http.Response tooMany = http().post(path, ADMIN, "{\"url\":\"http://127.0.0.1:9/x\",\"events\":[\"credential.revoked\"]}");
        assertThat(tooMany.status()).isEqualTo(409);
        assertThat(tooMany.json().path("code").asText()).isEqualTo("TOO_MANY_WEBHOOKS");
    }

    @Test
    void afterARestartDeliveryContinuesWhereItStoppedInLogOrderWithoutLosingAMessage() throws Exception {
        try (Receiver receiver = new Receiver()) {
            subscribe("wh-g", receiver.url("/durable"), "credential.created", "credential.revoked");
            String first = post(env("wh-g") + "/api/enable", null, 201).path("authToken").asText();
            receiver.await(2, r -> true, Duration.ofSeconds(5));

            // Restarted right after the refresh is answered: its deliveries are pending or in flight across the restart.
            String second = post(env("wh-g") + "/api/refresh", "{\"reason\":\"COMPROMISED\"}", 200).path("authToken").asText();
            LEDGER.restart();
            String third = post(env("wh-g") + "/api/refresh", "{\"reason\":\"COMPROMISED\"}", 200).path("authToken").asText();
            // Six distinct messages (a resend carries its first id, so requests alone could count one twice).
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (receiver.received().stream().map(r -> r.header("webhook-id")).distinct().count() < 6) {
                assertThat(System.nanoTime()).as("six distinct messages delivered").isLessThan(deadline);
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // polling the receiver
            }

            // At least once: a message sent again (the restart may cut one off after it arrived) carries its first id,
            // and comes before anything later. In order of first arrival, the messages are the log's order exactly.
            java.util.LinkedHashMap<String, String> firstArrivals = new java.util.LinkedHashMap<>();
            String previous = null;
            for (Receiver.Request r : receiver.received()) {
                String id = r.header("webhook-id");
                JsonNode body = json(r.body());
                String what = body.path("type").asText() + " " + body.path("data").path("kind").asText() + " "
                        + body.path("data").path("prefix").asText();
                if (firstArrivals.containsKey(id)) {
                    assertThat(id).as("a repeat is of the message just sent, never of an older one").isEqualTo(previous);
                } else {
                    firstArrivals.put(id, what);
                }
                previous = id;
            }
            String saltPrefix = firstArrivals.values().stream().filter(v -> v.contains("PRIVATE_SALT")).findFirst()
                    .orElseThrow().split(" ")[2];
            assertThat(firstArrivals.values()).containsExactly(
                    "credential.created AUTH_TOKEN " + first.substring(0, 13),
                    "credential.created PRIVATE_SALT " + saltPrefix,
                    "credential.revoked AUTH_TOKEN " + first.substring(0, 13),
                    "credential.created AUTH_TOKEN " + second.substring(0, 13),
                    "credential.revoked AUTH_TOKEN " + second.substring(0, 13),
                    "credential.created AUTH_TOKEN " + third.substring(0, 13));
        }
    }
}
