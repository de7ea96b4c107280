package dev.credledger.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.credledger.api.Http;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.registry.SchemaRegistryException;
import java.nio.file.Files;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The same lifecycle as {@link LifecycleEndToEndTest}, but against the real images of a deployment: the
 * {@code apache/kafka} broker and Confluent's Schema Registry, with the project's registry client checked
 * against the real registry. Needs a Docker engine; without one the class is skipped
 * ({@code disabledWithoutDocker}). Run alone:
 * {@code ./mvnw -B -pl query-api -am verify -Dtest='*ContainersTest' -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Testcontainers(disabledWithoutDocker = true)
class LifecycleOnContainersTest extends LifecycleSpec {

    static final String KAFKA_IMAGE = "apache/kafka:4.3.1";
    static final String REGISTRY_IMAGE = "confluentinc/cp-schema-registry:8.1.0";

    static final Network NETWORK = Network.newNetwork();

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
            .withNetwork(NETWORK)
            .withListener("kafka:19092");

    @Container
    static final GenericContainer<?> REGISTRY = new GenericContainer<>(DockerImageName.parse(REGISTRY_IMAGE))
            .withNetwork(NETWORK)
            .withExposedPorts(8081)
            .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
            .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
            .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
            .dependsOn(KAFKA)
            .waitingFor(Wait.forHttp("/subjects").forStatusCode(200));

    private static LedgerApplication app;
    private static Http http;

    @BeforeAll
    static void startLedgerOnTheContainers() throws Exception {
        String registryUrl = "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8081);
        app = LedgerApplication.start(Settings.embedded(Files.createTempDirectory("credledger-tc-"), 0, 0, 0)
                .withExternal(KAFKA.getBootstrapServers(), registryUrl)
                .withAuditLog(TestLedger.externalAuditLog())
                .withTokens(TestLedger.ADMIN, TestLedger.AUDITOR, TestLedger.VERIFIER)
                .withSigning(null, TestLedger.sealingKeyFile()));
        http = new Http(app.httpUrl());
        TestLedger.awaitReady(app, http);
    }

    @AfterAll
    static void stopLedger() {
        if (app != null) {
            app.close();
        }
    }

    @Override
    protected Http http() {
        return http;
    }

    @Test
    void projectRegistryClientWorksAgainstConfluentSchemaRegistry() {
        SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryClient.Settings.of(app.registryUrl()));
        Schema v1 = new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Probe\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}");
        Schema breaking = new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Probe\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"},"
                        + "{\"name\":\"b\",\"type\":\"int\"}]}");

        int id = client.register("probe-value", v1);

        assertThat(client.register("probe-value", v1)).isEqualTo(id);
        assertThat(new SchemaRegistryClient(SchemaRegistryClient.Settings.of(app.registryUrl())).schemaById(id)).isEqualTo(v1);
        assertThat(client.latest("probe-value").version()).isEqualTo(1);
        assertThat(client.isCompatible("probe-value", breaking)).isFalse();
        assertThatThrownBy(() -> client.register("probe-value", breaking))
                .isInstanceOf(SchemaRegistryException.IncompatibleSchema.class);
        assertThatThrownBy(() -> client.latest("no-such-subject"))
                .isInstanceOf(SchemaRegistryException.SubjectNotFound.class);
        assertThat(client.subjects()).contains("credential-events-value", "credential-commands-value");
    }
}
