package dev.credledger.app;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.credledger.embedded.EmbeddedKafkaBroker;
import dev.credledger.events.registry.server.EmbeddedSchemaRegistry;
import dev.credledger.processors.topology.Topics;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * The single writer of partition p writes partition p of {@code credential-audit} and appends to that partition's
 * audit log: on topics made by someone else with another number of partitions, the ledger refuses to start, naming
 * the topics and their counts, instead of writing audit logs that no outside verifier could check.
 */
class CoPartitionedTopicsTest {

    @Test
    void aLedgerRefusesCommandAndAuditTopicsWithDifferentPartitionCounts() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(
                        EmbeddedSchemaRegistry.Settings.local(broker.bootstrapServers(), 0))) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(Topics.COMMANDS, 3, (short) 1), new NewTopic(Topics.AUDIT, 1, (short) 1)))
                        .all().get();
            }
            Settings settings = Settings.embedded(Files.createTempDirectory("credledger-copartition-"), 0, 0, 0)
                    .withExternal(broker.bootstrapServers(), registry.url())
                    .withAuditLog(TestLedger.externalAuditLog())
                    .withSigning(null, TestLedger.sealingKeyFile());
            assertThatThrownBy(() -> LedgerApplication.start(settings).close())
                    .hasMessageContaining("must have the same number of partitions")
                    .hasMessageContaining(Topics.AUDIT + "=1")
                    .hasMessageContaining(Topics.COMMANDS + "=3");
        }
    }
}
