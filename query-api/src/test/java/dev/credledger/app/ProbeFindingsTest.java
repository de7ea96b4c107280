package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.credledger.api.Http;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * The findings of an adversarial probe of the HTTP API (issue 9), each over real HTTP against the whole
 * ledger on a real in-process broker. Each test failed on the code before its fix.
 */
class ProbeFindingsTest {

    /**
     * Failed verifications are throttled at 10/s after a burst of 100 by default (VerifyThrottlingTest); these
     * findings send 1,000 failures in a second to see how they are counted and logged, so the bound is lifted here.
     */
    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger(s -> s.withVerifyFailures(
            new dev.credledger.api.verify.FailureLimiter.Limits(1_000_000, 1_000_000, 100_000)));

    private static Http http() {
        return LEDGER.http();
    }

    private static String env(String account, String env) {
        return "/v1/accounts/" + account + "/environments/" + env;
    }

    private static JsonNode verifyClient(JsonNode credential, String extra) {
        String body = "{\"clientId\":\"" + credential.path("clientId").asText() + "\",\"clientSecret\":\""
                + credential.path("clientSecret").asText() + "\"" + (extra == null ? "" : "," + extra) + "}";
        Http.Response r = http().post("/v1/verify", VERIFIER, body);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json();
    }

    private static JsonNode verifyToken(String token, String body) {
        Http.Response r = http().post("/v1/verify", VERIFIER, body, "X-Auth-Token", token);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json();
    }

    private static JsonNode audit(String account, String query) {
        Http.Response r = http().get("/v1/accounts/" + account + "/audit" + query, AUDITOR);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json().path("items");
    }

    private static void assertProblem(Http.Response r, int status) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.json().path("status").asInt()).isEqualTo(status);
        assertThat(r.json().path("detail").asText()).isNotBlank();
        assertThat(r.raw()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Nested
    class DisablingNeverWidensAccess {

        @Test
        void aClientCredentialStaysBehindTheAllowListAfterApiAccessIsDisabled() {
            String base = env("probe-disable", "sandbox");
            assertThat(http().post(base + "/api/enable", ADMIN, null).status()).isEqualTo(201);
            JsonNode credential = http().post(base + "/credentials", ADMIN, "{\"name\":\"gateway-one\"}").json();
            assertThat(http().post(base + "/allowed-ips", ADMIN, "{\"cidr\":\"203.0.113.0/24\"}").status()).isEqualTo(201);
            assertThat(verifyClient(credential, "\"sourceIp\":\"198.51.100.1\"").path("reason").asText()).isEqualTo("IP_NOT_ALLOWED");

            assertThat(http().post(base + "/api/disable", ADMIN, null).status()).isEqualTo(200);

            assertThat(verifyClient(credential, "\"sourceIp\":\"198.51.100.1\"").path("reason").asText()).isEqualTo("IP_NOT_ALLOWED");
            assertThat(verifyClient(credential, "\"sourceIp\":\"203.0.113.7\"").path("active").asBoolean()).isTrue();
            assertThat(http().get(base + "/api", AUDITOR).json().path("allowedIps").toString()).isEqualTo("[\"203.0.113.0/24\"]");
        }

        @Test
        void anEnvironmentWhoseApiAccessWasNeverEnabledCanBeAllowListed() {
            String base = env("probe-never-enabled", "sandbox");
            JsonNode credential = http().post(base + "/credentials", ADMIN, "{\"name\":\"gateway-two\"}").json();

            Http.Response allowed = http().post(base + "/allowed-ips", ADMIN, "{\"cidr\":\"203.0.113.0/24\"}");

            assertThat(allowed.status()).as(allowed.raw()).isEqualTo(201);
            assertThat(verifyClient(credential, "\"sourceIp\":\"198.51.100.1\"").path("reason").asText()).isEqualTo("IP_NOT_ALLOWED");
        }
    }

    @Nested
    class AllowListsFailClosed {

        @Test
        void aVerificationWithoutSourceIpOnAnAllowListedEnvironmentIsRefused() {
            String base = env("probe-source-ip", "sandbox");
            String token = http().post(base + "/api/enable", ADMIN, null).json().path("authToken").asText();
            assertThat(verifyToken(token, null).path("active").asBoolean()).isTrue();
            http().post(base + "/allowed-ips", ADMIN, "{\"cidr\":\"203.0.113.0/24\"}");

            assertThat(verifyToken(token, null).path("reason").asText()).isEqualTo("SOURCE_IP_REQUIRED");
            assertThat(verifyToken(token, "{}").path("active").asBoolean()).isFalse();
            assertThat(verifyToken(token, "{\"sourceIp\":\"::ffff:203.0.113.9\"}").path("active").asBoolean()).isTrue();
            assertThat(verifyToken(token, "{\"sourceIp\":\"::ffff:198.51.100.1\"}").path("reason").asText()).isEqualTo("IP_NOT_ALLOWED");
        }
    }

    @Nested
    class SecretsAreRefusedEverywhereInTheRequest {

        @Test
        void aSecretAsAccountIdIsRefusedAndNothingIsRecorded() {
            String token = http().post(env("probe-secret-path", "sandbox") + "/api/enable", ADMIN, null).json()
                    .path("authToken").asText();

            Http.Response r = http().post(env(token, "sandbox") + "/api/enable", ADMIN, null);

            assertProblem(r, 422);
            assertThat(r.json().path("code").asText()).isEqualTo("SECRET_IN_INPUT");
            assertThat(r.raw()).doesNotContain(token);
            assertThat(http().get("/v1/accounts/" + token + "/audit", AUDITOR).status()).isEqualTo(422);
        }

        @Test
        void aSecretFragmentInAQueryParameterIsRefused() {
            Http.Response r = http().get("/v1/accounts/probe-secret-query/audit?actor=clat_sbx_AbCdEf", AUDITOR);

            assertProblem(r, 422);
            assertThat(r.json().path("field").asText()).isEqualTo("actor");
        }

        @Test
        void aUserAgentIsCheckedForSecretsBeforeItIsTruncated() {
            String account = "probe-agent";
            // Cut at 256 characters, this agent would keep only "clat_s": no longer recognisable, still a secret's start.
            String agent = "x".repeat(250) + "clat_sbx_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n";
            String hidden = "agent clat\t_sbx_A1b2C3d4E5f6G7h8I9j0K1l2M3n";

            http().post(env(account, "sandbox") + "/api/enable", ADMIN, null, "User-Agent", agent);
            http().post(env(account, "sandbox") + "/allowed-ips", ADMIN, "{\"cidr\":\"192.0.2.1\"}", "User-Agent", hidden);

            JsonNode records = audit(account, "");
            assertThat(records).hasSize(2).allSatisfy(r ->
                    assertThat(r.path("actor").path("userAgent").asText()).isEqualTo("(withheld: it contained a secret)"));
        }
    }

    @Nested
    class AuditTimeBounds {

        @Test
        void boundsFarInTheFutureMeanEverythingOrNothingAndOverflowingOnesAre400() {
            String account = "probe-time";
            http().post(env(account, "sandbox") + "/api/enable", ADMIN, null);

            assertThat(audit(account, "?to=2300-01-01T00:00:00Z")).hasSize(1);
            assertThat(audit(account, "?from=2300-01-01T00:00:00Z")).isEmpty();
            assertThat(audit(account, "?from=2000-01-01T00:00:00Z&to=9999-12-31T23:59:59Z")).hasSize(1);
            assertProblem(http().get("/v1/accounts/" + account + "/audit?to=%2B1000000000-12-31T23:59:59Z", AUDITOR), 400);
            assertProblem(http().get("/v1/accounts/" + account + "/audit?from=-0001-01-01T00:00:00Z", AUDITOR), 400);
        }
    }

    @Nested
    class StrictJson {

        private static final String BASE = env("probe-json", "sandbox");

        @Test
        void numbersWhereTextOrWholeNumbersAreExpectedAre400() {
            http().post(BASE + "/api/enable", ADMIN, null);

            assertProblem(http().send("PUT", "/v1/accounts/probe-json/plan", ADMIN, "{\"plan\":2}"), 400);
            assertProblem(http().post(BASE + "/api/refresh", ADMIN, "{\"reason\":1}"), 400);
            assertProblem(http().post(BASE + "/api/refresh", ADMIN, "{\"expectedVersion\":1.5}"), 400);
            assertProblem(http().post(BASE + "/api/refresh", ADMIN, "{\"expectedVersion\":1e2}"), 400);
            assertProblem(http().post(BASE + "/credentials", ADMIN, "{\"name\":\"first-name\",\"name\":\"second-name\"}"), 400);
            assertThat(audit("probe-json", "")).hasSize(1);
        }

        @Test
        void mediaTypesThatMerelyStartLikeJsonAre415() {
            String base = env("probe-media-type", "sandbox");
            assertProblem(http().sendAs("POST", base + "/credentials", ADMIN, "{\"name\":\"jsonx-name\"}", "application/jsonx"), 415);
            assertProblem(http().sendAs("POST", base + "/credentials", ADMIN, "{\"name\":\"patch-name\"}",
                    "application/json-patch+json"), 415);
            assertThat(http().sendAs("POST", base + "/credentials", ADMIN, "{\"name\":\"charset-name\"}",
                    "Application/JSON; charset=utf-8").status()).isEqualTo(201);
        }
    }

    @Nested
    class AuditRecordsSayWhatChanged {

        @Test
        void allowListAndPlanChangesCarryTheirValuesInTheRecordAndItsHash() {
            String account = "probe-detail";
            http().post(env(account, "sandbox") + "/allowed-ips", ADMIN, "{\"cidr\":\"203.0.113.0/24\"}");
            http().send("DELETE", env(account, "sandbox") + "/allowed-ips?cidr=203.0.113.0/24", ADMIN, null);
            http().send("PUT", "/v1/accounts/" + account + "/plan", ADMIN, "{\"plan\":\"TEAMS\"}");

            JsonNode items = audit(account, "");

            assertThat(items).extracting(i -> i.path("type").asText() + " " + i.path("detail").asText())
                    .containsExactly("IpAllowed cidr 203.0.113.0/24", "IpRemoved cidr 203.0.113.0/24", "PlanChanged plan FREE -> TEAMS");
        }
    }

    @Nested
    class UserAgents {

        @Test
        void controlCharactersAreDroppedBeforeTheyReachAnEvent() throws IOException {
            String account = "probe-control";
            String agent = "probe\u0085agent\u009b[31m/1.0";

            RawResponse r = raw("POST " + env(account, "sandbox") + "/api/enable HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + ADMIN + "\r\nUser-Agent: " + agent + "\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n");

            assertThat(r.status()).as(r.text()).isEqualTo(201);
            String recorded = audit(account, "").get(0).path("actor").path("userAgent").asText();
            assertThat(recorded).contains("probe").endsWith("agent[31m/1.0")
                    .doesNotContain("\u0085").doesNotContain("\u009b").doesNotContain("\u001b");
            assertThat(recorded.codePoints().filter(Character::isISOControl).count()).isZero();
        }
    }

    @Nested
    class ForwardedFor {

        @Test
        void isIgnoredFromAPeerThatIsNotATrustedProxy() {
            String account = "probe-xff";
            http().post(env(account, "sandbox") + "/api/enable", ADMIN, null, "X-Forwarded-For", "203.0.113.66");

            assertThat(audit(account, "").get(0).path("sourceIp").asText()).isEqualTo("127.0.0.1");
        }
    }

    @Nested
    class WrongEnvironmentAttempts {

        @Test
        void areCountedEachButLoggedAtMostOnceASecond() {
            String token = http().post(env("probe-wrong-env", "sandbox") + "/api/enable", ADMIN, null).json()
                    .path("authToken").asText();
            Logger logger = (Logger) LoggerFactory.getLogger(dev.credledger.api.verify.VerifyRoute.class);
            ListAppender<ILoggingEvent> logs = new ListAppender<>();
            logs.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
            logs.start();
            logger.addAppender(logs);
            long started = System.nanoTime();
            try {
                for (int i = 0; i < 1000; i++) {
                    assertThat(verifyToken(token, "{\"environment\":\"live\"}").path("reason").asText()).isEqualTo("WRONG_ENVIRONMENT");
                }
            } finally {
                logger.detachAppender(logs);
            }
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;

            assertThat(logs.list.size()).isBetween(1, (int) seconds + 2);
            assertThat(http().get("/metrics", null).raw())
                    .containsPattern("credledger_verify_wrong_environment_total\\{expected=\"live\",presented=\"sandbox\"\\} 1000\\.0");
        }
    }

    @Nested
    class HeadRequests {

        @Test
        void needTheSameKeyAsGet() {
            String api = env("probe-head", "sandbox") + "/api";

            assertThat(http().send("HEAD", api, null, null).status()).isEqualTo(401);
            assertThat(http().send("HEAD", api, VERIFIER, null).status()).isEqualTo(403);
            assertThat(http().send("HEAD", "/v1/accounts/probe-head/audit", null, null).status()).isEqualTo(401);
            assertThat(http().send("HEAD", api, AUDITOR, null).status()).isEqualTo(200);
            assertThat(http().send("HEAD", "/health/live", null, null).status()).isEqualTo(200);
        }
    }

    @Nested
    class RequestMetrics {

        @Test
        void areTaggedWithTheRouteTemplate() {
            http().get(env("probe-metrics", "sandbox") + "/api", AUDITOR);
            http().get("/v1/nothing-here", AUDITOR);

            String scrape = http().get("/metrics", null).raw();

            assertThat(scrape).contains("route=\"/v1/accounts/{account}/environments/{env}/api\"")
                    .doesNotContain("route=\"*\"").doesNotContain("probe-metrics");
            assertThat(scrape).contains("route=\"unmatched\"");
        }
    }

    @Nested
    class ErrorsRaisedByJetty {

        @Test
        void areProblemJsonToo() throws IOException {
            RawResponse badPath = raw("GET /v1/accounts/a%00b/audit HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            RawResponse bigHeader = raw("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "x".repeat(20_000)
                    + "\r\nConnection: close\r\n\r\n");
            RawResponse badHeader = raw("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header: x\r\nConnection: close\r\n\r\n");

            for (RawResponse r : List.of(badPath, bigHeader, badHeader)) {
                assertThat(r.status()).as(r.text()).isBetween(400, 499);
                assertThat(r.text()).as(r.text()).containsIgnoringCase("Content-Type: application/problem+json")
                        .contains("\"status\":" + r.status()).contains("\"title\"").contains("\"detail\"")
                        .doesNotContainIgnoringCase("<html");
            }
        }

        @Test
        void responsesThatCarryASecretAreNeverCached() {
            Http.Response r = http().post(env("probe-cache", "sandbox") + "/api/enable", ADMIN, null);

            assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        }
    }

    @Nested
    class PlanPut {

        @Test
        void settingTheCurrentPlanAnswers200WithoutAnEvent() {
            String account = "probe-plan";
            Http.Response first = http().send("PUT", "/v1/accounts/" + account + "/plan", ADMIN, "{\"plan\":\"TEAMS\"}");
            Http.Response again = http().send("PUT", "/v1/accounts/" + account + "/plan", ADMIN, "{\"plan\":\"TEAMS\"}");

            assertThat(again.status()).as(again.raw()).isEqualTo(200);
            assertThat(again.json().path("plan").asText()).isEqualTo("TEAMS");
            assertThat(again.json().path("version").asLong()).isEqualTo(first.json().path("version").asLong());
            assertThat(audit(account, "")).hasSize(1);
        }
    }

    @Nested
    class IdempotencyKeys {

        @Test
        void aRetriedRefreshRotatesOnceAndTheRepeatShowsNoSecret() {
            String base = env("probe-idempotent", "sandbox");
            http().post(base + "/api/enable", ADMIN, null);

            Http.Response first = http().post(base + "/api/refresh", ADMIN, "{\"reason\":\"ROUTINE\"}", "Idempotency-Key", "k-1");
            Http.Response again = http().post(base + "/api/refresh", ADMIN, "{\"reason\":\"ROUTINE\"}", "Idempotency-Key", "k-1");

            assertThat(first.status()).isEqualTo(200);
            assertThat(first.header("Idempotent-Replayed")).isNull();
            assertThat(again.status()).as(again.raw()).isEqualTo(200);
            assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
            assertThat(again.json().has("authToken")).isFalse();
            assertThat(again.raw()).doesNotContain(first.json().path("authToken").asText());
            assertThat(again.json().path("activated").get(0).path("id").asText()).isEqualTo(first.json().path("tokenId").asText());
            assertThat(verifyToken(first.json().path("authToken").asText(), null).path("active").asBoolean()).isTrue();
            assertThat(audit("probe-idempotent", "?type=AuthTokenRefreshed")).hasSize(1);
        }

        @Test
        void concurrentRetriesShowTheSecretOnceAndItIsTheOneThatWorks() throws Exception {
            String base = env("probe-idempotent-race", "sandbox");
            http().post(base + "/api/enable", ADMIN, null);
            java.util.List<java.util.concurrent.Future<Http.Response>> answers = new java.util.ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
                for (int i = 0; i < 4; i++) {
                    answers.add(pool.submit(() -> http().post(base + "/api/refresh", ADMIN, "{\"reason\":\"ROUTINE\"}",
                            "Idempotency-Key", "k-race")));
                }
            }
            java.util.List<Http.Response> responses = new java.util.ArrayList<>();
            for (var answer : answers) {
                responses.add(answer.get());
            }

            assertThat(responses).allSatisfy(r -> assertThat(r.status()).as(r.raw()).isEqualTo(200));
            java.util.List<Http.Response> withSecret = responses.stream().filter(r -> r.json().has("authToken")).toList();
            assertThat(withSecret).hasSize(1);
            assertThat(responses).filteredOn(r -> !r.json().has("authToken"))
                    .allSatisfy(r -> assertThat(r.header("Idempotent-Replayed")).isEqualTo("true"));
            assertThat(verifyToken(withSecret.getFirst().json().path("authToken").asText(), null).path("active").asBoolean()).isTrue();
            assertThat(audit("probe-idempotent-race", "?type=AuthTokenRefreshed")).hasSize(1);
        }

        @Test
        void aReplayIsAnsweredWithoutWaitingForViewsThatUpdatedLongAgo() {
            String base = env("probe-idempotent-fast", "sandbox");
            http().post(base + "/api/enable", ADMIN, null, "Idempotency-Key", "k-fast");
            long started = System.nanoTime();

            Http.Response again = http().post(base + "/api/enable", ADMIN, null, "Idempotency-Key", "k-fast");

            // The command timeout is 10 s: a replay that waited for audit records it will never see would take that long.
            assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
            assertThat(again.header("Credledger-Views")).isEqualTo("current");
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofSeconds(5));
        }

        @Test
        void theSameKeyWithAnotherRequestIs422() {
            String base = env("probe-idempotent-reuse", "sandbox");
            http().post(base + "/api/enable", ADMIN, null);
            http().post(base + "/allowed-ips", ADMIN, "{\"cidr\":\"203.0.113.0/24\"}", "Idempotency-Key", "k-2");

            Http.Response other = http().post(base + "/allowed-ips", ADMIN, "{\"cidr\":\"198.51.100.0/24\"}", "Idempotency-Key", "k-2");

            assertProblem(other, 422);
            assertThat(other.json().path("code").asText()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
            assertThat(http().get(base + "/api", AUDITOR).json().path("allowedIps").toString()).isEqualTo("[\"203.0.113.0/24\"]");
        }

        @Test
        void aRetriedCreateNamesTheSameCredentialAndCreatesOne() {
            String base = env("probe-idempotent-create", "sandbox");
            Http.Response first = http().post(base + "/credentials", ADMIN, "{\"name\":\"retried-create\"}", "Idempotency-Key", "k-3");
            Http.Response again = http().post(base + "/credentials", ADMIN, "{\"name\":\"retried-create\"}", "Idempotency-Key", "k-3");

            assertThat(first.status()).isEqualTo(201);
            assertThat(again.status()).isEqualTo(201);
            assertThat(again.json().path("credentialId").asText()).isEqualTo(first.json().path("credentialId").asText());
            assertThat(again.json().has("clientSecret")).isFalse();
            assertThat(http().get(base + "/credentials", AUDITOR).json().path("items")).hasSize(1);
        }

        @Test
        void aKeyThatIsNotPrintableAsciiIs400() {
            assertProblem(http().post(env("probe-idempotent-bad", "sandbox") + "/api/enable", ADMIN, null,
                    "Idempotency-Key", "x".repeat(256)), 400);
        }
    }

    @Nested
    class DocumentedButUntilNowUntested {

        @Test
        void expectedVersionAndIfMatchGuardCommandsOverHttp() {
            String base = env("probe-version", "sandbox");
            long version = http().post(base + "/credentials", ADMIN, "{\"name\":\"versioned-one\"}").status() == 201
                    ? audit("probe-version", "").size() : -1;

            Http.Response stale = http().post(base + "/credentials", ADMIN, "{\"name\":\"versioned-two\",\"expectedVersion\":"
                    + (version + 5) + "}");
            assertProblem(stale, 409);
            assertThat(stale.json().path("code").asText()).isEqualTo("VERSION_CONFLICT");
            assertThat(stale.json().path("version").asLong()).isEqualTo(version);

            Http.Response current = http().post(base + "/credentials", ADMIN, "{\"name\":\"versioned-two\",\"expectedVersion\":"
                    + version + "}");
            assertThat(current.status()).as(current.raw()).isEqualTo(201);
            String id = current.json().path("credentialId").asText();

            Http.Response staleDelete = http().send("DELETE", base + "/credentials/" + id, ADMIN, null, "If-Match", "\"" + version + "\"");
            assertProblem(staleDelete, 409);
            long now = staleDelete.json().path("version").asLong();
            assertThat(http().send("DELETE", base + "/credentials/" + id, ADMIN, null, "If-Match", "\"" + now + "\"").status())
                    .isEqualTo(204);
        }

        @Test
        void deletedCredentialsAreListedOnlyWhenAskedFor() {
            String base = env("probe-deleted", "sandbox");
            String id = http().post(base + "/credentials", ADMIN, "{\"name\":\"soon-deleted\"}").json().path("credentialId").asText();
            http().post(base + "/credentials", ADMIN, "{\"name\":\"still-here\"}");
            http().send("DELETE", base + "/credentials/" + id, ADMIN, null);

            JsonNode visible = http().get(base + "/credentials", AUDITOR).json().path("items");
            JsonNode all = http().get(base + "/credentials?includeDeleted=true", AUDITOR).json().path("items");

            assertThat(visible).extracting(i -> i.path("name").asText()).containsExactly("still-here");
            assertThat(all).extracting(i -> i.path("name").asText() + " " + i.path("status").asText())
                    .containsExactlyInAnyOrder("still-here ACTIVE", "soon-deleted DELETED");
        }
    }

    record RawResponse(int status, String text) {}

    /** Sends bytes no well-behaved client would, and reads the whole answer. */
    private static RawResponse raw(String request) throws IOException {
        URI base = URI.create(LEDGER.app().httpUrl());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
            return new RawResponse(status, text);
        }
    }
}
