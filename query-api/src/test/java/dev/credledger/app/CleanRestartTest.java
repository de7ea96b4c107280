package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clean restarts rebuild nothing: after commands on every partition, two clean restarts in a row (the second with
 * nothing done in between, so every partition is idle through a whole run) find every store of every task checkpointed.
 */
class CleanRestartTest {

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger();

    @Test
    void twoCleanRestartsInARowRebuildNoTask() {
        for (int i = 0; i < 12; i++) {
            LEDGER.http().post("/v1/accounts/clean-restart-" + i + "/environments/sandbox/credentials", ADMIN,
                    "{\"name\":\"some-credential\"}");
        }
        LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());
        LEDGER.restart();
        LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());

        List<String> logged = LEDGER.restartLogging();

        assertThat(logged).noneMatch(m -> m.contains("did not find checkpoint offsets"));
    }
}
