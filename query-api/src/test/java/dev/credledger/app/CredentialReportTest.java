package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credledger.api.Http;
import dev.credledger.processors.topology.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The credential report and last use, over real HTTP on a real broker: a credential never verified is listed as never
 * used, one verified with its last use; a use reaches the compacted credential-usage topic once, not once per request;
 * the views show lastUsedAt; filters and CSV behave as documented.
 */
class CredentialReportTest {

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger();

    private static String token;
    private static String tokenId;
    private static String usedId;
    private static String unusedId;
    private static String usedSecret;

    private static Http http() {
        return LEDGER.http();
    }

    @BeforeAll
    static void anAccountWithAUsedAndAnUnusedCredential() {
        String base = "/v1/accounts/report-a/environments/sandbox";
        Http.Response enabled = http().post(base + "/api/enable", ADMIN, null, "X-Actor", "alice@example.com");
        assertThat(enabled.status()).as(enabled.raw()).isEqualTo(201);
        Http.Response refreshed = http().post(base + "/api/refresh", ADMIN, null, "X-Actor", "bob@example.com");
        token = refreshed.json().path("authToken").asText();
        tokenId = refreshed.json().path("tokenId").asText();
        Http.Response used = http().post(base + "/credentials", ADMIN, "{\"name\":\"billing-sync\"}", "X-Actor", "carol@example.com");
        usedId = used.json().path("credentialId").asText();
        usedSecret = used.json().path("clientSecret").asText();
        String usedClientId = used.json().path("clientId").asText();
        unusedId = http().post(base + "/credentials", ADMIN, "{\"name\":\"unused-one\"}", "X-Actor", "=HYPERLINK(1)")
                .json().path("credentialId").asText();
        assertThat(verifyToken()).isTrue();
        JsonNode verified = http().post("/v1/verify", VERIFIER, "{\"clientId\":\"" + usedClientId + "\",\"clientSecret\":\""
                + usedSecret + "\"}").json();
        assertThat(verified.path("active").asBoolean()).as(verified.toString()).isTrue();
    }

    @Test
    void aNeverUsedCredentialIsListedAsSuchAndAUsedOneWithItsLastUse() {
        JsonNode report = http().get("/v1/reports/credentials", AUDITOR).json();

        JsonNode tokenRow = row(report, tokenId);
        assertThat(tokenRow.path("kind").asText()).isEqualTo("AUTH_TOKEN");
        assertThat(tokenRow.path("accountId").asText()).isEqualTo("report-a");
        assertThat(tokenRow.path("environment").asText()).isEqualTo("sandbox");
        assertThat(tokenRow.path("status").asText()).isEqualTo("ACTIVE");
        assertThat(tokenRow.path("createdBy").asText()).isEqualTo("alice@example.com");
        assertThat(tokenRow.path("lastRotatedAt").isTextual()).as("the token was refreshed once").isTrue();
        assertThat(Instant.parse(tokenRow.path("lastUsedAt").asText())).isAfter(Instant.now().minusSeconds(60));
        assertThat(tokenRow.path("ageDays").asInt()).isZero();
        assertThat(tokenRow.path("prefix").asText()).startsWith("clat_sbx_");

        JsonNode used = row(report, usedId);
        assertThat(used.path("kind").asText()).isEqualTo("CLIENT_SECRET");
        assertThat(used.path("name").asText()).isEqualTo("billing-sync");
        assertThat(used.path("createdBy").asText()).isEqualTo("carol@example.com");
        assertThat(used.path("lastUsedAt").isTextual()).isTrue();
        assertThat(used.path("lastRotatedAt").isNull()).isTrue();

        JsonNode unused = row(report, unusedId);
        assertThat(unused.path("lastUsedAt").isNull()).as("never used").isTrue();
        JsonNode salt = rows(report).stream().filter(r -> r.path("kind").asText().equals("PRIVATE_SALT")).findFirst().orElseThrow();
        assertThat(salt.path("lastUsedAt").isNull()).as("no MAC was made with it").isTrue();
        assertThat(report.toString()).doesNotContain(token).doesNotContain(usedSecret);
    }

    @Test
    void filtersNarrowTheRowsAndCombine() {
        List<String> neverUsed = ids(http().get("/v1/reports/credentials?neverUsed=true", AUDITOR).json());
        List<String> used = ids(http().get("/v1/reports/credentials?neverUsed=false&environment=sandbox", AUDITOR).json());

        assertThat(neverUsed).contains(unusedId).doesNotContain(usedId, tokenId);
        assertThat(used).contains(usedId, tokenId).doesNotContain(unusedId);
        assertThat(ids(http().get("/v1/reports/credentials?environment=live", AUDITOR).json())).isEmpty();
        assertThat(ids(http().get("/v1/reports/credentials?olderThanDays=1", AUDITOR).json())).isEmpty();
        assertThat(ids(http().get("/v1/reports/credentials?unusedForDays=0", AUDITOR).json()))
                .as("everything was issued or used a moment ago, which is more than 0 days").contains(unusedId);
        for (String bad : new String[] {"olderThanDays=-1", "unusedForDays=x", "neverUsed=maybe", "environment=prod", "format=xml"}) {
            Http.Response r = http().get("/v1/reports/credentials?" + bad, AUDITOR);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        }
        assertThat(http().get("/v1/reports/credentials", VERIFIER).status()).isEqualTo(403);
    }

    @Test
    void theCsvHasAHeaderRowNeverForUnusedAndNoFormulaFromANameOrActor() {
        Http.Response csv = http().get("/v1/reports/credentials?format=csv", AUDITOR);

        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.header("Content-Type")).startsWith("text/csv");
        List<String> lines = csv.raw().lines().toList();
        assertThat(lines.getFirst()).isEqualTo("accountId,environment,kind,credentialId,name,prefix,status,createdAt,"
                + "createdBy,lastRotatedAt,lastUsedAt,ageDays,expiresAt,scopes,verifications30d");
        String unusedLine = lines.stream().filter(l -> l.contains(unusedId)).findFirst().orElseThrow();
        assertThat(unusedLine).contains(",unused-one,").contains(",'=HYPERLINK(1),").contains(",never,");
        String usedLine = lines.stream().filter(l -> l.contains(usedId)).findFirst().orElseThrow();
        assertThat(usedLine).doesNotContain("never").matches(".*,\\d{4}-\\d\\d-\\d\\dT[^,]+Z,0,,,\\d+$");
    }

    @Test
    void theViewsShowLastUse() {
        JsonNode api = http().get("/v1/accounts/report-a/environments/sandbox/api", AUDITOR).json();
        JsonNode credentials = http().get("/v1/accounts/report-a/environments/sandbox/credentials", AUDITOR).json();

        assertThat(api.path("lastUsedAt").isTextual()).as(api.toString()).isTrue();
        assertThat(api.path("saltLastUsedAt").isNull()).isTrue();
        for (JsonNode item : credentials.path("items")) {
            boolean isUsed = item.path("credentialId").asText().equals(usedId);
            assertThat(item.path("lastUsedAt").isTextual()).as(item.toString()).isEqualTo(isUsed);
        }
    }

    @Test
    void aUseIsWrittenToCredentialUsageOnceNotOncePerVerification() {
        await(() -> usageRecords(tokenId) >= 1);
        for (int i = 0; i < 5; i++) {
            assertThat(verifyToken()).isTrue();
        }
        // The flusher runs every second: three of its runs pass, and none may write the token again within its minute.
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < until) {
            assertThat(usageRecords(tokenId)).isEqualTo(1);
            LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
        }
    }

    private static boolean verifyToken() {
        return http().post("/v1/verify", VERIFIER, null, "X-Auth-Token", token).json().path("active").asBoolean();
    }

    private static long usageRecords(String secretId) {
        return TopicDump.read(LEDGER.app().bootstrapServers(), Topics.USAGE, (t, b) -> b).stream()
                .filter(r -> r.key().equals(secretId)).count();
    }

    private static List<JsonNode> rows(JsonNode report) {
        List<JsonNode> out = new ArrayList<>();
        report.path("items").forEach(out::add);
        return out;
    }

    private static List<String> ids(JsonNode report) {
        return rows(report).stream().map(r -> r.path("credentialId").asText()).toList();
    }

    private static JsonNode row(JsonNode report, String credentialId) {
        return rows(report).stream().filter(r -> r.path("credentialId").asText().equals(credentialId)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + credentialId + " in " + report));
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 15 s");
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }
}
