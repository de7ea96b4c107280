package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.VERIFIER;
import static dev.credledger.app.TestLedger.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The hourly usage windows share the account's task, and a clean restart must not make Kafka Streams rebuild that task:
 * under exactly-once a window store never written has no checkpointed offset, which Streams takes for corruption. With
 * commands on every partition and verifications on one, a restart rebuilds nothing, and the counts survive it.
 */
class UsageWindowsRestartTest {

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger(s -> s.withUsage(
            new Settings.Usage(Duration.ofDays(90), true, Duration.ofMillis(200))));

    @Test
    void aCleanRestartRebuildsNoTaskAndKeepsTheCounts() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) { // a dozen accounts: each of the three partitions gets commands
            ids.add(LEDGER.http().post("/v1/accounts/restart-usage-" + i + "/environments/sandbox/credentials", ADMIN,
                    "{\"name\":\"some-credential\"}").json().path("credentialId").asText());
        }
        String token = LEDGER.http().post("/v1/accounts/restart-usage-0/environments/sandbox/api/enable", ADMIN, null).json()
                .path("authToken").asText();
        String tokenId = LEDGER.http().post("/v1/verify", VERIFIER, null, "X-Auth-Token", token).json()
                .path("credentialId").asText();
        String usage = "/v1/accounts/restart-usage-0/credentials/" + tokenId + "/usage";
        await("the verification counted", () -> LEDGER.http().get(usage, AUDITOR).raw().contains("\"valid\":1"));
        LockSupport.parkNanos(Duration.ofSeconds(2).toNanos()); // each task's start-up entry is written a second in

        List<String> logged = LEDGER.restartLogging();

        assertThat(logged).noneMatch(m -> m.contains("did not find checkpoint offsets") || m.contains("Rebuilding the local state"));
        assertThat(LEDGER.http().get(usage, AUDITOR).raw()).contains("\"valid\":1");
    }
}
