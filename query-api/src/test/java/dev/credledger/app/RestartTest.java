package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Stop the embedded default and start it again on its data: every credential, view and audit record is there. */
class RestartTest {

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger();

    @Test
    void credentialsViewsAuditAndVerificationSurviveARestart() {
        String base = "/v1/accounts/restart/environments/sandbox";
        String token = LEDGER.http().post(base + "/api/enable", ADMIN, null).json().path("authToken").asText();
        LEDGER.http().post(base + "/allowed-ips", ADMIN, "{\"cidr\":\"192.0.2.0/24\"}");
        JsonNode created = LEDGER.http().post(base + "/credentials", ADMIN, "{\"name\":\"survivor\"}").json();
        JsonNode auditBefore = LEDGER.http().get("/v1/accounts/restart/audit", AUDITOR).json();

        long started = System.nanoTime();
        LEDGER.restart();
        System.out.printf("[restore] plain restart on the same data, stop to ready in %d ms%n",
                (System.nanoTime() - started) / 1_000_000);

        JsonNode api = LEDGER.http().get(base + "/api", AUDITOR).json();
        assertThat(api.path("enabled").asBoolean()).isTrue();
        assertThat(api.path("allowedIps").get(0).asText()).isEqualTo("192.0.2.0/24");
        assertThat(LEDGER.http().get(base + "/credentials", AUDITOR).json().path("items")).singleElement()
                .satisfies(i -> assertThat(i.path("credentialId").asText()).isEqualTo(created.path("credentialId").asText()));
        assertThat(LEDGER.http().get("/v1/accounts/restart/audit", AUDITOR).json()).isEqualTo(auditBefore);
        assertThat(LEDGER.http().post("/v1/verify", VERIFIER, "{\"sourceIp\":\"192.0.2.1\"}", "X-Auth-Token", token)
                .json().path("active").asBoolean()).isTrue();
        // And it keeps deciding on the state it had: the name is still taken, the sequence goes on.
        assertThat(LEDGER.http().post(base + "/credentials", ADMIN, "{\"name\":\"survivor\"}").json().path("code").asText())
                .isEqualTo("NAME_TAKEN");
        JsonNode audit = LEDGER.http().get("/v1/accounts/restart/audit", AUDITOR).json();
        assertThat(audit.path("items")).hasSize(4);
        assertThat(audit.path("items").get(3).path("prevHash").asText())
                .isEqualTo(audit.path("items").get(2).path("hash").asText());
    }

    @Test
    void deletingTheLocalStateRestoresEveryViewFromTheChangelogs() throws Exception {
        java.util.List<String> accounts = java.util.stream.IntStream.range(0, 60).mapToObj(i -> "restore-" + i).toList();
        java.util.Map<String, String> tokens = new java.util.HashMap<>();
        for (String account : accounts) {
            String base = "/v1/accounts/" + account + "/environments/sandbox";
            tokens.put(account, LEDGER.http().post(base + "/api/enable", ADMIN, null).json().path("authToken").asText());
            LEDGER.http().post(base + "/credentials", ADMIN, "{\"name\":\"restored-one\"}");
            LEDGER.http().post(base + "/allowed-ips", ADMIN, "{\"cidr\":\"198.51.100.0/24\"}");
        }
        java.util.Map<String, String> before = views(accounts, tokens);
        java.nio.file.Path state = LEDGER.app().dataDir().resolve("streams");
        assertThat(state).isDirectory();

        long started = System.nanoTime();
        LEDGER.restart(() -> deleteRecursively(state));
        long restoredMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(views(accounts, tokens)).isEqualTo(before);
        for (String account : accounts) {
            assertThat(LEDGER.http().post("/v1/verify", VERIFIER, "{\"sourceIp\":\"198.51.100.7\"}", "X-Auth-Token",
                    tokens.get(account)).json().path("active").asBoolean()).as(account).isTrue();
        }
        // The command side was restored too: it still knows the names it holds.
        assertThat(LEDGER.http().post("/v1/accounts/restore-0/environments/sandbox/credentials", ADMIN,
                "{\"name\":\"restored-one\"}").json().path("code").asText()).isEqualTo("NAME_TAKEN");
        System.out.printf("[restore] local state deleted: %d accounts' views restored from the changelogs, stop to ready "
                + "in %d ms%n", accounts.size(), restoredMs);
    }

    /**
     * Everything the API answers from a view, as it answers it: per account its API access, credentials, audit page,
     * chain check, event history (the state now), and what is known of its token by fingerprint; across accounts the
     * activity by actor and the credential report (its generation time aside). (The signed checkpoints are compared by
     * ProvableAuditTest: a new one may rightly appear meanwhile.)
     */
    private static java.util.Map<String, String> views(java.util.List<String> accounts, java.util.Map<String, String> tokens) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        for (String account : accounts) {
            String base = "/v1/accounts/" + account + "/environments/sandbox";
            out.put(account + " api", LEDGER.http().get(base + "/api", AUDITOR).raw());
            out.put(account + " credentials", LEDGER.http().get(base + "/credentials", AUDITOR).raw());
            out.put(account + " audit", LEDGER.http().get("/v1/accounts/" + account + "/audit", AUDITOR).raw());
            out.put(account + " chain", LEDGER.http().get("/v1/accounts/" + account + "/audit/verify", AUDITOR).raw());
            out.put(account + " state", withoutNow("/v1/accounts/" + account + "/state"));
            out.put(account + " token", withoutNow("/v1/secrets/"
                    + dev.credledger.events.model.Fingerprint.of(tokens.get(account)).hex()));
        }
        out.put("activity", LEDGER.http().get("/v1/audit?actor=admin&limit=1000", AUDITOR).raw());
        out.put("report", withoutNow("/v1/reports/credentials"));
        out.values().forEach(v -> assertThat(v).as("every view answers").doesNotContain("\"status\":5"));
        return out;
    }

    /** An answer without the instant it was made at ({@code asOf}, {@code generatedAt}: now, each time). */
    private static String withoutNow(String path) {
        JsonNode answer = LEDGER.http().get(path, AUDITOR).json();
        if (answer instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            o.remove("asOf");
            o.remove("generatedAt");
        }
        return answer.toString();
    }

    private static void deleteRecursively(java.nio.file.Path dir) {
        try (java.util.stream.Stream<java.nio.file.Path> paths = java.nio.file.Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    java.nio.file.Files.delete(p);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
