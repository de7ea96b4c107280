package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.VERIFIER;
import static dev.credledger.app.TestLedger.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credledger.api.Http;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Credential policies over real HTTP on a real broker: an expiry asked for or set by the account's maximum age, refused
 * beyond it; verification answering EXPIRED at once and the ledger recording the expiry itself (also one that passed
 * while it was down); scopes kept, checked by verify with requiredScopes, and narrowed by a PUT.
 */
class CredentialPoliciesTest {

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger();

    private static Http http() {
        return LEDGER.http();
    }

    @Test
    void aCredentialWithATimeToLiveVerifiesUntilItsExpiryThenAnswersExpiredAndTheLedgerRecordsItAsARevocation() {
        String base = "/v1/accounts/policy-a/environments/sandbox";
        Http.Response created = http().post(base + "/credentials", ADMIN, "{\"name\":\"short-lived\",\"ttlSeconds\":3}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        Instant expiresAt = Instant.parse(created.json().path("expiresAt").asText());
        assertThat(expiresAt).isBetween(Instant.now().plusSeconds(1), Instant.now().plusSeconds(4));
        assertThat(created.json().path("scopes").isNull()).isTrue();
        String clientId = created.json().path("clientId").asText();
        String secret = created.json().path("clientSecret").asText();

        JsonNode valid = verify(clientId, secret, null);
        assertThat(valid.path("active").asBoolean()).as(valid.toString()).isTrue();
        assertThat(Instant.parse(valid.path("expiresAt").asText())).isEqualTo(expiresAt);
        JsonNode listed = http().get(base + "/credentials", AUDITOR).json().path("items").get(0);
        assertThat(listed.path("expiresAt").asText()).isEqualTo(expiresAt.toString());

        await("verify says EXPIRED", () -> "EXPIRED".equals(verify(clientId, secret, null).path("reason").asText()));
        await("the ledger recorded the expiry", () -> http().get(base + "/credentials", AUDITOR).json()
                .path("items").get(0).path("status").asText().equals("EXPIRED"));
        assertThat(Duration.between(expiresAt, Instant.now())).isLessThan(Duration.ofSeconds(60));
        JsonNode trail = http().get("/v1/accounts/policy-a/audit", AUDITOR).json();
        JsonNode expired = find(trail, "CredentialExpired");
        assertThat(expired.path("actor").path("channel").asText()).isEqualTo("SYSTEM");
        await("the revocation, reason EXPIRED, on the feed", () -> http().get("/v1/revocations?causedBy="
                + expired.path("eventId").asText(), AUDITOR).raw().contains("\"reason\":\"EXPIRED\""));
        assertThat(verify(clientId, secret, null).path("reason").asText()).isEqualTo("EXPIRED");
        assertThat(http().get("/v1/secrets/" + dev.credledger.events.model.Fingerprint.hexOf(secret), AUDITOR).json()
                .path("status").asText()).isEqualTo("EXPIRED");
        Http.Response reactivate = http().post(base + "/credentials/" + created.json().path("credentialId").asText()
                + "/activate", ADMIN, null);
        assertThat(reactivate.status()).as(reactivate.raw()).isEqualTo(409);
        assertThat(reactivate.json().path("code").asText()).isEqualTo("CREDENTIAL_EXPIRED");
    }

    @Test
    void aMaximumAgeSetsTheExpiryOfNewCredentialsAndRefusesALongerOne() {
        String account = "/v1/accounts/policy-b";
        Http.Response set = http().send("PUT", account + "/credential-policy", ADMIN,
                "{\"maxAgeDays\":30,\"expiryWarningDays\":7,\"requireExpiry\":false}");
        assertThat(set.status()).as(set.raw()).isEqualTo(200);
        assertThat(set.json().path("maxAgeDays").asInt()).isEqualTo(30);
        long version = set.json().path("version").asLong();
        Http.Response again = http().send("PUT", account + "/credential-policy", ADMIN,
                "{\"maxAgeDays\":30,\"expiryWarningDays\":7,\"requireExpiry\":false}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("version").asLong()).as("the same policy records nothing").isEqualTo(version);

        Http.Response byPolicy = http().post(account + "/environments/sandbox/credentials", ADMIN, "{\"name\":\"by-policy\"}");
        Instant expiresAt = Instant.parse(byPolicy.json().path("expiresAt").asText());
        assertThat(expiresAt).isBetween(Instant.now().plus(Duration.ofDays(30)).minusSeconds(60),
                Instant.now().plus(Duration.ofDays(30)));
        Http.Response shorter = http().post(account + "/environments/sandbox/credentials", ADMIN,
                "{\"name\":\"shorter-one\",\"ttlSeconds\":86400}");
        assertThat(Instant.parse(shorter.json().path("expiresAt").asText())).isBefore(Instant.now().plus(Duration.ofDays(2)));

        Http.Response longer = http().post(account + "/environments/sandbox/credentials", ADMIN,
                "{\"name\":\"too-long\",\"expiresAt\":\"" + Instant.now().plus(Duration.ofDays(60)) + "\"}");
        assertThat(longer.status()).as(longer.raw()).isEqualTo(400);
        assertThat(longer.json().path("code").asText()).isEqualTo("EXPIRY_BEYOND_POLICY");

        http().send("PUT", account + "/credential-policy", ADMIN, "{\"maxAgeDays\":null,\"requireExpiry\":true}");
        Http.Response without = http().post(account + "/environments/sandbox/credentials", ADMIN, "{\"name\":\"no-expiry\"}");
        assertThat(without.status()).as(without.raw()).isEqualTo(400);
        assertThat(without.json().path("code").asText()).isEqualTo("EXPIRY_REQUIRED");
        JsonNode state = http().get(account + "/state", AUDITOR).json();
        assertThat(state.path("credentialPolicy").path("requireExpiry").asBoolean()).isTrue();
        assertThat(find(http().get(account + "/audit", AUDITOR).json(), "CredentialPolicyChanged")).isNotNull();
    }

    @Test
    void malformedExpiriesScopesAndPoliciesAreRefusedWithAProblem() {
        String base = "/v1/accounts/policy-c/environments/sandbox/credentials";
        for (String body : new String[] {
                "{\"name\":\"bad-expiry\",\"expiresAt\":\"tomorrow\"}",
                "{\"name\":\"bad-expiry\",\"expiresAt\":\"2020-01-01T00:00:00Z\"}",
                "{\"name\":\"bad-expiry\",\"expiresAt\":\"2099-01-01T00:00:00Z\"}",
                "{\"name\":\"bad-expiry\",\"ttlSeconds\":0}",
                "{\"name\":\"bad-expiry\",\"ttlSeconds\":60,\"expiresAt\":\"2027-01-01T00:00:00Z\"}",
                "{\"name\":\"bad-scopes\",\"scopes\":[\"Payments:Read\"]}",
                "{\"name\":\"bad-scopes\",\"scopes\":[\"\"]}",
                "{\"name\":\"bad-scopes\",\"scopes\":[null]}"}) {
            Http.Response refused = http().post(base, ADMIN, body);
            assertThat(refused.status()).as(body + " -> " + refused.raw()).isEqualTo(400);
            assertThat(refused.json().path("title").isTextual()).isTrue();
        }
        for (String body : new String[] {"{\"maxAgeDays\":0}", "{\"maxAgeDays\":3651}", "{\"expiryWarningDays\":91}",
                "{\"maxAgeDays\":\"thirty\"}"}) {
            Http.Response refused = http().send("PUT", "/v1/accounts/policy-c/credential-policy", ADMIN, body);
            assertThat(refused.status()).as(body + " -> " + refused.raw()).isEqualTo(400);
        }
        Http.Response auditorRefused = http().send("PUT", "/v1/accounts/policy-c/credential-policy", AUDITOR, "{}");
        assertThat(auditorRefused.status()).isEqualTo(403);
    }

    @Test
    void scopesAreCheckedByVerifyAndANarrowingTakesEffectAtTheNextVerification() {
        String base = "/v1/accounts/policy-d/environments/sandbox/credentials";
        Http.Response scoped = http().post(base, ADMIN,
                "{\"name\":\"reports-reader\",\"scopes\":[\"reports:read\",\"payments:read\",\"reports:read\"]}");
        assertThat(scoped.status()).as(scoped.raw()).isEqualTo(201);
        assertThat(scoped.json().path("scopes").toString()).isEqualTo("[\"payments:read\",\"reports:read\"]");
        String clientId = scoped.json().path("clientId").asText();
        String secret = scoped.json().path("clientSecret").asText();
        Http.Response open = http().post(base, ADMIN, "{\"name\":\"unrestricted\"}");

        JsonNode allowed = verify(clientId, secret, "[\"payments:read\"]");
        assertThat(allowed.path("active").asBoolean()).as(allowed.toString()).isTrue();
        assertThat(allowed.path("scopes").toString()).isEqualTo("[\"payments:read\",\"reports:read\"]");
        JsonNode lacking = verify(clientId, secret, "[\"payments:read\",\"refunds:write\"]");
        assertThat(lacking.path("active").asBoolean()).isFalse();
        assertThat(lacking.path("reason").asText()).isEqualTo("INSUFFICIENT_SCOPE");
        assertThat(lacking.path("missingScopes").toString()).isEqualTo("[\"refunds:write\"]");
        JsonNode unrestricted = verify(open.json().path("clientId").asText(), open.json().path("clientSecret").asText(),
                "[\"refunds:write\"]");
        assertThat(unrestricted.path("active").asBoolean()).as("an unrestricted credential satisfies any").isTrue();
        assertThat(unrestricted.path("scopes").isNull()).isTrue();

        Http.Response narrowed = http().send("PUT", base + "/" + scoped.json().path("credentialId").asText() + "/scopes", ADMIN,
                "{\"scopes\":[\"reports:read\"]}");
        assertThat(narrowed.status()).as(narrowed.raw()).isEqualTo(200);
        for (int i = 0; i < 150; i++) { // beyond the failed-verification burst (100): a scope refusal is no guess
            assertThat(verify(clientId, secret, "[\"refunds:write\"]").path("reason").asText()).isEqualTo("INSUFFICIENT_SCOPE");
        }
        JsonNode after = verify(clientId, secret, "[\"payments:read\"]");
        assertThat(after.path("reason").asText()).as("narrowed at the next verification, on the instance that answered")
                .isEqualTo("INSUFFICIENT_SCOPE");
        assertThat(http().get(base, AUDITOR).json().toString()).contains("\"scopes\":[\"reports:read\"]");
        Http.Response absent = http().send("PUT", base + "/" + scoped.json().path("credentialId").asText() + "/scopes", ADMIN,
                "{}");
        assertThat(absent.status()).isEqualTo(400);
    }

    @Test
    void aGracePeriodReachingPastTheOldTokensExpiryEndsAtItAndTheAnswerSaysSo() {
        String base = "/v1/accounts/policy-g/environments/sandbox";
        Instant expiresAt = Instant.parse(http().post(base + "/api/enable", ADMIN, "{\"tokenTtlSeconds\":600}").json()
                .path("expiresAt").asText());

        JsonNode refreshed = http().post(base + "/api/refresh", ADMIN, "{\"graceSeconds\":3600}").json();

        assertThat(Instant.parse(refreshed.path("graceUntil").asText())).isEqualTo(expiresAt);
        assertThat(refreshed.path("expiresAt").isNull()).as("the new token asked for no expiry").isTrue();
    }

    @Test
    void anExpiryThatPassesWhileTheLedgerIsDownIsRecordedAtTheNextStart() {
        String base = "/v1/accounts/policy-e/environments/sandbox";
        Http.Response enabled = http().post(base + "/api/enable", ADMIN, "{\"tokenTtlSeconds\":2}");
        assertThat(enabled.status()).as(enabled.raw()).isEqualTo(201);
        Instant expiresAt = Instant.parse(enabled.json().path("expiresAt").asText());

        // The wall clock must pass the expiry while nothing runs: a wait for time itself, not for Kafka.
        LEDGER.restart(() -> LockSupport.parkNanos(Duration.between(Instant.now(), expiresAt.plusMillis(500)).toNanos()));

        await("the expiry recorded after the restart", () -> find(http().get("/v1/accounts/policy-e/audit", AUDITOR).json(),
                "CredentialExpired") != null);
        JsonNode api = http().get(base + "/api", AUDITOR).json();
        assertThat(api.path("tokenExpired").asBoolean()).as(api.toString()).isTrue();
        JsonNode refreshed = http().post(base + "/api/refresh", ADMIN, null).json();
        assertThat(refreshed.path("revoked").size()).as("already revoked by its expiry").isZero();
    }

    @Test
    void theCredentialReportShowsExpiryAndScopesAndFiltersExpiringAndExpiredCredentials() {
        String base = "/v1/accounts/policy-f/environments/sandbox/credentials";
        String soon = http().post(base, ADMIN, "{\"name\":\"expires-soon\",\"ttlSeconds\":172800,\"scopes\":[\"a:read\",\"b:write\"]}")
                .json().path("credentialId").asText();
        String later = http().post(base, ADMIN, "{\"name\":\"expires-later\",\"ttlSeconds\":2592000}").json()
                .path("credentialId").asText();
        String never = http().post(base, ADMIN, "{\"name\":\"never-expires\"}").json().path("credentialId").asText();
        String gone = http().post(base, ADMIN, "{\"name\":\"already-gone\",\"ttlSeconds\":1}").json()
                .path("credentialId").asText();
        await("expired", () -> http().get(base, AUDITOR).raw().contains("\"status\":\"EXPIRED\""));

        JsonNode soonRow = row(http().get("/v1/reports/credentials?environment=sandbox", AUDITOR).json(), soon);
        assertThat(soonRow.path("scopes").toString()).isEqualTo("[\"a:read\",\"b:write\"]");
        assertThat(Instant.parse(soonRow.path("expiresAt").asText())).isAfter(Instant.now().plus(Duration.ofDays(1)));
        assertThat(ids(http().get("/v1/reports/credentials?expiringWithinDays=7", AUDITOR).json()))
                .contains(soon).doesNotContain(later, never, gone);
        assertThat(ids(http().get("/v1/reports/credentials?expired=true", AUDITOR).json()))
                .contains(gone).doesNotContain(soon, later, never);
        assertThat(row(http().get("/v1/reports/credentials?expired=true", AUDITOR).json(), gone).path("status").asText())
                .isEqualTo("EXPIRED");
        String csv = http().get("/v1/reports/credentials?expiringWithinDays=7&format=csv", AUDITOR).raw();
        assertThat(csv.lines().findFirst().orElseThrow()).endsWith(",expiresAt,scopes,verifications30d");
        assertThat(csv).contains("a:read b:write");
        assertThat(http().get("/v1/reports/credentials?expiringWithinDays=soon", AUDITOR).status()).isEqualTo(400);
    }

    private static JsonNode row(JsonNode report, String credentialId) {
        for (JsonNode row : report.path("items")) {
            if (row.path("credentialId").asText().equals(credentialId)) {
                return row;
            }
        }
        throw new AssertionError("no row for " + credentialId + " in " + report);
    }

    private static java.util.List<String> ids(JsonNode report) {
        java.util.List<String> out = new java.util.ArrayList<>();
        report.path("items").forEach(r -> out.add(r.path("credentialId").asText()));
        return out;
    }

    private static JsonNode verify(String clientId, String secret, String requiredScopes) {
        return http().post("/v1/verify", VERIFIER, "{\"clientId\":\"" + clientId + "\",\"clientSecret\":\"" + secret + "\""
                + (requiredScopes == null ? "" : ",\"requiredScopes\":" + requiredScopes) + "}").json();
    }

    private static JsonNode find(JsonNode trail, String type) {
        for (JsonNode record : trail.path("items")) {
            if (record.path("type").asText().equals(type)) {
                return record;
            }
        }
        return null;
    }
}
