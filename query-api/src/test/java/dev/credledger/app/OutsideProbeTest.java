package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credledger.api.Http;
import dev.credledger.api.delivery.DeliveryPolicy;
import dev.credledger.api.stream.RevocationStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The findings of an outside probe (issue 24) that are not about memory or secrets, each kept as the request that
 * showed it, through the real HTTP server on a real broker.
 */
class OutsideProbeTest {

    private static final String RECEIVER = "probe-receiver-key";
    private static final String SCANNER = "probe-scanner-key";
    private static final String CREDENTIAL_CHANGE = "https://schemas.openid.net/secevent/caep/event-type/credential-change";

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger(s -> s
            .withDeliveries(new DeliveryPolicy(true, 2, Duration.ofMillis(100)))
            .withLeaks(new Settings.Leaks(SCANNER, null, true))
            .withSignals(new Settings.Signals(Map.of("probe", RECEIVER), null, null)));

    private static Http http() {
        return LEDGER.http();
    }

    private static String env(String account) {
        return "/v1/accounts/" + account + "/environments/sandbox";
    }

    private static Http.Response expect(Http.Response r, int status) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        return r;
    }

    @Nested
    class Webhooks {

        private static final String HOOK = "{\"url\":\"http://127.0.0.1:9/hook\",\"events\":[\"credential.revoked\"]}";

        @Test
        void anAccountTheLedgerNeverHeardOfGetsNoWebhook() {
            Http.Response r = expect(http().post(env("probe-nobody") + "/webhooks", ADMIN, HOOK), 404);
            assertThat(r.header("Content-Type")).startsWith("application/problem+json");
            assertThat(http().get(env("probe-nobody") + "/webhooks", AUDITOR).json().path("webhooks")).isEmpty();
        }

        @Test
        void answersCarryingASigningSecretAreNeverCached() {
            TestLedger.knownAccount(http(), "probe-cache");
            Http.Response created = expect(http().post(env("probe-cache") + "/webhooks", ADMIN, HOOK), 201);
            assertThat(created.json().path("secret").asText()).startsWith("whsec_");
            assertThat(created.header("Cache-Control")).isEqualTo("no-store");
            String id = created.json().path("webhookId").asText();
            Http.Response rotated = expect(http().post(env("probe-cache") + "/webhooks/" + id + "/rotate-secret", ADMIN, null),
                    200);
            assertThat(rotated.json().path("secret").asText()).startsWith("whsec_");
            assertThat(rotated.header("Cache-Control")).isEqualTo("no-store");
        }

        @Test
        void creatingRotatingAndDeletingAWebhookAreInTheAccountsAuditTrailOnceEach() {
            TestLedger.knownAccount(http(), "probe-audit");
            String path = env("probe-audit") + "/webhooks";
            Http.Response created = expect(http().post(path, ADMIN, "{\"url\":\"http://127.0.0.1:9/hooks/t0ken-in-path?q=1\","
                    + "\"events\":[\"credential.revoked\"]}", "Idempotency-Key", "audit-1", "X-Actor", "jane@acme.example"), 201);
            String id = created.json().path("webhookId").asText();
            expect(http().post(path, ADMIN, "{\"url\":\"http://127.0.0.1:9/hooks/t0ken-in-path?q=1\","
                    + "\"events\":[\"credential.revoked\"]}", "Idempotency-Key", "audit-1"), 201);
            expect(http().post(path + "/" + id + "/rotate-secret", ADMIN, null), 200);
            expect(http().send("DELETE", path + "/" + id, ADMIN, null), 204);

            List<JsonNode> records = new ArrayList<>();
            http().get("/v1/accounts/probe-audit/audit", AUDITOR).json().path("items").forEach(records::add);
            List<JsonNode> changes = records.stream().filter(r -> r.path("type").asText().equals("DeliveryTargetChanged"))
                    .toList();
            assertThat(changes).extracting(r -> r.path("detail").asText()).containsExactly(
                    "webhook " + id + " CREATED: http://127.0.0.1:9 [credential.revoked]",
                    "webhook " + id + " SECRET_ROTATED: http://127.0.0.1:9 [credential.revoked]",
                    "webhook " + id + " DELETED: http://127.0.0.1:9 [credential.revoked]");
            assertThat(changes.getFirst().path("actor").toString()).contains("jane@acme.example");
            assertThat(changes).allSatisfy(r -> assertThat(r.path("environment").asText()).isEqualTo("sandbox"));
            assertThat(records.toString()).as("a URL's path may carry a token: never recorded").doesNotContain("t0ken");
            assertThat(http().get("/v1/accounts/probe-audit/audit/verify", AUDITOR).json().path("intact").asBoolean())
                    .as("the chain holds them").isTrue();
        }

        @Test
        void aWebhookMadeAgainUnderTheSameKeyAfterADeleteIsRecordedAgain() {
            TestLedger.knownAccount(http(), "probe-again");
            String path = env("probe-again") + "/webhooks";
            String id = expect(http().post(path, ADMIN, HOOK, "Idempotency-Key", "again-1"), 201).json().path("webhookId").asText();
            expect(http().send("DELETE", path + "/" + id, ADMIN, null), 204);
            assertThat(expect(http().post(path, ADMIN, HOOK, "Idempotency-Key", "again-1"), 201).json().path("webhookId")
                    .asText()).isEqualTo(id);
            List<String> changes = new ArrayList<>();
            http().get("/v1/accounts/probe-again/audit", AUDITOR).json().path("items").forEach(r -> {
                if (r.path("type").asText().equals("DeliveryTargetChanged")) {
                    changes.add(r.path("detail").asText().split(" ")[2]);
                }
            });
            assertThat(changes).as("a live webhook is never left looking deleted").containsExactly("CREATED:", "DELETED:",
                    "CREATED:");
        }

        @Test
        void theTransmittersOwnAccountCannotBeChanged() {
            Http.Response r = expect(http().post("/v1/accounts/_ssf/environments/sandbox/api/enable", ADMIN, null), 422);
            assertThat(r.json().path("code").asText()).isEqualTo("ACCOUNT_RESERVED");
        }

        @Test
        void anIdempotencyKeyMakesARetriedCreateOrRotationHappenOnce() {
            TestLedger.knownAccount(http(), "probe-idem");
            String path = env("probe-idem") + "/webhooks";
            Http.Response first = expect(http().post(path, ADMIN, HOOK, "Idempotency-Key", "create-1"), 201);
            // The same request, its fields in another order and spaced: the same meaning, so the same webhook.
            Http.Response again = expect(http().post(path, ADMIN,
                    "{ \"events\" : [\"credential.revoked\"], \"url\" : \"http://127.0.0.1:9/hook\" }",
                    "Idempotency-Key", "create-1"), 201);
            assertThat(again.json().path("webhookId").asText()).isEqualTo(first.json().path("webhookId").asText());
            assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
            assertThat(again.json().has("secret")).as("a secret is shown once").isFalse();
            assertThat(http().get(path, AUDITOR).json().path("webhooks")).hasSize(1);
            Http.Response other = expect(http().post(path, ADMIN, "{\"url\":\"http://127.0.0.1:9/other\",\"events\":"
                    + "[\"credential.revoked\"]}", "Idempotency-Key", "create-1"), 422);
            assertThat(other.json().path("code").asText()).isEqualTo("IDEMPOTENCY_KEY_REUSED");

            String rotate = path + "/" + first.json().path("webhookId").asText() + "/rotate-secret";
            Http.Response rotated = expect(http().post(rotate, ADMIN, null, "Idempotency-Key", "rotate-1"), 200);
            assertThat(rotated.json().path("secret").asText()).startsWith("whsec_");
            Http.Response repeated = expect(http().post(rotate, ADMIN, null, "Idempotency-Key", "rotate-1"), 200);
            assertThat(repeated.header("Idempotent-Replayed")).isEqualTo("true");
            assertThat(repeated.json().has("secret")).as("no second rotation, no second secret").isFalse();
            Http.Response next = expect(http().post(rotate, ADMIN, null, "Idempotency-Key", "rotate-2"), 200);
            assertThat(next.json().path("secret").asText()).startsWith("whsec_")
                    .isNotEqualTo(rotated.json().path("secret").asText());
        }
    }

    @Nested
    class Commands {

        @Test
        void aRetryWhoseJsonIsOrderedOrSpacedDifferentlyIsTheSameRequest() {
            expect(http().post(env("probe-json") + "/api/enable", ADMIN, null), 201);
            Http.Response first = expect(http().post(env("probe-json") + "/allowed-ips", ADMIN,
                    "{\"cidr\":\"203.0.113.9/32\",\"expectedVersion\":1}", "Idempotency-Key", "ip-1"), 201);
            Http.Response again = expect(http().post(env("probe-json") + "/allowed-ips", ADMIN,
                    "{\n  \"expectedVersion\": 1,\n  \"cidr\": \"203.0.113.9/32\"\n}", "Idempotency-Key", "ip-1"), 201);
            assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
            assertThat(first.header("Idempotent-Replayed")).isNull();
            assertThat(http().get(env("probe-json") + "/api", AUDITOR).json().path("allowedIps")).hasSize(1);
        }

        @Test
        void aVerificationWithATokenAndClientCredentialsBothIsRefused() {
            String token = expect(http().post(env("probe-both") + "/api/enable", ADMIN, null), 201).json()
                    .path("authToken").asText();
            Http.Response both = expect(http().post("/v1/verify", VERIFIER, "{\"clientId\":\"clid_sbx_00000000000000000000\","
                    + "\"clientSecret\":\"wrong\"}", "X-Auth-Token", token), 400);
            assertThat(both.json().path("detail").asText()).contains("not both");
        }

        @Test
        void aBatchOfMoreItemsThanAllowedIsRefusedAndTinyItemsAreEachAnsweredInOrder() {
            Http.Response r = expect(http().post("/v1/macs", TestLedger.SIGNER, "{\"items\":[" + "{},".repeat(1_000) + "{}]}"),
                    400);
            assertThat(r.json().path("detail").asText()).contains("1 to 1000 items");
            Http.Response mixed = expect(http().post("/v1/macs", TestLedger.SIGNER,
                    "{\"items\":[{},{\"accountId\":\"nobody\",\"environment\":\"sandbox\",\"payload\":\"x\"}]}"), 200);
            assertThat(mixed.json().path("items")).hasSize(2);
            assertThat(mixed.json().path("items").get(0).path("status").asInt()).isEqualTo(400);
        }

        @Test
        void aBodyLargerThanItsRouteTakesIsAProblem413() {
            // Sent as a careful client sends a large body: the headers first, the body once the server asks for it.
            Http.Response r = expect(http().postExpectingContinue(env("probe-json") + "/allowed-ips", ADMIN,
                    "{\"cidr\":\"" + "1".repeat(70_000) + "\"}"), 413);
            assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        }

        @Test
        void aReportSliceNamingAPartitionTwiceIsRefused() {
            Http.Response r = expect(http().get("/internal/v1/credential-report-slice?asOf=0&partitions=0,0", AUDITOR), 400);
            assertThat(r.json().path("parameter").asText()).isEqualTo("partitions");
        }
    }

    @Nested
    class LeakReports {

        @Test
        void emptySignatureHeadersAreABadSignatureNotAnUnsignedReport() {
            String token = expect(http().post(env("probe-leak") + "/api/enable", ADMIN, null), 201).json()
                    .path("authToken").asText();
            String report = "[{\"token\":\"" + token + "\",\"type\":\"t\",\"url\":\"https://x.example/\",\"source\":\"s\"}]";
            for (String[] headers : List.of(new String[] {"Github-Public-Key-Signature", ""},
                    new String[] {"Github-Public-Key-Identifier", ""})) {
                Http.Response r = expect(http().post("/v1/leaks", SCANNER, report, headers), 401);
                assertThat(r.json().path("title").asText()).isEqualTo("Bad signature");
            }
            // Nothing was revoked: the token still verifies.
            assertThat(http().post("/v1/verify", VERIFIER, null, "X-Auth-Token", token).json().path("active").asBoolean())
                    .isTrue();
        }
    }

    @Nested
    class SharedSignals {

        private JsonNode stream(String body) {
            return expect(http().post("/ssf/streams", RECEIVER, body), 201).json();
        }

        private JsonNode poll(String id, String body) {
            return expect(http().post("/ssf/streams/" + id + "/poll", RECEIVER, body), 200).json();
        }

        /** Asks for a verification event, waiting out the minimum interval between two (a 429 until then). */
        private void verification(String id, String state) {
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (true) {
                Http.Response r = http().post("/ssf/verify", RECEIVER, "{\"stream_id\":\"" + id + "\",\"state\":\"" + state
                        + "\"}");
                if (r.status() == 204) {
                    return;
                }
                assertThat(r.status()).as(r.raw()).isEqualTo(429);
                assertThat(System.nanoTime()).as("verification accepted in time").isLessThan(deadline);
                LockSupport.parkNanos(Duration.ofMillis(250).toNanos()); // a rate limit of the ledger's, not Kafka
            }
        }

        @Test
        void aPollFilledByAVerificationSaysMoreIsAvailableAndNoVerificationIsLost() {
            String id = stream("{\"events_requested\":[\"" + CREDENTIAL_CHANGE + "\"]}").path("stream_id").asText();
            expect(http().post(env("probe-ssf") + "/api/enable", ADMIN, null), 201);
            for (int i = 0; i < 3; i++) {
                expect(http().post(env("probe-ssf") + "/api/refresh", ADMIN, "{\"reason\":\"COMPROMISED\"}"), 200);
            }
            verification(id, "first");
            verification(id, "second");

            JsonNode one = poll(id, "{\"maxEvents\":1,\"returnImmediately\":true}");
            assertThat(one.path("sets").size()).isEqualTo(1);
            assertThat(one.path("moreAvailable").asBoolean()).as("two verifications and three revocations wait").isTrue();
            // Nothing acknowledged: everything is still owed, both verifications among it, oldest first.
            JsonNode all = poll(id, "{\"maxEvents\":10,\"returnImmediately\":true}");
            List<String> jtis = new ArrayList<>();
            all.path("sets").fieldNames().forEachRemaining(jtis::add);
            assertThat(jtis).hasSize(5);
            assertThat(all.path("moreAvailable").asBoolean()).isFalse();
            JsonNode acked = poll(id, "{\"maxEvents\":10,\"returnImmediately\":true,\"ack\":" + toJson(jtis) + "}");
            assertThat(acked.path("sets").size()).isZero();
            assertThat(acked.path("moreAvailable").asBoolean()).isFalse();
        }

        @Test
        void aRetriedStreamCreationOrVerificationRequestWithTheSameKeyHappensOnce() {
            String body = "{\"events_requested\":[\"" + CREDENTIAL_CHANGE + "\"],\"description\":\"idem\"}";
            JsonNode first = expect(http().post("/ssf/streams", RECEIVER, body, "Idempotency-Key", "s-1"), 201).json();
            Http.Response again = expect(http().post("/ssf/streams", RECEIVER, body, "Idempotency-Key", "s-1"), 201);
            assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
            assertThat(again.json().path("stream_id").asText()).isEqualTo(first.path("stream_id").asText());
            expect(http().post("/ssf/streams", RECEIVER, "{\"description\":\"other\"}", "Idempotency-Key", "s-1"), 422);

            String id = first.path("stream_id").asText();
            String verify = "{\"stream_id\":\"" + id + "\",\"state\":\"once\"}";
            expect(http().post("/ssf/verify", RECEIVER, verify, "Idempotency-Key", "v-1"), 204);
            Http.Response repeated = expect(http().post("/ssf/verify", RECEIVER, verify, "Idempotency-Key", "v-1"), 204);
            assertThat(repeated.header("Idempotent-Replayed")).as("not a 429: a retry, not a second request").isEqualTo("true");
            assertThat(poll(id, "{\"returnImmediately\":true}").path("sets").size()).isEqualTo(1);
        }

        @Test
        void streamChangesAreInTheTransmittersAuditTrail() {
            String id = stream("{\"events_requested\":[\"" + CREDENTIAL_CHANGE + "\"],\"description\":\"audited\"}")
                    .path("stream_id").asText();
            expect(http().send("PATCH", "/ssf/streams", RECEIVER, "{\"stream_id\":\"" + id + "\",\"change_types\":"
                    + "[\"revoke\",\"create\"]}"), 200);
            expect(http().post("/ssf/status", RECEIVER, "{\"stream_id\":\"" + id + "\",\"status\":\"disabled\"}"), 200);
            expect(http().send("DELETE", "/ssf/streams?stream_id=" + id, RECEIVER, null), 204);
            List<String> details = new ArrayList<>();
            http().get("/v1/accounts/_ssf/audit?limit=1000", AUDITOR).json().path("items").forEach(r -> {
                if (r.path("detail").asText().contains(id)) {
                    details.add(r.path("detail").asText() + " by " + r.path("actor").path("id").asText());
                }
            });
            assertThat(details).containsExactly(
                    "stream " + id + " CREATED of receiver probe [revoke] by receiver:probe",
                    "stream " + id + " UPDATED of receiver probe [revoke, create] by receiver:probe",
                    "stream " + id + " UPDATED of receiver probe [revoke, create], status disabled by receiver:probe",
                    "stream " + id + " DELETED of receiver probe [revoke, create] by receiver:probe");
        }

        @Test
        void aRetriedVerificationRequestAskingForAnotherStateIsNotARetry() {
            String id = stream("{}").path("stream_id").asText();
            expect(http().post("/ssf/verify", RECEIVER, "{\"stream_id\":\"" + id + "\",\"state\":\"a\"}",
                    "Idempotency-Key", "v-2"), 204);
            Http.Response other = expect(http().post("/ssf/verify", RECEIVER, "{\"stream_id\":\"" + id + "\",\"state\":\"b\"}",
                    "Idempotency-Key", "v-2"), 422);
            assertThat(other.json().path("code").asText()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
        }

        @Test
        void aPushEndpointAtACloudMetadataAddressIsRefusedEvenWherePrivateAddressesAreAllowed() {
            for (String url : List.of("http://169.254.169.254/latest/meta-data", "http://[fd00:ec2::254]/",
                    "http://0x7f.1/", "http://2130706433/")) {
                Http.Response r = expect(http().post("/ssf/streams", RECEIVER, "{\"delivery\":{\"method\":"
                        + "\"urn:ietf:rfc:8935\",\"endpoint_url\":\"" + url + "\"}}"), 400);
                assertThat(r.json().path("code").asText()).as(url).isEqualTo("PUSH_ENDPOINT_REFUSED");
            }
        }

        @Test
        void theTransmittersAudienceCannotBeChosenByTheReceiver() {
            Http.Response r = expect(http().post("/ssf/streams", RECEIVER, "{\"aud\":\"someone-else\"}"), 400);
            assertThat(r.json().path("detail").asText()).contains("aud");
        }

        @Test
        void aMaxEventsTooLargeForItsFieldIsNamed() {
            String id = stream("{}").path("stream_id").asText();
            Http.Response r = expect(http().post("/ssf/streams/" + id + "/poll", RECEIVER, "{\"maxEvents\":2147483648}"), 400);
            assertThat(r.json().path("detail").asText()).contains("maxEvents");
        }

        private static String toJson(List<String> values) {
            return values.stream().map(v -> "\"" + v + "\"").reduce((a, b) -> a + "," + b).map(s -> "[" + s + "]")
                    .orElse("[]");
        }
    }

    @Nested
    class EventStream {

        @Test
        void theSlotsOfClosedStreamsAreFreeWithinSecondsNotAtTheNextHeartbeat() throws Exception {
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest request = HttpRequest.newBuilder(URI.create(LEDGER.app().httpUrl() + "/v1/revocations/stream"))
                    .header("Authorization", "Bearer " + VERIFIER).GET().build();
            for (int round = 0; round < 2; round++) {
                List<InputStream> open = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
                while (open.size() < RevocationStream.MAX_STREAMS) {
                    HttpResponse<InputStream> r = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                    if (r.statusCode() == 200) {
                        open.add(r.body());
                        continue;
                    }
                    r.body().close();
                    assertThat(r.statusCode()).isEqualTo(503);
                    assertThat(System.nanoTime()).as("round %d: stream %d of %d opened within 8 s of the last close "
                            + "(the heartbeat is 15 s)", round, open.size() + 1, RevocationStream.MAX_STREAMS)
                            .isLessThan(deadline);
                    LockSupport.parkNanos(Duration.ofMillis(100).toNanos()); // the ledger's slot, not Kafka
                }
                for (InputStream body : open) {
                    body.close();
                }
            }
        }
    }
}
