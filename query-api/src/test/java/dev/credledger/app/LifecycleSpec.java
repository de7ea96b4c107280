package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credledger.api.Http;
import dev.credledger.processors.audit.AuditChain;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle of the seed documents, over real HTTP against a whole running ledger. Subclasses say
 * which ledger: the embedded default, or one on containers.
 */
abstract class LifecycleSpec {

    /** A client for the ledger under test, with {@link TestLedger}'s keys configured. */
    protected abstract Http http();

    private static String env(String account, String env) {
        return "/v1/accounts/" + account + "/environments/" + env;
    }

    private JsonNode verifyToken(String token, String body) {
        Http.Response r = http().post("/v1/verify", VERIFIER, body, "X-Auth-Token", token);
        assertThat(r.status()).isEqualTo(200);
        return r.json();
    }

    @Test
    void apiAccessLifecycleFromEnableToDisableAndEnableAgain() {
        String base = env("seed-api", "sandbox");
        Http.Response enabled = http().post(base + "/api/enable", ADMIN, null, "X-Actor", "alice@example.com");
        assertThat(enabled.status()).isEqualTo(201);
        String token = enabled.json().path("authToken").asText();
        String salt = enabled.json().path("privateSalt").asText();
        assertThat(token).startsWith("clat_sbx_");
        assertThat(salt).startsWith("clps_sbx_");

        JsonNode active = verifyToken(token, null);
        assertThat(active.path("active").asBoolean()).isTrue();
        assertThat(active.path("accountId").asText()).isEqualTo("seed-api");
        assertThat(active.path("environment").asText()).isEqualTo("sandbox");
        assertThat(active.path("kind").asText()).isEqualTo("AUTH_TOKEN");

        Http.Response refreshed = http().post(base + "/api/refresh", ADMIN, "{\"reason\":\"ROUTINE\",\"graceSeconds\":0}");
        assertThat(refreshed.status()).isEqualTo(200);
        String newToken = refreshed.json().path("authToken").asText();
        assertThat(verifyToken(token, null).path("reason").asText()).isEqualTo("REVOKED");
        assertThat(verifyToken(newToken, null).path("active").asBoolean()).isTrue();

        assertThat(http().post(base + "/allowed-ips", ADMIN, "{\"cidr\":\"203.0.113.0/24\"}").status()).isEqualTo(201);
        assertThat(verifyToken(newToken, "{\"sourceIp\":\"198.51.100.9\"}").path("reason").asText()).isEqualTo("IP_NOT_ALLOWED");
        assertThat(verifyToken(newToken, "{\"sourceIp\":\"203.0.113.9\"}").path("active").asBoolean()).isTrue();

        Http.Response disabled = http().post(base + "/api/disable", ADMIN, null);
        assertThat(disabled.status()).isEqualTo(200);
        assertThat(disabled.json().path("revoked")).hasSize(2);
        assertThat(verifyToken(newToken, null).path("reason").asText()).isEqualTo("REVOKED");
        JsonNode view = http().get(base + "/api", AUDITOR).json();
        assertThat(view.path("enabled").asBoolean()).isFalse();
        // The allow-list outlives disable: it still governs the environment's client credentials (docs/development.md, "The rules").
        assertThat(view.path("allowedIps").toString()).isEqualTo("[\"203.0.113.0/24\"]");
        assertThat(view.path("tokenId").isNull()).isTrue();

        Http.Response again = http().post(base + "/api/enable", ADMIN, null);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.json().path("authToken").asText()).isNotEqualTo(newToken).isNotEqualTo(token);
        assertThat(again.json().path("privateSalt").asText()).isNotEqualTo(salt);
        assertThat(http().get(base + "/api", AUDITOR).json().path("allowedIps").toString()).isEqualTo("[\"203.0.113.0/24\"]");
        assertThat(verifyToken(again.json().path("authToken").asText(), "{\"sourceIp\":\"198.51.100.9\"}").path("reason").asText())
                .isEqualTo("IP_NOT_ALLOWED");
    }

    @Test
    void namedCredentialLifecycleFromCreateToDeleteForever() {
        String base = env("seed-cred", "sandbox");
        Http.Response created = http().post(base + "/credentials", ADMIN, "{\"name\":\"billing-sync\"}");
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().path("credentialId").asText();
        String clientId = created.json().path("clientId").asText();
        String secret = created.json().path("clientSecret").asText();
        assertThat(created.json().path("status").asText()).isEqualTo("ACTIVE");

        Http.Response list = http().get(base + "/credentials", AUDITOR);
        assertThat(list.json().path("items")).singleElement().satisfies(item -> {
            assertThat(item.path("name").asText()).isEqualTo("billing-sync");
            assertThat(item.path("clientId").asText()).isEqualTo(clientId);
            assertThat(item.path("secretPrefix").asText()).isEqualTo(secret.substring(0, 13));
        });
        assertThat(list.raw()).doesNotContain(secret);

        String pair = "{\"clientId\":\"" + clientId + "\",\"clientSecret\":\"" + secret + "\"}";
        assertThat(http().post("/v1/verify", VERIFIER, pair).json().path("active").asBoolean()).isTrue();

        assertThat(http().post(base + "/credentials/" + id + "/deactivate", ADMIN, null).status()).isEqualTo(200);
        assertThat(http().post("/v1/verify", VERIFIER, pair).json().path("reason").asText()).isEqualTo("INACTIVE");
        assertThat(http().post(base + "/credentials/" + id + "/activate", ADMIN, null).status()).isEqualTo(200);
        assertThat(http().post("/v1/verify", VERIFIER, pair).json().path("active").asBoolean()).isTrue();

        assertThat(http().send("DELETE", base + "/credentials/" + id, ADMIN, null).status()).isEqualTo(204);
        assertThat(http().post("/v1/verify", VERIFIER, pair).json().path("reason").asText()).isEqualTo("REVOKED");
        Http.Response reactivate = http().post(base + "/credentials/" + id + "/activate", ADMIN, null);
        assertThat(reactivate.status()).isEqualTo(409);
        assertThat(reactivate.json().path("code").asText()).isEqualTo("CREDENTIAL_DELETED");
        assertThat(http().post("/v1/verify", VERIFIER, pair).json().path("active").asBoolean()).isFalse();
        JsonNode items = http().get(base + "/credentials", AUDITOR).json().path("items");
        assertThat(items.isArray()).isTrue();
        assertThat(items).isEmpty();
        assertThat(http().post(base + "/credentials", ADMIN, "{\"name\":\"billing-sync\"}").status()).isEqualTo(201);
    }

    @Test
    void wrongClientIdForARealSecretIsUnknown() {
        String base = env("seed-pair", "sandbox");
        JsonNode created = http().post(base + "/credentials", ADMIN, "{\"name\":\"pair-check\"}").json();

        JsonNode answer = http().post("/v1/verify", VERIFIER, "{\"clientId\":\"clid_sbx_AAAAAAAAAAAAAAAAAAAA\",\"clientSecret\":\""
                + created.path("clientSecret").asText() + "\"}").json();

        assertThat(answer.path("active").asBoolean()).isFalse();
        assertThat(answer.path("reason").asText()).isEqualTo("UNKNOWN");
    }

    @Test
    void sandboxAndLiveAreSeparate() {
        String account = "seed-envs";
        assertThat(http().send("PUT", "/v1/accounts/" + account + "/plan", ADMIN, "{\"plan\":\"PROFESSIONAL\"}").status())
                .isEqualTo(200);
        String sandbox = http().post(env(account, "sandbox") + "/api/enable", ADMIN, null).json().path("authToken").asText();
        String live = http().post(env(account, "live") + "/api/enable", ADMIN, null).json().path("authToken").asText();
        assertThat(live).startsWith("clat_live_");

        assertThat(verifyToken(sandbox, "{\"environment\":\"live\"}").path("reason").asText()).isEqualTo("WRONG_ENVIRONMENT");
        assertThat(verifyToken(live, "{\"environment\":\"sandbox\"}").path("reason").asText()).isEqualTo("WRONG_ENVIRONMENT");
        assertThat(verifyToken(live, "{\"environment\":\"live\"}").path("active").asBoolean()).isTrue();
        String metrics = http().get("/metrics", null).raw();
        assertThat(metrics).contains("credledger_verify_wrong_environment_total", "kafka_stream_thread_",
                "http_server_requests_seconds_bucket");

        http().post(env(account, "sandbox") + "/api/disable", ADMIN, null);
        assertThat(verifyToken(live, null).path("active").asBoolean()).isTrue();
        assertThat(http().get(env(account, "live") + "/api", AUDITOR).json().path("enabled").asBoolean()).isTrue();
    }

    @Test
    void planRulesGuardLiveAccess() {
        String account = "seed-plan";
        Http.Response refused = http().post(env(account, "live") + "/api/enable", ADMIN, null);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().path("code").asText()).isEqualTo("PLAN_REQUIRED");
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(http().post(env(account, "sandbox") + "/api/enable", ADMIN, null).status()).isEqualTo(201);

        http().send("PUT", "/v1/accounts/" + account + "/plan", ADMIN, "{\"plan\":\"TEAMS\"}");
        assertThat(http().post(env(account, "live") + "/api/enable", ADMIN, null).status()).isEqualTo(201);
        Http.Response downgrade = http().send("PUT", "/v1/accounts/" + account + "/plan", ADMIN, "{\"plan\":\"FREE\"}");
        assertThat(downgrade.status()).isEqualTo(409);
        assertThat(downgrade.json().path("code").asText()).isEqualTo("LIVE_SECRETS_ACTIVE");
        http().post(env(account, "live") + "/api/disable", ADMIN, null);
        assertThat(http().send("PUT", "/v1/accounts/" + account + "/plan", ADMIN, "{\"plan\":\"FREE\"}").status()).isEqualTo(200);
    }

    @Test
    void auditTrailRecordsAcceptedAndRejectedCommandsWithActorAndChain() {
        String account = "seed-audit";
        http().post(env(account, "sandbox") + "/api/enable", ADMIN, null, "X-Actor", "alice@example.com");
        http().post(env(account, "sandbox") + "/api/enable", ADMIN, null, "X-Actor", "mallory@example.com");
        http().post(env(account, "live") + "/api/enable", ADMIN, null, "X-Actor", "bob@example.com");

        JsonNode page = http().get("/v1/accounts/" + account + "/audit", AUDITOR).json();
        List<JsonNode> items = new ArrayList<>();
        page.path("items").forEach(items::add);
        assertThat(items).hasSize(3);
        assertThat(items.get(0).path("outcome").asText()).isEqualTo("ACCEPTED");
        assertThat(items.get(0).path("actor").path("id").asText()).isEqualTo("alice@example.com");
        assertThat(items.get(0).path("sourceIp").asText()).isEqualTo("127.0.0.1");
        assertThat(items.get(1).path("outcome").asText()).isEqualTo("REJECTED");
        assertThat(items.get(1).path("reason").asText()).isEqualTo("API_ALREADY_ENABLED");
        assertThat(items.get(2).path("reason").asText()).isEqualTo("PLAN_REQUIRED");
        assertThat(items.get(0).path("prevHash").asText()).isEqualTo(AuditChain.GENESIS);
        assertThat(items.get(1).path("prevHash").asText()).isEqualTo(items.get(0).path("hash").asText());
        assertThat(items).extracting(i -> i.path("sequence").asLong()).containsExactly(1L, 2L, 3L);

        JsonNode rejectedOnly = http().get("/v1/accounts/" + account + "/audit?actor=mallory@example.com", AUDITOR).json();
        assertThat(rejectedOnly.path("items")).singleElement()
                .satisfies(i -> assertThat(i.path("outcome").asText()).isEqualTo("REJECTED"));
        JsonNode live = http().get("/v1/accounts/" + account + "/audit?environment=live", AUDITOR).json();
        assertThat(live.path("items")).hasSize(1);
    }

    @Test
    void auditPagesFollowTheCursorOldestFirst() {
        String account = "seed-pages";
        http().post(env(account, "sandbox") + "/api/enable", ADMIN, null);
        for (int i = 1; i <= 5; i++) {
            http().post(env(account, "sandbox") + "/allowed-ips", ADMIN, "{\"cidr\":\"192.0.2." + i + "\"}");
        }
        List<Long> sequences = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = http().get("/v1/accounts/" + account + "/audit?limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
                    AUDITOR).json();
            page.path("items").forEach(i -> sequences.add(i.path("sequence").asLong()));
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
        } while (cursor != null);

        assertThat(sequences).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void gracePeriodKeepsTheOldTokenActiveAndSaysUntilWhen() {
        String base = env("seed-grace", "sandbox");
        String token = http().post(base + "/api/enable", ADMIN, null).json().path("authToken").asText();

        Http.Response refreshed = http().post(base + "/api/refresh", ADMIN, "{\"reason\":\"ROUTINE\",\"graceSeconds\":3600}");

        assertThat(refreshed.json().path("graceUntil").isTextual()).as(refreshed.raw()).isTrue();
        java.time.Instant graceUntil = java.time.Instant.parse(refreshed.json().path("graceUntil").asText());
        assertThat(graceUntil).isBetween(java.time.Instant.now().plusSeconds(3500), java.time.Instant.now().plusSeconds(3601));
        assertThat(refreshed.json().path("revoked").isArray()).isTrue();
        assertThat(refreshed.json().path("revoked")).isEmpty();
        JsonNode old = verifyToken(token, null);
        assertThat(old.path("active").asBoolean()).isTrue();
        assertThat(java.time.Instant.parse(old.path("expiresAt").asText())).isEqualTo(graceUntil);
        assertThat(verifyToken(refreshed.json().path("authToken").asText(), null).path("active").asBoolean()).isTrue();
        assertThat(http().get(base + "/api", AUDITOR).json().path("graceToken").path("tokenPrefix").asText())
                .isEqualTo(token.substring(0, 13));
    }
}
