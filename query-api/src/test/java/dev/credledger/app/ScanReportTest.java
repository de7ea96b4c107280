package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credledger.api.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code credledger scan --report URL} against a real ledger (in-process broker, real HTTP): a token committed by
 * mistake is found, reported as a scanner does, and revoked before the command exits; the report is in the account's
 * audit with the file it was found in; the command never prints the secret.
 */
class ScanReportTest {

    private static final String SCANNER = "scan-report-scanner-key";

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger(s -> s.withLeaks(new Settings.Leaks(SCANNER, null, true)));

    private static ScanCommandTest.Result scan(String... args) {
        return ScanCommandTest.scan(args);
    }

    @Test
    void eachSecretsOutcomeIsTheLedgersOwnWordNotifiedUnderANotifyPolicyThenNotActiveOnceRevoked() throws Exception {
        Http http = LEDGER.http();
        String token = http.post("/v1/accounts/scan-n/environments/sandbox/api/enable", ADMIN, null).json()
                .path("authToken").asText();
        assertThat(http.send("PUT", "/v1/accounts/scan-n/leak-policy", ADMIN, "{\"mode\":\"notify\"}").status()).isEqualTo(200);
        Path repo = Files.createTempDirectory("credledger-scan-notify-");
        Files.writeString(repo.resolve("app.env"), "TOKEN=" + token + "\n");

        ScanCommandTest.Result notified = scan("--report", LEDGER.app().httpUrl(), "--scanner-token", SCANNER, repo.toString());
        assertThat(notified.out()).as(notified.err()).contains(" notified");
        assertThat(notified.err()).contains("revoked 0, notified 1, not_active 0, unknown 0");

        http.post("/v1/accounts/scan-n/environments/sandbox/api/refresh", ADMIN, "{\"reason\":\"COMPROMISED\"}");
        ScanCommandTest.Result again = scan("--report", LEDGER.app().httpUrl(), "--scanner-token", SCANNER, repo.toString());
        assertThat(again.err()).contains("revoked 0, notified 0, not_active 1, unknown 0");
    }

    @Test
    void aCommittedTokenIsReportedAndRevokedBeforeTheScanExits() throws Exception {
        Http http = LEDGER.http();
        Http.Response enabled = http.post("/v1/accounts/scan-a/environments/sandbox/api/enable", ADMIN, null);
        String token = enabled.json().path("authToken").asText();
        Path repo = Files.createTempDirectory("credledger-scan-report-");
        Path file = repo.resolve("deploy/settings.env");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "# deploy\nCREDLEDGER_TOKEN=" + token + "\n");

        ScanCommandTest.Result r = scan("--report", LEDGER.app().httpUrl(), "--scanner-token", SCANNER, repo.toString());

        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("reported 1 to " + LEDGER.app().httpUrl() + "/v1/leaks: {true_positive=1};"
                + " revoked 1, notified 0, not_active 0, unknown 0");
        assertThat(r.out()).as("what became of the secret, on stdout").contains(file + ":2: sha256:"
                + dev.credledger.events.model.Fingerprint.hexOf(token) + " revoked");
        assertThat(r.out() + r.err()).doesNotContain(token);
        JsonNode verify = http.post("/v1/verify", VERIFIER, null, "X-Auth-Token", token).json();
        assertThat(verify.path("active").asBoolean()).isFalse();
        JsonNode trail = http.get("/v1/accounts/scan-a/audit", AUDITOR).json().path("items");
        assertThat(trail.toString()).contains("reported by scanner at " + file.toUri() + "#L2")
                .contains("credledger-scan");
    }

    @Test
    void aReportTheLedgerRefusesIsExit2WithItsReason() throws Exception {
        Path repo = Files.createTempDirectory("credledger-scan-report-");
        String token = new dev.credledger.events.secret.SecretFormat()
                .issue(dev.credledger.events.model.CredentialKind.AUTH_TOKEN, dev.credledger.events.model.Environment.SANDBOX)
                .plaintext();
        Files.writeString(repo.resolve("a.txt"), token);

        ScanCommandTest.Result r = scan("--report", LEDGER.app().httpUrl(), "--scanner-token", "not-the-key", repo.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("answered 401");
        assertThat(r.out() + r.err()).doesNotContain(token);
    }

    @Test
    void manyFindingsGoInBatchesUnderTheLedgersLimitsAndARepeatedSecretOnce() throws Exception {
        Path repo = Files.createTempDirectory("credledger-scan-report-");
        var format = new dev.credledger.events.secret.SecretFormat();
        StringBuilder file = new StringBuilder();
        for (int i = 0; i < 250; i++) {
            file.append("k").append(i).append('=')
                    .append(format.issue(dev.credledger.events.model.CredentialKind.CLIENT_SECRET,
                            dev.credledger.events.model.Environment.LIVE).plaintext()).append('\n');
        }
        Files.writeString(repo.resolve("dump.env"), file);
        Files.writeString(repo.resolve("copy.env"), file);

        ScanCommandTest.Result r = scan("--report", LEDGER.app().httpUrl(), "--scanner-token", SCANNER, repo.toString());

        assertThat(r.exit()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("500 secrets in 2 files").contains("reported 250 to ").contains("{false_positive=250}")
                .contains("unknown 250");
    }

    @Test
    void aReportOverPlainHttpToAnotherMachineIsRefusedBeforeAnythingIsSent() throws Exception {
        Path repo = Files.createTempDirectory("credledger-scan-report-");
        Files.writeString(repo.resolve("a.txt"), new dev.credledger.events.secret.SecretFormat()
                .issue(dev.credledger.events.model.CredentialKind.AUTH_TOKEN, dev.credledger.events.model.Environment.LIVE)
                .plaintext());

        ScanCommandTest.Result r = scan("--report", "http://ledger.example.com", "--scanner-token", SCANNER, repo.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("use https");
    }
}
