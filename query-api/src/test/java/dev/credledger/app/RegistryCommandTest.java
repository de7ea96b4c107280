package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.credledger.api.Http;
import dev.credledger.embedded.EmbeddedKafkaBroker;
import dev.credledger.events.registry.server.EmbeddedSchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code credledger registry} as a deployment without Confluent's registry runs it: its own registry process on the
 * cluster (here in-process, on a real broker), a ledger using it for every schema, writes only with its key.
 */
class RegistryCommandTest {

    @Test
    void aLedgerRunsOnTheRegistryCommandsRegistryWhichRefusesWritesWithoutItsKey() throws Exception {
        Path dir = Files.createTempDirectory("credledger-registry-");
        Path keyFile = dir.resolve("registry.key");
        Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(keyFile, "registry-write-key\n");
        Path sealingKey = dir.resolve("sealing.key");
        dev.credledger.events.sealing.FileKeyring.generate(sealingKey);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            RegistryCommand command = new RegistryCommand();
            new CommandLine(command).parseArgs("--bootstrap-servers", broker.bootstrapServers(), "--port", "0",
                    "--replication-factor", "1", "--write-key-file", keyFile.toString());
            try (EmbeddedSchemaRegistry registry = command.start(null);
                    LedgerApplication app = LedgerApplication.start(Settings.embedded(dir.resolve("ledger"), 0, 0, 0)
                            .withExternal(broker.bootstrapServers(), registry.url())
                            .withRegistryBasicAuth("credledger:registry-write-key")
                            .withAuditLog(TestLedger.externalAuditLog())
                            .withTokens(ADMIN, AUDITOR, VERIFIER)
                            .withSigning(null, sealingKey))) {
                Http ledger = new Http(app.httpUrl());
                TestLedger.awaitReady(app, ledger);
                Http.Response enabled = ledger.post("/v1/accounts/reg-a/environments/sandbox/api/enable", ADMIN, null);
                assertThat(enabled.status()).as(enabled.raw()).isEqualTo(201);
                assertThat(ledger.get("/v1/accounts/reg-a/environments/sandbox/api", AUDITOR).status()).isEqualTo(200);

                Http schemas = new Http(registry.url());
                Http.Response subjects = schemas.get("/subjects", null);
                assertThat(subjects.status()).isEqualTo(200);
                assertThat(subjects.raw()).contains("credential-events-value").contains("credential-commands-value");
                String schema = "{\"schema\":\"{\\\"type\\\":\\\"string\\\"}\"}";
                assertThat(schemas.sendAs("POST", "/subjects/intruder-value/versions", null, schema,
                        "application/vnd.schemaregistry.v1+json").status()).as("a write without the key").isEqualTo(401);
                assertThat(schemas.sendAs("POST", "/subjects/intruder-value/versions", "registry-write-key", schema,
                        "application/vnd.schemaregistry.v1+json").status()).as("with it").isEqualTo(200);
            }
        }
    }

    @Test
    void theRegistryDoesNotStartWithoutAWriteKey() {
        RegistryCommand command = new RegistryCommand();
        new CommandLine(command).parseArgs("--bootstrap-servers", "127.0.0.1:1");
        assertThatThrownBy(() -> command.start(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("write key");
    }
}
