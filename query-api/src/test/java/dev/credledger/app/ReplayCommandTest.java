package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.credledger.api.Http;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code credledger replay} against a running ledger's broker and registry: the timeline is the audit
 * trail's events, the state at a past instant shows what was active then, the state at the end equals the
 * live views, and nothing it prints is a secret.
 */
class ReplayCommandTest {

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger();

    private static final String ACCOUNT = "replay-acct";
    private static final String BASE = "/v1/accounts/" + ACCOUNT + "/environments/sandbox";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> secrets = new ArrayList<>();
    private static String firstTokenId;
    private static Instant beforeRefresh;
    private static String credentialId;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void history() {
        Http http = LEDGER.http();
        Http.Response enabled = http.post(BASE + "/api/enable", ADMIN, null, "X-Actor", "alice@example.com");
        secrets.add(enabled.json().path("authToken").asText());
        secrets.add(enabled.json().path("privateSalt").asText());
        firstTokenId = enabled.json().path("tokenId").asText();
        http.post(BASE + "/allowed-ips", ADMIN, "{\"cidr\":\"203.0.113.0/24\"}");
        Http.Response created = http.post(BASE + "/credentials", ADMIN, "{\"name\":\"replayed-cred\"}");
        secrets.add(created.json().path("clientSecret").asText());
        credentialId = created.json().path("credentialId").asText();
        LockSupport.parkNanos(20_000_000);
        beforeRefresh = Instant.now();
        LockSupport.parkNanos(20_000_000);
        Http.Response refreshed = http.post(BASE + "/api/refresh", ADMIN, "{\"reason\":\"COMPROMISED\"}", "X-Actor", "bob@example.com");
        secrets.add(refreshed.json().path("authToken").asText());
        http.post(BASE + "/credentials/" + credentialId + "/deactivate", ADMIN, null);
        // A refused command: it is in the log too (CommandRejected).
        http.post(BASE + "/api/disable", ADMIN, "{\"expectedVersion\":1}");
        http.post("/v1/accounts/replay-other/environments/sandbox/api/enable", ADMIN, null);
    }

    private static Run replay(String... options) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine cli = Main.commandLine(new String[0]);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> args = new ArrayList<>(List.of("replay"));
        args.addAll(List.of(options));
        int exit = cli.execute(args.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    private static Run replayLedger(String... options) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", LEDGER.app().bootstrapServers(),
                "--schema-registry-url", LEDGER.app().registryUrl()));
        args.addAll(List.of(options));
        return replay(args.toArray(String[]::new));
    }

    private static List<JsonNode> lines(String out) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                nodes.add(JSON.readTree(line));
            }
        }
        return nodes;
    }

    @Test
    void theTimelineIsTheAccountsEventsOldestFirstAsTheAuditTrailRecordsThem() throws Exception {
        Run run = replayLedger("--account", ACCOUNT);

        assertThat(run.exit()).as(run.err()).isZero();
        List<JsonNode> timeline = lines(run.out());
        JsonNode audit = LEDGER.http().get("/v1/accounts/" + ACCOUNT + "/audit", AUDITOR).json().path("items");
        assertThat(timeline).hasSize(audit.size());
        for (int i = 0; i < timeline.size(); i++) {
            assertThat(timeline.get(i).path("sequence").asLong()).isEqualTo(i + 1);
            assertThat(timeline.get(i).path("eventId").asText()).isEqualTo(audit.get(i).path("eventId").asText());
            assertThat(timeline.get(i).path("type").asText()).isEqualTo(audit.get(i).path("type").asText());
            assertThat(timeline.get(i).path("accountId").asText()).isEqualTo(ACCOUNT);
        }
        assertThat(timeline.get(0).path("actor").path("id").asText()).isEqualTo("alice@example.com");
        assertThat(timeline).extracting(n -> n.path("type").asText()).contains("CommandRejected");
        assertThat(secrets).hasSize(4).allSatisfy(s -> assertThat(run.out() + run.err()).doesNotContain(s));
    }

    @Test
    void theStateBeforeTheRefreshShowsTheTokenThatHasSinceBeenRevokedAsActiveThen() throws Exception {
        Run run = replayLedger("--account", ACCOUNT, "--output", "state", "--until", beforeRefresh.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode state = lines(run.out()).getFirst();
        JsonNode sandbox = state.path("environments").path("sandbox");
        assertThat(sandbox.path("apiEnabled").asBoolean()).isTrue();
        assertThat(sandbox.path("authToken").path("id").asText()).isEqualTo(firstTokenId);
        assertThat(sandbox.path("credentials").get(0).path("status").asText()).isEqualTo("ACTIVE");
        assertThat(state.path("asOf").asText()).isEqualTo(beforeRefresh.toString());
    }

    @Test
    void theStateAtTheEndEqualsTheLiveViews() throws Exception {
        Run run = replayLedger("--account", ACCOUNT, "--output", "state");

        JsonNode sandbox = lines(run.out()).getFirst().path("environments").path("sandbox");
        JsonNode api = LEDGER.http().get(BASE + "/api", AUDITOR).json();
        JsonNode credentials = LEDGER.http().get(BASE + "/credentials", AUDITOR).json().path("items");
        assertThat(sandbox.path("apiEnabled").asBoolean()).isEqualTo(api.path("enabled").asBoolean()).isTrue();
        assertThat(sandbox.path("authToken").path("id").asText()).isEqualTo(api.path("tokenId").asText()).isNotEqualTo(firstTokenId);
        assertThat(sandbox.path("privateSalt").path("id").asText()).isEqualTo(api.path("saltId").asText());
        assertThat(sandbox.path("allowedIps").get(0).path("cidr").asText()).isEqualTo(api.path("allowedIps").get(0).asText());
        assertThat(sandbox.path("credentials").get(0).path("status").asText())
                .isEqualTo(credentials.get(0).path("status").asText()).isEqualTo("INACTIVE");
        assertThat(sandbox.path("credentials").get(0).path("credentialId").asText()).isEqualTo(credentialId);
    }

    @Test
    void everyAccountWithoutAccountOptionAndATableForTerminals() {
        Run all = replayLedger("--output", "state");
        Run table = replayLedger("--account", ACCOUNT, "--format", "table");

        assertThat(all.exit()).isZero();
        assertThat(all.out()).contains("\"accountId\":\"" + ACCOUNT + "\"").contains("\"accountId\":\"replay-other\"");
        assertThat(table.exit()).isZero();
        assertThat(table.out()).startsWith("TIME").contains("ApiEnabled").contains("AuthTokenRefreshed").contains("bob@example.com");
    }

    @Test
    void badOptionsExit2WithOneLine() {
        Run badInstant = replayLedger("--from", "yesterday");
        Run missing = replay("--schema-registry-url", "http://127.0.0.1:1");
        Run fromWithState = replayLedger("--output", "state", "--from", "2026-01-01T00:00:00Z");

        for (Run run : List.of(badInstant, missing, fromWithState)) {
            assertThat(run.exit()).isEqualTo(2);
            assertThat(run.err().strip().lines().count()).as(run.err()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
        }
    }

    @Test
    void anUnreachableBrokerOrRegistryExits1WithOneLineWithinTheTimeout() {
        long started = System.nanoTime();
        Run noBroker = replay("--bootstrap-servers", "127.0.0.1:1", "--schema-registry-url", LEDGER.app().registryUrl(),
                "--timeout", "2s");
        Run noRegistry = replay("--bootstrap-servers", LEDGER.app().bootstrapServers(), "--schema-registry-url",
                "http://127.0.0.1:1", "--timeout", "2s");

        for (Run run : List.of(noBroker, noRegistry)) {
            assertThat(run.exit()).as(run.err()).isEqualTo(1);
            assertThat(run.err().strip().lines().count()).as(run.err()).isEqualTo(1);
            assertThat(run.err()).doesNotContain("\tat ");
        }
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofSeconds(30));
    }
}
