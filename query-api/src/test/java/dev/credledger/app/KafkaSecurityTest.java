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
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kafka client security passed through to every client of the ledger: a broker whose only listener the ledger is
 * given requires SASL (PLAIN over an in-process broker — the mechanism a managed service's SASL_SSL/SCRAM differs
 * from only in properties), and the ledger, configured with a client properties file, starts, processes commands
 * (Streams, the gateway, the data keys), verifies and reads its views. Without the properties the same cluster refuses
 * it.
 */
class KafkaSecurityTest {

    private static final EmbeddedKafkaBroker.SaslUser USER = new EmbeddedKafkaBroker.SaslUser("ledger", "ledger-secret");

    private static EmbeddedKafkaBroker broker;
    private static EmbeddedSchemaRegistry registry;
    private static LedgerApplication app;
    private static Path properties;

    @BeforeAll
    static void startOnASaslListener() throws Exception {
        broker = EmbeddedKafkaBroker.startWithSasl(USER);
        registry = EmbeddedSchemaRegistry.start(EmbeddedSchemaRegistry.Settings.local(broker.bootstrapServers(), 0));
        properties = Files.createTempDirectory("credledger-sasl-").resolve("kafka-client.properties");
        Files.writeString(properties, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n"
                + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"ledger\" "
                + "password=\"ledger-secret\";\n");
        Files.setPosixFilePermissions(properties, PosixFilePermissions.fromString("rw-------"));
        app = LedgerApplication.start(Settings.embedded(Files.createTempDirectory("credledger-sasl-"), 0, 0, 0)
                .withExternal(broker.saslBootstrapServers(), registry.url())
                .withAuditLog(TestLedger.externalAuditLog())
                .withTokens(ADMIN, AUDITOR, VERIFIER)
                .withSigning(null, TestLedger.sealingKeyFile())
                .withKafkaProperties(ServeCommand.kafkaProperties(properties.toString(), Map.of())));
        TestLedger.awaitReady(app, new Http(app.httpUrl()));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {app, registry, broker}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void theLedgerWorksWhollyThroughAnAuthenticatedListener() {
        Http http = new Http(app.httpUrl());
        Http.Response enabled = http.post("/v1/accounts/sasl-a/environments/sandbox/api/enable", ADMIN, null);
        assertThat(enabled.status()).as(enabled.raw()).isEqualTo(201);
        String token = enabled.json().path("authToken").asText();

        assertThat(http.post("/v1/verify", VERIFIER, null, "X-Auth-Token", token).json().path("active").asBoolean()).isTrue();
        assertThat(http.get("/v1/accounts/sasl-a/audit", AUDITOR).json().path("items").size()).isPositive();
        assertThat(app.bootstrapServers()).isEqualTo(broker.saslBootstrapServers());
    }

    @Test
    void theSameListenerRefusesAClientWithoutTheProperties() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.saslBootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000))) {
            assertThatThrownBy(() -> admin.listTopics().names().get())
                    .hasCauseInstanceOf(org.apache.kafka.common.KafkaException.class);
        }
    }

    @Test
    void aPropertiesFileOthersMayReadIsRefused() throws Exception {
        Path open = properties.resolveSibling("open.properties");
        Files.copy(properties, open);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> ServeCommand.kafkaProperties(open.toString(), Map.of()))
                .hasMessageContaining("readable by others").hasMessageNotContaining("ledger-secret");
    }
}
