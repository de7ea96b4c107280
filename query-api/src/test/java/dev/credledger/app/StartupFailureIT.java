package dev.credledger.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.embedded.EmbeddedKafkaBroker;
import dev.credledger.events.registry.server.EmbeddedSchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A start-up failure with a known cause, through the packaged jar as a user runs it: a second ledger on a port the
 * first one holds exits non-zero with one line naming the address and the flags that change it — no stack trace — and
 * the first one keeps answering.
 */
class StartupFailureIT {

    @Test
    void aSecondLedgerOnAPortInUseSaysSoInOneLineAndExits() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(
                     EmbeddedSchemaRegistry.Settings.local(broker.bootstrapServers(), 0))) {
            int port = LedgerProcess.freePort();
            Map<String, String> env = Map.of("CREDLEDGER_ADMIN_TOKEN", "startup-admin");
            try (LedgerProcess first = LedgerProcess.start(broker.bootstrapServers(), registry.url(),
                    Files.createTempDirectory("credledger-first-"), port, env)) {
                first.awaitReady();
                Path secondDir = Files.createTempDirectory("credledger-second-");
                LedgerProcess second = LedgerProcess.start(broker.bootstrapServers(), registry.url(), secondDir, port, env);
                assertThat(second.process.waitFor(90, TimeUnit.SECONDS)).as("the second one exits by itself").isTrue();
                String out = Files.readString(second.log);

                assertThat(second.process.exitValue()).isEqualTo(2);
                assertThat(out).contains("credledger serve: cannot listen on 127.0.0.1:" + port
                        + ": the address is already in use", "--http-port");
                assertThat(out.lines().filter(l -> l.startsWith("\tat ") || l.contains("Exception")).toList())
                        .as("no stack trace").isEmpty();
                first.awaitReady();
            }
        }
    }
}
