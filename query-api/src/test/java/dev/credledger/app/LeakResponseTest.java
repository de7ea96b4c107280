package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credledger.api.Http;
import dev.credledger.api.leaks.LeakReportKeys;
import dev.credledger.events.model.Fingerprint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Leak response over real HTTP on a real broker: a secret scanner's report in GitHub's partner-program format, signed
 * the way GitHub signs (ECDSA P-256, SHA-256, over the raw body), revokes a leaked auth token before the answer is
 * out; a string that is not one of ours by checksum is a false positive without a store read; a forged or missing
 * signature is refused; a notify policy records the report and revokes nothing.
 */
class LeakResponseTest {

    private static final String SCANNER = "test-scanner-key";
    private static final String KEY_ID = "scanner-key-1";
    private static final KeyPair SCANNER_KEYS = keyPair();
    private static final KeyPair FORGER_KEYS = keyPair();
    private static Path keysFile;

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger(s -> s.withLeaks(new Settings.Leaks(SCANNER, keysFile(), false)));

    private static Http http() {
        return LEDGER.http();
    }

    @BeforeAll
    static void keysWritten() {
        assertThat(keysFile).exists();
    }

    @Test
    void aLeakedAuthTokenIsRefusedByVerifyRightAfterTheAnswerAndItsAccountsAuditNamesTheReport() {
        String token = enable("leak-a").path("authToken").asText();
        assertThat(verify(token)).isTrue();
        String url = "https://github.com/octo/app/blob/4f2a/config/.env";

        Http.Response answer = signedReport(SCANNER_KEYS, "[{\"token\":\"" + token + "\",\"type\":\"credledger_auth_token\","
                + "\"url\":\"" + url + "\",\"source\":\"content\"}]");

        assertThat(answer.status()).as(answer.raw()).isEqualTo(200);
        JsonNode item = answer.json().get(0);
        assertThat(item.path("token_hash").asText()).isEqualTo(Fingerprint.hexOf(token));
        assertThat(item.path("token_type").asText()).isEqualTo("credledger_auth_token");
        assertThat(item.path("label").asText()).isEqualTo("true_positive");
        assertThat(answer.raw()).doesNotContain(token);
        // Right after the answer, on the instance that gave it: no waiting.
        assertThat(verify(token)).as("the leaked token still verifies after the answer").isFalse();

        JsonNode trail = awaitAudit("leak-a", 3);
        JsonNode leak = find(trail, "LeakReported");
        assertThat(leak.path("detail").asText()).contains(url).contains(KEY_ID).contains("content").contains("REVOKED");
        JsonNode refresh = find(trail, "AuthTokenRefreshed");
        assertThat(refresh.path("commandId").asText()).as("the revocation and the report are one command")
                .isEqualTo(leak.path("commandId").asText());
        JsonNode api = http().get("/v1/accounts/leak-a/environments/sandbox/api", AUDITOR).json();
        assertThat(api.toString()).contains("clat_sbx_").doesNotContain(token.substring(0, 13));
    }

    @Test
    void aStringWithABadChecksumIsAFalsePositiveWithoutAStoreRead() {
        String token = enable("leak-b").path("authToken").asText();
        char last = token.charAt(token.length() - 1);
        String tampered = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');
        double lookupsBefore = lookups();

        Http.Response answer = signedReport(SCANNER_KEYS, "[{\"token\":\"" + tampered + "\",\"type\":\"t\",\"url\":\"u\",\"source\":\"content\"},"
                + "{\"token\":\"NMIfyYncKcRALEXAMPLE\",\"type\":\"mycompany_api_token\",\"url\":\"u\",\"source\":\"content\"}]");

        assertThat(answer.status()).as(answer.raw()).isEqualTo(200);
        assertThat(answer.json().get(0).path("label").asText()).isEqualTo("false_positive");
        assertThat(answer.json().get(0).path("token_hash").asText()).isEqualTo(Fingerprint.hexOf(tampered));
        assertThat(answer.json().get(1).path("label").asText()).isEqualTo("false_positive");
        assertThat(lookups()).as("store reads for two malformed strings").isEqualTo(lookupsBefore);
        assertThat(verify(token)).as("the real token is untouched").isTrue();

        // A well-formed string the ledger never issued is looked up (once) and is a false positive too.
        String neverIssued = new dev.credledger.events.secret.SecretFormat()
                .issue(dev.credledger.events.model.CredentialKind.AUTH_TOKEN, dev.credledger.events.model.Environment.SANDBOX)
                .plaintext();
        Http.Response unknown = signedReport(SCANNER_KEYS, "[{\"token\":\"" + neverIssued + "\",\"type\":\"t\"}]");
        assertThat(unknown.json().get(0).path("label").asText()).isEqualTo("false_positive");
        assertThat(lookups()).isEqualTo(lookupsBefore + 1);
    }

    @Test
    void aForgedSignatureAnUnsignedReportAndNoKeyAreRefusedAndRevokeNothing() {
        String token = enable("leak-c").path("authToken").asText();
        String body = "[{\"token\":\"" + token + "\",\"type\":\"t\",\"url\":\"u\",\"source\":\"content\"}]";

        Http.Response forged = signedReport(FORGER_KEYS, body);
        Http.Response unsigned = http().post("/v1/leaks", SCANNER, body);
        Http.Response anonymous = http().post("/v1/leaks", null, body);
        Http.Response wrongRole = http().post("/v1/leaks", VERIFIER, body);

        assertProblem(forged, 401, "signature");
        assertProblem(unsigned, 401, "unsigned");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(wrongRole.status()).isEqualTo(403);
        for (Http.Response r : new Http.Response[] {forged, unsigned, anonymous, wrongRole}) {
            assertThat(r.raw()).doesNotContain(token);
        }
        assertThat(verify(token)).isTrue();
    }

    @Test
    void underANotifyPolicyTheReportIsRecordedAndRaisedAndTheTokenStaysActive() {
        String token = enable("leak-d").path("authToken").asText();
        Http.Response policy = http().send("PUT", "/v1/accounts/leak-d/leak-policy", ADMIN, "{\"mode\":\"notify\"}");
        assertThat(policy.status()).as(policy.raw()).isEqualTo(200);
        assertThat(policy.json().path("mode").asText()).isEqualTo("notify");
        double notifiedBefore = metric("credledger_leak_reports_total{label=\"true_positive\",outcome=\"notified\"");

        Http.Response answer = signedReport(SCANNER_KEYS, "[{\"token\":\"" + token + "\",\"type\":\"t\",\"url\":\"https://gist.github.com/x\",\"source\":\"gist\"}]");

        assertThat(answer.json().get(0).path("label").asText()).isEqualTo("true_positive");
        assertThat(verify(token)).isTrue();
        assertThat(metric("credledger_leak_reports_total{label=\"true_positive\",outcome=\"notified\"")).isEqualTo(notifiedBefore + 1);
        JsonNode leak = find(awaitAudit("leak-d", 3), "LeakReported");
        assertThat(leak.path("detail").asText()).contains("https://gist.github.com/x").contains("NOTIFIED");
        assertProblem(http().send("PUT", "/v1/accounts/leak-d/leak-policy", ADMIN, "{\"mode\":\"ignore\"}"), 400, "mode");
    }

    @Test
    void aLeakedClientSecretIsDeactivatedAndALeakedSaltDisablesApiAccess() {
        JsonNode enabled = enable("leak-e");
        Http.Response created = http().post("/v1/accounts/leak-e/environments/sandbox/credentials", ADMIN,
                "{\"name\":\"billing-sync\"}");
        String clientSecret = created.json().path("clientSecret").asText();
        String salt = enabled.path("privateSalt").asText();

        Http.Response answer = signedReport(SCANNER_KEYS, "[{\"token\":\"" + clientSecret + "\",\"type\":\"t\"},"
                + "{\"token\":\"" + salt + "\",\"type\":\"t\"}]");

        assertThat(answer.json().findValuesAsText("label")).containsExactly("true_positive", "true_positive");
        JsonNode credentials = http().get("/v1/accounts/leak-e/environments/sandbox/credentials", AUDITOR).json();
        assertThat(credentials.toString()).contains("INACTIVE");
        assertThat(http().get("/v1/accounts/leak-e/environments/sandbox/api", AUDITOR).json().path("enabled").asBoolean())
                .isFalse();
        assertThat(verify(enabled.path("authToken").asText())).isFalse();
    }

    private static JsonNode enable(String account) {
        Http.Response r = http().post("/v1/accounts/" + account + "/environments/sandbox/api/enable", ADMIN, null);
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.json();
    }

    private static boolean verify(String token) {
        Http.Response r = http().post("/v1/verify", VERIFIER, null, "X-Auth-Token", token);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json().path("active").asBoolean();
    }

    private static Http.Response signedReport(KeyPair keys, String body) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(keys.getPrivate());
            s.update(body.getBytes(StandardCharsets.UTF_8));
            String signature = Base64.getEncoder().encodeToString(s.sign());
            return http().post("/v1/leaks", null, body, LeakReportKeys.KEY_ID_HEADER, KEY_ID,
                    LeakReportKeys.SIGNATURE_HEADER, signature);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode awaitAudit(String account, int records) {
        JsonNode[] items = new JsonNode[1];
        await(() -> {
            items[0] = http().get("/v1/accounts/" + account + "/audit", AUDITOR).json().path("items");
            return items[0].size() >= records;
        });
        return items[0];
    }

    private static JsonNode find(JsonNode trail, String type) {
        for (JsonNode r : trail) {
            if (r.path("type").asText().equals(type)) {
                return r;
            }
        }
        throw new AssertionError("no " + type + " in " + trail);
    }

    private static double lookups() {
        return metric("credledger_leak_report_lookups_total");
    }

    private static double metric(String prefix) {
        for (String line : http().get("/metrics", null).raw().split("\n")) {
            if (line.startsWith(prefix)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    private static void assertProblem(Http.Response r, int status, String detailContains) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.json().path("detail").asText()).contains(detailContains);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The scanner's public key in GitHub's key-list format, as --leak-report-keys takes it. */
    private static synchronized Path keysFile() {
        if (keysFile == null) {
            try {
                String pem = "-----BEGIN PUBLIC KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                .encodeToString(SCANNER_KEYS.getPublic().getEncoded())
                        + "\n-----END PUBLIC KEY-----\n";
                keysFile = Files.createTempFile("leak-report-keys", ".json");
                Files.writeString(keysFile, "{\"public_keys\":[{\"key_identifier\":\"" + KEY_ID + "\",\"key\":"
                        + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(pem) + ",\"is_current\":true}]}");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return keysFile;
    }
}
