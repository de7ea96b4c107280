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
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Usage analytics over real HTTP on a real broker: every verification outcome of a credential is counted, exactly,
 * into hourly windows built by Kafka Streams, read by hour or by day, and summed into the credential report.
 */
class UsageAnalyticsTest {

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger(s -> s.withUsage(
            new Settings.Usage(Duration.ofDays(90), true, Duration.ofMillis(200))));

    private static Http http() {
        return LEDGER.http();
    }

    @Test
    void everyOutcomeOfACredentialIsCountedExactlyInItsHourAndReadByHourDayAndInTheReport() {
        String base = "/v1/accounts/usage-a/environments/sandbox";
        JsonNode created = http().post(base + "/credentials", ADMIN, "{\"name\":\"reports-reader\",\"scopes\":[\"reports:read\"]}")
                .json();
        String id = created.path("credentialId").asText();
        String body = "{\"clientId\":\"" + created.path("clientId").asText() + "\",\"clientSecret\":\""
                + created.path("clientSecret").asText() + "\"";
        for (int i = 0; i < 7; i++) {
            assertThat(http().post("/v1/verify", VERIFIER, body + "}").json().path("active").asBoolean()).isTrue();
        }
        for (int i = 0; i < 3; i++) {
            assertThat(http().post("/v1/verify", VERIFIER, body + ",\"requiredScopes\":[\"refunds:write\"]}").json()
                    .path("reason").asText()).isEqualTo("INSUFFICIENT_SCOPE");
        }
        http().post(base + "/credentials/" + id + "/deactivate", ADMIN, null);
        assertThat(http().post("/v1/verify", VERIFIER, body + "}").json().path("reason").asText()).isEqualTo("INACTIVE");
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);

        String usage = "/v1/accounts/usage-a/credentials/" + id + "/usage";
        await("the counts in their window", () -> total(http().get(usage, AUDITOR).json()) == 11);
        JsonNode byHour = http().get(usage, AUDITOR).json();
        JsonNode window = byHour.path("items").get(byHour.path("items").size() - 1);
        assertThat(Instant.parse(window.path("start").asText())).isEqualTo(hour);
        assertThat(window.path("valid").asLong()).isEqualTo(7);
        assertThat(window.path("invalid").path("INSUFFICIENT_SCOPE").asLong()).isEqualTo(3);
        assertThat(window.path("invalid").path("INACTIVE").asLong()).isEqualTo(1);

        JsonNode byDay = http().get(usage + "?granularity=day&from=" + hour.minus(Duration.ofDays(2)) + "&to="
                + hour.plus(Duration.ofHours(1)), AUDITOR).json();
        assertThat(byDay.path("items").get(byDay.path("items").size() - 1).path("start").asText())
                .isEqualTo(hour.truncatedTo(ChronoUnit.DAYS).toString());
        assertThat(total(byDay)).isEqualTo(11);
        JsonNode before = http().get(usage + "?to=" + hour.minusSeconds(1), AUDITOR).json();
        assertThat(before.path("items").size()).as("no window before the first verification").isZero();

        JsonNode report = http().get("/v1/reports/credentials?environment=sandbox", AUDITOR).json();
        JsonNode row = null;
        for (JsonNode r : report.path("items")) {
            if (r.path("credentialId").asText().equals(id)) {
                row = r;
            }
        }
        assertThat(row).isNotNull();
        assertThat(row.path("verifications30d").asLong()).isEqualTo(11);
    }

    @Test
    void aMalformedRangeOrGranularityIsRefusedWithAProblem() {
        String usage = "/v1/accounts/usage-b/credentials/" + java.util.UUID.randomUUID() + "/usage";
        for (String query : new String[] {"?granularity=week", "?from=yesterday", "?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z",
                "?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z"}) {
            Http.Response refused = http().get(usage + query, AUDITOR);
            assertThat(refused.status()).as(query + " -> " + refused.raw()).isEqualTo(400);
            assertThat(refused.json().path("title").isTextual()).isTrue();
        }
        assertThat(http().get(usage, VERIFIER).status()).isEqualTo(403);
        assertThat(http().get(usage, AUDITOR).json().path("items").size()).as("never verified: no windows").isZero();
    }

    private static long total(JsonNode usage) {
        long total = 0;
        for (JsonNode item : usage.path("items")) {
            total += item.path("valid").asLong();
            for (JsonNode n : item.path("invalid")) {
                total += n.asLong();
            }
        }
        return total;
    }
}
