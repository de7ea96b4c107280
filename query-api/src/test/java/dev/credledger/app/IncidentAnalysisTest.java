package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credledger.api.Http;
import dev.credledger.events.model.Fingerprint;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The incident questions over real HTTP on a real broker: the state of an account at a past instant, the
 * history of a credential, and everything about one secret.
 */
class IncidentAnalysisTest {

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger();

    private static final String ACCOUNT = "incident";
    private static final String BASE = "/v1/accounts/" + ACCOUNT + "/environments/sandbox";
    private static Instant beforeEverything;
    private static Instant beforeRefresh;
    private static String leakedToken;
    private static String leakedTokenId;
    private static String currentToken;
    private static String credentialId;
    private static String clientSecret;

    private static Http http() {
        return LEDGER.http();
    }

    @BeforeAll
    static void anIncident() {
        beforeEverything = Instant.now();
        LockSupport.parkNanos(5_000_000);
        Http.Response enabled = http().post(BASE + "/api/enable", ADMIN, null, "X-Actor", "alice@example.com");
        leakedToken = enabled.json().path("authToken").asText();
        leakedTokenId = enabled.json().path("tokenId").asText();
        Http.Response created = http().post(BASE + "/credentials", ADMIN, "{\"name\":\"gateway-prod\"}", "X-Actor", "alice@example.com");
        credentialId = created.json().path("credentialId").asText();
        clientSecret = created.json().path("clientSecret").asText();
        LockSupport.parkNanos(20_000_000);
        beforeRefresh = Instant.now();
        LockSupport.parkNanos(20_000_000);
        currentToken = http().post(BASE + "/api/refresh", ADMIN, "{\"reason\":\"COMPROMISED\"}", "X-Actor", "bob@example.com")
                .json().path("authToken").asText();
        http().post(BASE + "/credentials/" + credentialId + "/deactivate", ADMIN, null, "X-Actor", "bob@example.com");
        http().post(BASE + "/credentials/" + credentialId + "/deactivate", ADMIN, null, "X-Actor", "eve@example.com");
        http().send("DELETE", BASE + "/credentials/" + credentialId, ADMIN, null, "X-Actor", "bob@example.com");
    }

    private static JsonNode get(String path) {
        Http.Response r = http().get(path, AUDITOR);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json();
    }

    private static void assertProblem(Http.Response r, int status) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
    }

    @Nested
    class PointInTimeState {

        @Test
        void beforeTheRefreshTheTokenThatHasSinceBeenRevokedWasActive() {
            JsonNode then = get("/v1/accounts/" + ACCOUNT + "/state?asOf=" + beforeRefresh);

            JsonNode sandbox = then.path("environments").path("sandbox");
            assertThat(then.path("asOf").asText()).isEqualTo(beforeRefresh.toString());
            assertThat(sandbox.path("authToken").path("id").asText()).isEqualTo(leakedTokenId);
            assertThat(sandbox.path("authToken").path("fingerprint").asText()).isEqualTo(Fingerprint.of(leakedToken).hex());
            assertThat(sandbox.path("credentials").get(0).path("status").asText()).isEqualTo("ACTIVE");
            assertThat(http().post("/v1/verify", VERIFIER, null, "X-Auth-Token", leakedToken).json().path("reason").asText())
                    .isEqualTo("REVOKED");
        }

        @Test
        void nowItEqualsTheLiveViewsAndDeletedCredentialsShowAsDeleted() {
            JsonNode now = get("/v1/accounts/" + ACCOUNT + "/state");
            JsonNode api = get(BASE + "/api");

            JsonNode sandbox = now.path("environments").path("sandbox");
            assertThat(sandbox.path("authToken").path("id").asText()).isEqualTo(api.path("tokenId").asText());
            assertThat(sandbox.path("authToken").path("fingerprint").asText()).isEqualTo(Fingerprint.of(currentToken).hex());
            assertThat(sandbox.path("privateSalt").path("id").asText()).isEqualTo(api.path("saltId").asText());
            assertThat(sandbox.path("credentials").get(0).path("status").asText()).isEqualTo("DELETED");
            assertThat(now.path("environments").path("live").path("apiEnabled").asBoolean()).isFalse();
        }

        @Test
        void beforeTheFirstEventItIsEmptyAndBadInstantsAndUnknownAccountsAreProblems() {
            JsonNode empty = get("/v1/accounts/" + ACCOUNT + "/state?asOf=" + beforeEverything);

            assertThat(empty.path("version").asLong()).isZero();
            assertThat(empty.path("environments").path("sandbox").path("apiEnabled").asBoolean()).isFalse();
            assertThat(empty.path("environments").path("sandbox").path("credentials")).isEmpty();
            assertProblem(http().get("/v1/accounts/" + ACCOUNT + "/state?asOf=" + Instant.now().plusSeconds(3600), AUDITOR), 400);
            assertProblem(http().get("/v1/accounts/" + ACCOUNT + "/state?asOf=yesterday", AUDITOR), 400);
            assertProblem(http().get("/v1/accounts/nobody-here/state", AUDITOR), 404);
            assertThat(http().get("/v1/accounts/" + ACCOUNT + "/state", VERIFIER).status()).isEqualTo(403);
        }
    }

    @Nested
    class CredentialHistory {

        @Test
        void fromCreationToDeletionWithTheRefusedAttemptInBetween() {
            JsonNode items = get("/v1/accounts/" + ACCOUNT + "/credentials/" + credentialId + "/history").path("items");

            assertThat(items).extracting(i -> i.path("type").asText() + " " + i.path("actor").path("id").asText())
                    .containsExactly("ClientCredentialCreated alice@example.com", "CredentialDeactivated bob@example.com",
                            "CommandRejected eve@example.com", "CredentialDeleted bob@example.com");
            assertThat(items.get(2).path("reason").asText()).isEqualTo("CREDENTIAL_ALREADY_INACTIVE");
            assertProblem(http().get("/v1/accounts/" + ACCOUNT + "/credentials/" + java.util.UUID.randomUUID() + "/history",
                    AUDITOR), 404);
        }
    }

    @Nested
    class StreamingExport {

        private java.util.List<String> lines(String body) {
            return body.lines().filter(l -> !l.isBlank()).toList();
        }

        @Test
        void ndjsonCsvAndOcsfCarryEveryRecordOfTheTrail() throws Exception {
            JsonNode trail = get("/v1/accounts/" + ACCOUNT + "/audit").path("items");
            Http.Response ndjson = http().get("/v1/accounts/" + ACCOUNT + "/audit/export", AUDITOR);
            Http.Response csv = http().get("/v1/accounts/" + ACCOUNT + "/audit/export?format=csv", AUDITOR);
            Http.Response ocsf = http().get("/v1/accounts/" + ACCOUNT + "/audit/export?format=ocsf", AUDITOR);
            var json = new com.fasterxml.jackson.databind.ObjectMapper();

            assertThat(ndjson.header("Content-Type")).startsWith("application/x-ndjson");
            java.util.List<String> ndLines = lines(ndjson.raw());
            assertThat(ndLines).hasSize(trail.size());
            for (int i = 0; i < trail.size(); i++) {
                JsonNode line = json.readTree(ndLines.get(i));
                assertThat(line.path("accountId").asText()).isEqualTo(ACCOUNT);
                assertThat(line.path("hash").asText()).isEqualTo(trail.get(i).path("hash").asText());
            }

            assertThat(csv.header("Content-Type")).startsWith("text/csv");
            assertThat(csv.raw()).startsWith("accountId,sequence,eventId,type,environment,time,actorId,sourceIp,userAgent,"
                    + "channel,outcome,reason,detail,credentialId,commandId,correlationId,prevHash,hash\r\n");
            assertThat(csv.raw().split("\r\n")).hasSize(trail.size() + 1);

            java.util.List<String> ocsfLines = lines(ocsf.raw());
            assertThat(ocsfLines).hasSize(trail.size());
            for (int i = 0; i < trail.size(); i++) {
                JsonNode e = json.readTree(ocsfLines.get(i));
                // The members OCSF 1.1.0 requires of an Account Change event (ocsf-schema v1.1.0: base_event,
                // iam, account_change, metadata, product), and its activity_id enum (1-11, 99).
                assertThat(e.path("class_uid").asInt()).isEqualTo(3001);
                assertThat(e.path("activity_id").asInt()).satisfiesAnyOf(a -> assertThat(a).isBetween(1, 11),
                        a -> assertThat(a).isEqualTo(99));
                assertThat(e.path("severity_id").asInt()).isBetween(0, 6);
                assertThat(e.path("metadata").path("product").path("vendor_name").asText()).isNotBlank();
                assertThat(e.path("user").isObject()).isTrue();
                assertThat(e.path("category_uid").asInt()).isEqualTo(3);
                assertThat(e.path("type_uid").asInt()).isEqualTo(300100 + e.path("activity_id").asInt());
                assertThat(e.path("time").asLong()).isEqualTo(Instant.parse(trail.get(i).path("time").asText()).toEpochMilli());
                assertThat(e.path("metadata").path("version").asText()).isEqualTo("1.1.0");
                assertThat(e.path("metadata").path("uid").asText()).isEqualTo(trail.get(i).path("eventId").asText());
                assertThat(e.path("actor").path("user").path("name").asText()).isEqualTo(trail.get(i).path("actor").path("id").asText());
                assertThat(e.path("status_id").asInt()).isEqualTo("REJECTED".equals(trail.get(i).path("outcome").asText()) ? 2 : 1);
            }
            assertThat(ocsfLines).anySatisfy(l -> assertThat(l).contains("\"activity_name\":\"Password Change\""));
            assertProblem(http().get("/v1/accounts/" + ACCOUNT + "/audit/export?format=xml", AUDITOR), 400);
        }
    }

    @Nested
    class EverythingAboutASecret {

        @Test
        void aLeakedTokensLookupNamesWhoIssuedAndWhoRevokedIt() {
            JsonNode byFingerprint = get("/v1/secrets/" + Fingerprint.of(leakedToken).hex());
            Http.Response byPlaintext = http().post("/v1/secrets/lookup", AUDITOR, "{\"secret\":\"" + leakedToken + "\"}");

            assertThat(byPlaintext.status()).isEqualTo(200);
            assertThat(byPlaintext.json()).isEqualTo(byFingerprint);
            assertThat(byPlaintext.raw()).doesNotContain(leakedToken);
            assertThat(byFingerprint.path("kind").asText()).isEqualTo("AUTH_TOKEN");
            assertThat(byFingerprint.path("environment").asText()).isEqualTo("sandbox");
            assertThat(byFingerprint.path("accountId").asText()).isEqualTo(ACCOUNT);
            assertThat(byFingerprint.path("prefix").asText()).isEqualTo(leakedToken.substring(0, 13));
            assertThat(byFingerprint.path("status").asText()).isEqualTo("REVOKED");
            assertThat(byFingerprint.path("issuedBy").path("id").asText()).isEqualTo("alice@example.com");
            assertThat(byFingerprint.path("revokedBy").path("id").asText()).isEqualTo("bob@example.com");
            assertThat(byFingerprint.path("revocationReason").asText()).isEqualTo("TOKEN_COMPROMISED");
            assertThat(Instant.parse(byFingerprint.path("revokedAt").asText())).isAfter(beforeRefresh);
            assertThat(byFingerprint.path("events")).extracting(e -> e.path("type").asText())
                    .containsExactly("ApiEnabled", "AuthTokenRefreshed");
        }

        @Test
        void aDeletedCredentialsSecretAndAnActiveOne() {
            JsonNode deleted = get("/v1/secrets/" + Fingerprint.of(clientSecret).hex());
            JsonNode active = get("/v1/secrets/" + Fingerprint.of(currentToken).hex());

            assertThat(deleted.path("status").asText()).isEqualTo("DELETED");
            assertThat(deleted.path("credentialId").asText()).isEqualTo(credentialId);
            assertThat(deleted.path("revocationReason").asText()).isEqualTo("CREDENTIAL_DELETED");
            assertThat(deleted.path("events")).hasSize(3);
            assertThat(active.path("status").asText()).isEqualTo("ACTIVE");
            assertThat(active.path("revokedAt").isNull()).isTrue();
            assertThat(active.path("issuedBy").path("id").asText()).isEqualTo("bob@example.com");
        }

        @Test
        void whatIsNotALedgerSecretIs422WithoutLookupAndUnknownOnesAre404() {
            Http.Response notOurs = http().post("/v1/secrets/lookup", AUDITOR, "{\"secret\":\"ghp_notacredledgersecret\"}");
            String wellFormedButUnknown = new dev.credledger.events.secret.SecretFormat()
                    .issue(dev.credledger.events.model.CredentialKind.AUTH_TOKEN, dev.credledger.events.model.Environment.SANDBOX)
                    .plaintext();
            String tampered = leakedToken.substring(0, leakedToken.length() - 1)
                    + (leakedToken.endsWith("A") ? "B" : "A");

            assertProblem(notOurs, 422);
            assertThat(notOurs.json().path("code").asText()).isEqualTo("NOT_A_LEDGER_SECRET");
            assertThat(http().post("/v1/secrets/lookup", AUDITOR, "{\"secret\":\"" + tampered + "\"}").json().path("code").asText())
                    .isEqualTo("NOT_A_LEDGER_SECRET");
            assertProblem(http().post("/v1/secrets/lookup", AUDITOR, "{\"secret\":\"" + wellFormedButUnknown + "\"}"), 404);
            assertProblem(http().get("/v1/secrets/" + "ab".repeat(32), AUDITOR), 404);
            assertProblem(http().get("/v1/secrets/not-hex", AUDITOR), 400);
            assertProblem(http().get("/v1/secrets/" + "AB".repeat(32), AUDITOR), 400);
        }
    }

    @Nested
    class CrossAccountActivity {

        private static final String MALLORY = "mallory@example.com";

        /** Mallory acts in three accounts (in the order xa-3, xa-1, xa-2), someone else in one of them. */
        private static void malloryActsInThreeAccounts() {
            if (http().get("/v1/accounts/xa-2/audit", AUDITOR).json().path("items").size() > 0) {
                return; // done by an earlier test of this class
            }
            for (String account : java.util.List.of("xa-3", "xa-1", "xa-2")) {
                assertThat(http().post("/v1/accounts/" + account + "/environments/sandbox/api/enable", ADMIN, null,
                        "X-Actor", MALLORY).status()).isEqualTo(201);
            }
            http().post("/v1/accounts/xa-1/environments/live/api/enable", ADMIN, null, "X-Actor", "someone-else");
            http().post("/v1/accounts/xa-2/environments/sandbox/api/refresh", ADMIN, "{\"reason\":\"COMPROMISED\"}",
                    "X-Actor", MALLORY);
        }

        private static JsonNode itemsWhenThereAre(String path, int count) {
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (true) {
                JsonNode items = get(path).path("items");
                if (items.size() >= count || System.nanoTime() > deadline) {
                    return items;
                }
                LockSupport.parkNanos(20_000_000);
            }
        }

        @Test
        void whatOneActorDidInEveryAccountComesOldestFirstWithEachAccountNamed() {
            malloryActsInThreeAccounts();

            JsonNode items = itemsWhenThereAre("/v1/audit?actor=" + MALLORY, 4);

            assertThat(items).extracting(i -> i.path("accountId").asText() + " " + i.path("type").asText())
                    .containsExactly("xa-3 ApiEnabled", "xa-1 ApiEnabled", "xa-2 ApiEnabled", "xa-2 AuthTokenRefreshed");
            for (JsonNode item : items) {
                JsonNode own = get("/v1/accounts/" + item.path("accountId").asText() + "/audit").path("items")
                        .get(item.path("sequence").asInt() - 1);
                com.fasterxml.jackson.databind.node.ObjectNode withoutAccount = item.deepCopy();
                withoutAccount.remove("accountId");
                assertThat(withoutAccount).isEqualTo(own);
            }
        }

        @Test
        void followingTheCursorOnePageAtATimeGivesTheSameRecordsOnce() {
            malloryActsInThreeAccounts();
            JsonNode all = itemsWhenThereAre("/v1/audit?actor=" + MALLORY, 4);

            java.util.List<JsonNode> paged = new java.util.ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                JsonNode page = get("/v1/audit?actor=" + MALLORY + "&limit=1" + (cursor == null ? "" : "&cursor=" + cursor));
                page.path("items").forEach(paged::add);
                cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
                pages++;
            } while (cursor != null && pages < 20);

            assertThat(paged).containsExactlyElementsOf(all);
        }

        @Test
        void anAddressInAnyOfItsSpellingsAndAnActorFromAnAddress() {
            malloryActsInThreeAccounts();
            JsonNode mallory = itemsWhenThereAre("/v1/audit?actor=" + MALLORY, 4);

            JsonNode fromLoopback = get("/v1/audit?sourceIp=127.0.0.1&limit=1000").path("items");
            assertThat(fromLoopback).extracting(i -> i.path("actor").path("id").asText())
                    .contains(MALLORY, "someone-else", "alice@example.com");
            assertThat(fromLoopback).extracting(i -> i.path("accountId").asText()).contains(ACCOUNT, "xa-1", "xa-2", "xa-3");
            assertThat(get("/v1/audit?sourceIp=::ffff:127.0.0.1&limit=1000").path("items")).isEqualTo(fromLoopback);
            assertThat(get("/v1/audit?actor=" + MALLORY + "&sourceIp=127.0.0.1").path("items")).isEqualTo(mallory);
            assertThat(get("/v1/audit?actor=" + MALLORY + "&sourceIp=198.51.100.1").path("items")).isEmpty();
            assertThat(get("/v1/audit?sourceIp=198.51.100.1").path("items")).isEmpty();
        }

        @Test
        void timeBoundsLimitTheAnswer() {
            malloryActsInThreeAccounts();
            JsonNode all = itemsWhenThereAre("/v1/audit?actor=" + MALLORY, 4);
            String third = all.get(2).path("time").asText();

            assertThat(get("/v1/audit?actor=" + MALLORY + "&from=" + third).path("items"))
                    .allSatisfy(i -> assertThat(Instant.parse(i.path("time").asText())).isAfterOrEqualTo(Instant.parse(third)))
                    .isNotEmpty();
            assertThat(get("/v1/audit?actor=" + MALLORY + "&to=" + beforeEverything).path("items")).isEmpty();
        }

        @Test
        void withoutAnActorOrAnAddressOrWithBadOnesItIsAProblem() {
            malloryActsInThreeAccounts();
            String cursor = get("/v1/audit?actor=" + MALLORY + "&limit=1").path("nextCursor").asText();

            assertProblem(http().get("/v1/audit", AUDITOR), 400);
            assertProblem(http().get("/v1/audit?from=" + beforeEverything, AUDITOR), 400);
            assertProblem(http().get("/v1/audit?sourceIp=10.0.0.0/8", AUDITOR), 400);
            assertProblem(http().get("/v1/audit?sourceIp=localhost", AUDITOR), 400);
            assertProblem(http().get("/v1/audit?actor=" + "a".repeat(129), AUDITOR), 400);
            assertProblem(http().get("/v1/audit?actor=someone-else&cursor=" + cursor, AUDITOR), 400);
            assertProblem(http().get("/v1/audit?actor=" + MALLORY + "&limit=0", AUDITOR), 400);
            assertThat(http().get("/v1/audit?actor=" + MALLORY, VERIFIER).status()).isEqualTo(403);
            assertThat(http().get("/v1/audit?actor=" + MALLORY, ADMIN).status()).isEqualTo(200);
        }
    }
}
