package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.api.Http;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every malformed request gets a 4xx problem body, and the server keeps serving. */
class BadInputTest {

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger();

    private static final String ENV = "/v1/accounts/bad-input/environments/sandbox";

    @BeforeAll
    static void enable() {
        LEDGER.http().post(ENV + "/api/enable", ADMIN, null);
    }

    /** Audit records of the account so far: every command that reaches the processor leaves one, rejected or not. */
    private long auditRecords;

    @BeforeEach
    void countAuditRecords() {
        auditRecords = auditCount();
    }

    private static long auditCount() {
        Http.Response r = LEDGER.http().get("/v1/accounts/bad-input/audit?limit=1000", AUDITOR);
        assertThat(r.status()).isEqualTo(200);
        return r.json().path("items").size();
    }

    @AfterEach
    void serverStillServes() {
        assertThat(LEDGER.http().get("/health/ready", null).status()).isEqualTo(200);
        assertThat(LEDGER.http().get(ENV + "/api", AUDITOR).status()).isEqualTo(200);
    }

    private static Http.Response post(String path, String body, String... headers) {
        return LEDGER.http().post(path, ADMIN, body, headers);
    }

    private void assertProblem(Http.Response r, int status, String detailContains) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().path("type").asText()).isNotBlank();
        assertThat(r.json().path("title").asText()).isNotBlank();
        assertThat(r.json().path("status").asInt()).isEqualTo(status);
        assertThat(r.json().path("detail").asText()).contains(detailContains);
        assertThat(r.raw()).doesNotContain("Exception").doesNotContain("\tat ");
        long now = auditCount();
        if (status == 400 || status == 413 || status == 415) {
            // Refused at the edge: nothing was sent to Kafka, so the account's trail did not grow.
            assertThat(now).as("audit records after a request refused at the edge").isEqualTo(auditRecords);
        }
        auditRecords = now;
    }

    @Test
    void aGetSentWithABodyGetsItsWholeAnswerEveryTime() throws Exception {
        // A body no route reads, left unread, made the server close the connection under a large answer (a reset).
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        int expected = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(LEDGER.app().httpUrl()
                + "/openapi.json")).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body().length;
        for (int i = 0; i < 60; i++) {
            String path = i % 2 == 0 ? "/openapi.json" : "/docs/swagger-ui.css";
            var r = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(LEDGER.app().httpUrl() + path))
                    .header("Content-Type", "application/json").method("GET", java.net.http.HttpRequest.BodyPublishers
                            .ofString("{}")).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).isEqualTo(200);
            if (i % 2 == 0) {
                assertThat(r.body()).hasSize(expected);
            }
        }
    }

    @Test
    void malformedJsonIs400() {
        assertProblem(post(ENV + "/credentials", "{\"name\": "), 400, "not valid JSON");
    }

    @Test
    void unknownFieldIs400() {
        assertProblem(post(ENV + "/credentials", "{\"name\":\"abcdef\",\"admin\":true}"), 400, "unknown field 'admin'");
    }

    @Test
    void wrongTypeIs400() {
        assertProblem(post(ENV + "/api/refresh", "{\"reason\":\"ROUTINE\",\"graceSeconds\":\"soon\"}"), 400, "graceSeconds");
        assertProblem(post(ENV + "/credentials", "{\"name\":42}"), 400, "name");
        assertProblem(post(ENV + "/api/refresh", "{\"reason\":\"SOMETIMES\"}"), 400, "reason");
        assertProblem(post(ENV + "/credentials", "[\"billing\"]"), 400, "JSON object");
    }

    @Test
    void missingFieldIs400() {
        assertProblem(post(ENV + "/credentials", "{}"), 400, "'name' is required");
        assertProblem(post(ENV + "/allowed-ips", "{}"), 400, "'cidr' is required");
        assertProblem(LEDGER.http().send("PUT", "/v1/accounts/bad-input/plan", ADMIN, "{}"), 400, "'plan' is required");
    }

    @Test
    void bodyOver64KibIs413() {
        String big = "{\"name\":\"" + "x".repeat(70_000) + "\"}";
        Http.Response r = LEDGER.http().postExpectingContinue(ENV + "/credentials", ADMIN, big);
        assertProblem(r, 413, "65536");
    }

    @Test
    void wrongContentTypeIs415() {
        assertProblem(LEDGER.http().send("POST", ENV + "/credentials", ADMIN, null), 400, "'name' is required");
        Http.Response r = LEDGER.http().send("POST", ENV + "/allowed-ips", ADMIN, null);
        assertThat(r.status()).isEqualTo(400);
        Http.Response text = sendWithContentType(ENV + "/credentials", "name=billing-sync", "text/plain");
        assertProblem(text, 415, "application/json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"has%20space", "x%2Fy", "this-account-id-is-far-too-long-this-account-id-is-far-too-long-xx", "%C3%BC"})
    void invalidAccountIdIs400(String account) {
        assertProblem(post("/v1/accounts/" + account + "/environments/sandbox/api/enable", null), 400, "account ID");
    }

    @Test
    void invalidEnvironmentIs400() {
        assertProblem(post("/v1/accounts/bad-input/environments/production/api/enable", null), 400, "'sandbox' or 'live'");
    }

    @Test
    void invalidNameIs422WithTheReasonCode() {
        Http.Response r = post(ENV + "/credentials", "{\"name\":\"no spaces allowed\"}");
        assertProblem(r, 422, "6-64 characters");
        assertThat(r.json().path("code").asText()).isEqualTo("NAME_INVALID");
    }

    @Test
    void invalidCidrIs422WithTheReasonCode() {
        Http.Response r = post(ENV + "/allowed-ips", "{\"cidr\":\"203.0.113.0/33\"}");
        assertProblem(r, 422, "CIDR");
        assertThat(r.json().path("code").asText()).isEqualTo("IP_INVALID");
    }

    @Test
    void unknownCredentialIs404() {
        Http.Response r = post(ENV + "/credentials/" + UUID.randomUUID() + "/deactivate", null);
        assertProblem(r, 404, "no credential");
        assertThat(r.json().path("code").asText()).isEqualTo("CREDENTIAL_NOT_FOUND");
        assertProblem(post(ENV + "/credentials/not-a-uuid/deactivate", null), 400, "UUID");
    }

    @Test
    void unknownEndpointIs404AndWrongMethodIs405() {
        assertProblem(LEDGER.http().get("/v1/nothing-here", ADMIN), 404, "endpoint");
        assertThat(LEDGER.http().send("PATCH", ENV + "/api/enable", ADMIN, null).status()).isEqualTo(405);
    }

    @Test
    void badAuditQueryParametersAre400() {
        assertProblem(LEDGER.http().get("/v1/accounts/bad-input/audit?limit=0", AUDITOR), 400, "limit");
        assertProblem(LEDGER.http().get("/v1/accounts/bad-input/audit?from=yesterday", AUDITOR), 400, "ISO-8601");
        assertProblem(LEDGER.http().get("/v1/accounts/bad-input/audit?cursor=!!!", AUDITOR), 400, "cursor");
        assertProblem(LEDGER.http().get("/v1/accounts/bad-input/audit?cursor=b3RoZXJ8MQ", AUDITOR), 400, "another query");
    }

    @Test
    void verifyWithoutAnyCredentialIs400AndARandomStringIsUnknown() {
        assertProblem(LEDGER.http().post("/v1/verify", ADMIN, "{}"), 400, "X-Auth-Token");
        assertThat(LEDGER.http().post("/v1/verify", ADMIN, null, "X-Auth-Token", "hello").json().path("reason").asText())
                .isEqualTo("UNKNOWN");
        assertProblem(LEDGER.http().post("/v1/verify", ADMIN, "{\"sourceIp\":\"nope\"}", "X-Auth-Token", "x"), 400, "sourceIp");
    }

    private static Http.Response sendWithContentType(String path, String body, String contentType) {
        try {
            var client = java.net.http.HttpClient.newHttpClient();
            var response = client.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(LEDGER.app().httpUrl() + path))
                    .header("Authorization", "Bearer " + ADMIN).header("Content-Type", contentType)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return new Http.Response(response.statusCode(), response.headers().map(), response.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
