package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.credledger.api.Http;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A plaintext secret exists only in the response that created it: not in any other response, not in a
 * log line (every logger, every level the test configuration lets through, exceptions included), not in
 * any file the running ledger wrote (broker log segments, RocksDB stores, checkpoints).
 */
class SecretsNeverLeakTest {

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger(s -> s.withLeaks(new Settings.Leaks("test-scanner-key", null, true)));

    @Test
    void plaintextsAppearOnlyInTheResponsesThatCreatedThem() throws IOException {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        logs.start();
        root.addAppender(logs);
        List<String> secrets = new ArrayList<>();
        List<String> otherResponses = new ArrayList<>();
        try {
            Http http = LEDGER.http();
            String base = "/v1/accounts/leak-check/environments/sandbox";
            Http.Response enabled = http.post(base + "/api/enable", ADMIN, null);
            String token = enabled.json().path("authToken").asText();
            secrets.add(token);
            secrets.add(enabled.json().path("privateSalt").asText());
            Http.Response refreshed = http.post(base + "/api/refresh", ADMIN, "{\"reason\":\"COMPROMISED\"}");
            secrets.add(refreshed.json().path("authToken").asText());
            Http.Response created = http.post(base + "/credentials", ADMIN, "{\"name\":\"leak-check\"}");
            String clientSecret = created.json().path("clientSecret").asText();
            secrets.add(clientSecret);

            // Everything else a client or an operator may see, including errors that involve a secret.
            // Webhook MACs unseal the salt in memory: not a trace of it may reach a log, a response or a file.
            otherResponses.add(http.post(base + "/mac", TestLedger.SIGNER, "{\"payload\":\"webhook\"}").raw());
            otherResponses.add(http.post(base + "/mac/verify", TestLedger.SIGNER, "{\"payload\":\"webhook\",\"mac\":\"00\"}").raw());
            otherResponses.add(http.post("/v1/macs", TestLedger.SIGNER, "{\"items\":[{\"accountId\":\"leak-check\","
                    + "\"environment\":\"sandbox\",\"payload\":\"w\"},{\"accountId\":\"leak-check\",\"environment\":\"live\","
                    + "\"payload\":\"w\"}]}").raw());
            assertThat(otherResponses.getFirst()).as("the salt was used").contains("\"mac\":\"");
            otherResponses.add(http.post("/v1/verify", VERIFIER, "{\"environment\":\"live\"}", "X-Auth-Token", token).raw());
            otherResponses.add(http.post("/v1/verify", VERIFIER, null, "X-Auth-Token", token).raw());
            otherResponses.add(http.post("/v1/verify", VERIFIER, "{\"clientId\":\"" + created.json().path("clientId").asText()
                    + "\",\"clientSecret\":\"" + clientSecret + "\",\"sourceIp\":\"nope\"}").raw());
            Http.Response pastedAsName = http.post(base + "/credentials", ADMIN, "{\"name\":\"" + clientSecret + "\"}");
            assertThat(pastedAsName.status()).isEqualTo(422);
            assertThat(pastedAsName.json().path("code").asText()).isEqualTo("SECRET_IN_INPUT");
            otherResponses.add(pastedAsName.raw());
            otherResponses.add(http.post(base + "/api/disable", ADMIN, null, "X-Actor", "ops " + token).raw());
            otherResponses.add(http.post(base + "/credentials", ADMIN, "{\"name\":\"x\",\"secret\":\"" + token + "\"}").raw());
            otherResponses.add(http.post(base + "/allowed-ips", ADMIN, "{\"cidr\":\"" + token + "\"}").raw());
            otherResponses.add(http.get(base + "/api", AUDITOR).raw());
            otherResponses.add(http.get(base + "/credentials", AUDITOR).raw());
            otherResponses.add(http.get("/v1/accounts/leak-check/audit", AUDITOR).raw());
            otherResponses.add(http.get("/metrics", null).raw());
            otherResponses.add(http.send("DELETE", base + "/allowed-ips?cidr=" + token, ADMIN, null).raw());
            otherResponses.add(http.post(base + "/api/disable", ADMIN, null, "User-Agent", "agent/" + token).raw());
            otherResponses.add(http.get("/v1/accounts/leak-check/audit", AUDITOR).raw());
            // A secret as a path segment or query value, and a user agent long enough that truncation would
            // keep only part of the secret: refused or withheld before anything reaches Kafka.
            Http.Response asAccount = http.post("/v1/accounts/" + token + "/environments/sandbox/api/enable", ADMIN, null);
            assertThat(asAccount.status()).isEqualTo(422);
            otherResponses.add(asAccount.raw());
            otherResponses.add(http.get("/v1/accounts/leak-check/audit?actor=" + token, AUDITOR).raw());
            otherResponses.add(http.post(base + "/credentials", ADMIN, "{\"name\":\"leak-agent\"}",
                    "User-Agent", "x".repeat(220) + token).raw());
            otherResponses.add(http.get("/v1/accounts/leak-check/audit", AUDITOR).raw());
            // A secret lookup carries the plaintext in: it is hashed at the edge, and neither answered nor logged.
            otherResponses.add(http.post("/v1/secrets/lookup", AUDITOR, "{\"secret\":\"" + token + "\"}").raw());
            otherResponses.add(http.post("/v1/secrets/lookup", AUDITOR, "{\"secret\":\"" + clientSecret + "\"}").raw());
            otherResponses.add(http.get("/v1/accounts/leak-check/state", AUDITOR).raw());
            // A leak report carries plaintexts in, the reported one and any pasted into its other fields: the answer
            // names them by hash, the recorded report withholds them, a malformed report is not quoted back.
            Http.Response leak = http.post("/v1/leaks", "test-scanner-key", "[{\"token\":\"" + clientSecret + "\",\"type\":\"t "
                    + token + "\",\"url\":\"https://x.example/?" + token + "\",\"source\":\"" + token + "\"}]");
            assertThat(leak.json().get(0).path("label").asText()).as(leak.raw()).isEqualTo("true_positive");
            otherResponses.add(leak.raw());
            otherResponses.add(http.post("/v1/leaks", "test-scanner-key", "[{\"token\":\"" + token + "\"").raw());
            otherResponses.add(http.post("/v1/leaks", "test-scanner-key", "[{\"token\":\"" + token + "\",\"type\":[\"" + token + "\"]}]").raw());
            otherResponses.add(http.get("/v1/accounts/leak-check/audit", AUDITOR).raw());
        } finally {
            root.detachAppender(logs);
        }

        assertThat(secrets).hasSize(4).allSatisfy(s -> assertThat(s).matches("cl(at|ps|cs)_sbx_[0-9A-Za-z]{38}"));
        List<String> logLines = logs.list.stream().map(e -> e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()))).toList();
        assertThat(logLines).isNotEmpty();
        for (String secret : secrets) {
            assertThat(otherResponses).allSatisfy(r -> assertThat(r).doesNotContain(secret));
            assertThat(logLines).allSatisfy(line -> assertThat(line).doesNotContain(secret));
        }
        assertThat(filesContaining(LEDGER.app(), secrets)).isEmpty();
    }

    private static List<String> filesContaining(LedgerApplication app, List<String> secrets) throws IOException {
        Path dataDir = app.dataDir();
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String content;
                try {
                    content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                } catch (IOException e) {
                    continue; // deleted while walking
                }
                secrets.stream().filter(content::contains).forEach(s -> found.add(file.toString()));
            }
        }
        return found;
    }
}
