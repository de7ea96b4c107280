package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credledger.api.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A ledger whose command timeout (1 ms) is shorter than any exactly-once hop: every command is sent but
 * its answer cannot arrive in time. The client gets 503 with the commandId and Retry-After, and the
 * command is applied all the same — the audit trail shows it under that commandId.
 */
class CommandTimeoutTest {

    private static Path dataDir;
    private static LedgerApplication app;
    private static Http http;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("credledger-timeout-");
        app = LedgerApplication.start(Settings.embedded(dataDir, 0, 0, 0)
                .withTokens(ADMIN, AUDITOR, null).withCommandTimeout(Duration.ofMillis(1)));
        http = new Http(app.httpUrl());
        TestLedger.awaitReady(app, http);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void aCommandWhoseResultIsLateIs503WithItsCommandIdAndIsStillApplied() {
        Http.Response r = http.post("/v1/accounts/timeout-acct/environments/sandbox/api/enable", ADMIN, null);

        assertThat(r.status()).as(r.raw()).isEqualTo(503);
        assertThat(r.header("Retry-After")).isEqualTo("1");
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        String commandId = r.json().path("commandId").asText();
        assertThat(commandId).matches("[0-9a-f-]{36}");
        assertThat(r.raw()).doesNotContain("clat_").doesNotContain("clps_");

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode items = null;
        while (System.nanoTime() < deadline) {
            items = http.get("/v1/accounts/timeout-acct/audit", AUDITOR).json().path("items");
            if (items.size() > 0) {
                break;
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        assertThat(items).hasSize(1);
        assertThat(items.get(0).path("commandId").asText()).isEqualTo(commandId);
        assertThat(items.get(0).path("type").asText()).isEqualTo("ApiEnabled");
    }

    @Test
    void theGeneratedAdminKeyFileIsReadableByItsOwnerOnly() throws Exception {
        Path other = Files.createTempDirectory("credledger-adminkey-");

        String key = AdminKey.loadOrCreate(other);

        Path file = other.resolve(AdminKey.FILE_NAME);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(AdminKey.loadOrCreate(other)).isEqualTo(key);
    }
}
