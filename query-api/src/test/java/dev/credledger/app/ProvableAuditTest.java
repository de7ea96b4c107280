package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credledger.api.Http;
import dev.credledger.events.tlog.Checkpoint;
import dev.credledger.events.tlog.Merkle;
import dev.credledger.events.tlog.NoteKey;
import dev.credledger.events.tlog.SignedNote;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The provable audit trail over HTTP on a real ledger (checkpoints every 500 ms here): a record's inclusion proof
 * verifies against a checkpoint signed by the published verifier key, with the leaf hash computed from the record as
 * the audit API returns it; a later checkpoint is consistent with an earlier one; the chain check; and the errors.
 */
class ProvableAuditTest {

    private static LedgerApplication app;
    private static Http http;

    @BeforeAll
    static void start() throws Exception {
        app = LedgerApplication.start(Settings.embedded(Files.createTempDirectory("credledger-proof-"), 0, 0, 0)
                .withTokens(ADMIN, AUDITOR, null)
                .withAuditLog(new Settings.AuditLog(null, "credledger.test/audit", Duration.ofMillis(500))));
        http = new Http(app.httpUrl());
        TestLedger.awaitReady(app, http);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void aRecordsInclusionProofVerifiesAgainstACheckpointSignedByThePublishedKey() {
        String account = "proof-a";
        http.post("/v1/accounts/" + account + "/environments/sandbox/api/enable", ADMIN, null);
        http.post("/v1/accounts/" + account + "/environments/sandbox/api/refresh", ADMIN, "{\"reason\":\"COMPROMISED\"}");
        NoteKey verifier = NoteKey.fromVerifierKey(http.get("/v1/audit/verifier-key", null).raw());
        assertThat(verifier.name()).isEqualTo("credledger.test/audit");

        JsonNode records = http.get("/v1/accounts/" + account + "/audit", AUDITOR).json().path("items");
        assertThat(records.size()).isEqualTo(2);
        for (JsonNode record : records) {
            long sequence = record.path("sequence").asLong();
            JsonNode proof = await("a checkpoint covers record " + sequence, () -> {
                Http.Response r = http.get("/v1/accounts/" + account + "/audit/" + sequence + "/proof", AUDITOR);
                return r.status() == 200 ? r.json() : null;
            });
            SignedNote note = SignedNote.parse(proof.path("checkpoint").asText());
            assertThat(note.verifiedBy(verifier)).isTrue();
            Checkpoint checkpoint = Checkpoint.parse(note.text());
            assertThat(checkpoint.origin()).isEqualTo(proof.path("origin").asText()).startsWith("credledger.test/audit/");
            assertThat(checkpoint.size()).isEqualTo(proof.path("treeSize").asLong());
            // The leaf hash, computed from the record exactly as the audit API returned it.
            byte[] leafHash = Merkle.leafHash(HexFormat.of().parseHex(record.path("hash").asText()));
            assertThat(Base64.getEncoder().encodeToString(leafHash)).isEqualTo(proof.path("leafHash").asText());
            assertThat(Merkle.verifyInclusion(proof.path("leafIndex").asLong(), checkpoint.size(), leafHash,
                    base64List(proof.path("inclusionProof")), checkpoint.root())).isTrue();
        }
    }

    @Test
    void aLaterCheckpointIsConsistentWithAnEarlierOne() {
        String account = "proof-b";
        http.post("/v1/accounts/" + account + "/environments/sandbox/api/enable", ADMIN, null);
        JsonNode first = await("a checkpoint of the first record", () -> {
            Http.Response r = http.get("/v1/accounts/" + account + "/audit/1/proof", AUDITOR);
            return r.status() == 200 ? r.json() : null;
        });
        Checkpoint older = Checkpoint.parse(SignedNote.parse(first.path("checkpoint").asText()).text());
        for (int i = 0; i < 5; i++) {
            http.post("/v1/accounts/" + account + "/environments/sandbox/api/refresh", ADMIN, null);
        }
        JsonNode latest = await("a checkpoint of the sixth record", () -> {
            Http.Response r = http.get("/v1/accounts/" + account + "/audit/6/proof", AUDITOR);
            return r.status() == 200 ? r.json() : null;
        });
        Checkpoint newer = Checkpoint.parse(SignedNote.parse(latest.path("checkpoint").asText()).text());
        assertThat(newer.origin()).isEqualTo(older.origin());
        assertThat(newer.size()).isGreaterThan(older.size());

        JsonNode consistency = http.get("/v1/audit/consistency?origin=" + older.origin() + "&from=" + older.size() + "&to="
                + newer.size(), AUDITOR).json();
        assertThat(Merkle.verifyConsistency(older.size(), newer.size(), older.root(), newer.root(),
                base64List(consistency.path("consistencyProof")))).isTrue();

        JsonNode checkpoints = http.get("/v1/audit/checkpoints", AUDITOR).json().path("items");
        assertThat(checkpoints.findValuesAsText("origin")).contains(older.origin());
    }

    @Test
    void aProofAskedBeforeTheNextCheckpointIs409WithRetryAfter() {
        String account = "proof-c";
        http.post("/v1/accounts/" + account + "/environments/sandbox/api/enable", ADMIN, null);
        await("covered", () -> http.get("/v1/accounts/" + account + "/audit/1/proof", AUDITOR).status() == 200 ? true : null);
        Http.Response notYet = null;
        // A checkpoint may land between the command and the question (every 500 ms): try until one does not.
        for (int sequence = 2; sequence < 12 && (notYet == null || notYet.status() != 409); sequence++) {
            http.post("/v1/accounts/" + account + "/environments/sandbox/api/refresh", ADMIN, null);
            notYet = http.get("/v1/accounts/" + account + "/audit/" + sequence + "/proof", AUDITOR);
        }
        assertThat(notYet.status()).as(notYet.raw()).isEqualTo(409);
        assertThat(notYet.json().path("code").asText()).isEqualTo("NOT_YET_CHECKPOINTED");
        assertThat(notYet.header("Retry-After")).isEqualTo("1");
    }

    @Test
    void theChainCheckRecomputesAnAccountsHashesToItsHead() {
        String account = "proof-d";
        http.post("/v1/accounts/" + account + "/environments/sandbox/api/enable", ADMIN, null);
        http.post("/v1/accounts/" + account + "/environments/sandbox/api/disable", ADMIN, null);
        JsonNode records = http.get("/v1/accounts/" + account + "/audit", AUDITOR).json().path("items");

        JsonNode verify = http.get("/v1/accounts/" + account + "/audit/verify", AUDITOR).json();

        assertThat(verify.path("intact").asBoolean()).isTrue();
        assertThat(verify.path("records").asLong()).isEqualTo(records.size());
        assertThat(verify.path("head").asText()).isEqualTo(records.get(records.size() - 1).path("hash").asText());
    }

    @Test
    void unknownRecordsLogsAndMalformedParametersAreProblems() {
        assertThat(http.get("/v1/accounts/nobody-here/audit/1/proof", AUDITOR).status()).isEqualTo(404);
        assertThat(http.get("/v1/accounts/proof-a/audit/0/proof", AUDITOR).status()).isEqualTo(400);
        assertThat(http.get("/v1/accounts/proof-a/audit/x/proof", AUDITOR).status()).isEqualTo(400);
        assertThat(http.get("/v1/accounts/proof-a/audit/1/proof", null).status()).isEqualTo(401);
        assertThat(http.get("/v1/audit/consistency?origin=elsewhere/0&from=1&to=2", AUDITOR).status()).isEqualTo(404);
        assertThat(http.get("/v1/audit/consistency?origin=credledger.test/audit/99&from=1&to=2", AUDITOR).status()).isEqualTo(404);
        assertThat(http.get("/v1/audit/consistency?origin=credledger.test/audit/0&from=2&to=1", AUDITOR).status()).isEqualTo(400);
        assertThat(http.get("/v1/audit/consistency?origin=credledger.test/audit/0&from=1&to=100000", AUDITOR).status()).isEqualTo(400);
        assertThat(http.get("/v1/audit/consistency?from=1&to=2", AUDITOR).status()).isEqualTo(400);
        assertThat(http.get("/v1/accounts/nobody-here/audit/verify", AUDITOR).status()).isEqualTo(404);
        Http.Response key = http.get("/v1/audit/verifier-key", null);
        assertThat(key.header("Content-Type")).startsWith("text/plain");
    }

    @Test
    void theNodeScriptOfTheDocsVerifiesARecordAndRefusesAnAlteredOne() throws Exception {
        // An implementation of the checks nobody here wrote in Java: docs/verify-audit-proof.mjs, Node's own crypto.
        org.junit.jupiter.api.Assumptions.assumeTrue(node() != null, "node is not installed");
        String account = "proof-e";
        http.post("/v1/accounts/" + account + "/environments/sandbox/api/enable", ADMIN, null);
        JsonNode record = http.get("/v1/accounts/" + account + "/audit", AUDITOR).json().path("items").get(0);
        String proof = await("covered", () -> {
            Http.Response r = http.get("/v1/accounts/" + account + "/audit/1/proof", AUDITOR);
            return r.status() == 200 ? r.raw() : null;
        });
        java.nio.file.Path dir = Files.createTempDirectory("credledger-node-");
        Files.writeString(dir.resolve("record.json"), record.toString());
        Files.writeString(dir.resolve("proof.json"), proof);
        Files.writeString(dir.resolve("altered.json"), record.toString().replace("\"outcome\":\"ACCEPTED\"", "\"outcome\":\"REJECTED\""));
        String key = http.get("/v1/audit/verifier-key", null).raw();

        String[] ok = runNode(dir.resolve("record.json"), dir.resolve("proof.json"), key, account);
        String[] altered = runNode(dir.resolve("altered.json"), dir.resolve("proof.json"), key, account);
        String[] otherKey = runNode(dir.resolve("record.json"), dir.resolve("proof.json"),
                NoteKey.generate("credledger.test/audit").verifierKey(), account);
        Files.writeString(dir.resolve("negative.json"), proof.replaceFirst("\"leafIndex\":[0-9]+", "\"leafIndex\":-1"));
        String[] negativeIndex = runNode(dir.resolve("record.json"), dir.resolve("negative.json"), key, account);

        assertThat(ok[0]).as(ok[1]).isEqualTo("0");
        assertThat(ok[1]).contains("VERIFIED: record 1 of proof-e");
        assertThat(altered[0]).isEqualTo("1");
        assertThat(altered[1]).contains("fields hash to");
        assertThat(otherKey[0]).isEqualTo("1");
        assertThat(otherKey[1]).contains("no valid signature");
        assertThat(negativeIndex[0]).as(negativeIndex[1]).isEqualTo("1");
    }

    private static String node() {
        for (String candidate : new String[] {"/usr/bin/node", "/usr/local/bin/node"}) {
            if (Files.isExecutable(java.nio.file.Path.of(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    /** Runs docs/verify-audit-proof.mjs: {exit code, output}. */
    private static String[] runNode(java.nio.file.Path record, java.nio.file.Path proof, String key, String account) throws Exception {
        java.nio.file.Path script = java.nio.file.Path.of("..", "docs", "verify-audit-proof.mjs").toAbsolutePath().normalize();
        Process p = new ProcessBuilder(node(), script.toString(), record.toString(), proof.toString(), key, account)
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        return new String[] {Integer.toString(p.waitFor()), output};
    }

    private static List<byte[]> base64List(JsonNode array) {
        List<byte[]> out = new ArrayList<>();
        array.forEach(n -> out.add(Base64.getDecoder().decode(n.asText())));
        return out;
    }

    private static <T> T await(String what, Supplier<T> value) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            T v = value.get();
            if (v != null) {
                return v;
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        throw new AssertionError("timed out waiting until " + what);
    }
}
