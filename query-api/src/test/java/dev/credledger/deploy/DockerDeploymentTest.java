package dev.credledger.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.credledger.processors.topology.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Checks {@code docker/} where no Docker engine runs: the compose file parses and is consistent with the
 * project (pinned images, the project's Kafka version, health checks, conditions, ports, options, topics).
 * The containers themselves are not started here.
 */
class DockerDeploymentTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static JsonNode compose;

    @BeforeAll
    static void parse() throws IOException {
        Object parsed = new org.yaml.snakeyaml.Yaml().load(Files.readString(ROOT.resolve("docker/compose.yml")));
        compose = new ObjectMapper().valueToTree(parsed);
    }

    private static Iterable<Map.Entry<String, JsonNode>> services() {
        return compose.path("services").properties();
    }

    @Test
    void everyImageIsPinnedToAVersion() {
        for (var service : services()) {
            String image = service.getValue().path("image").asText();
            assertThat(image).as(service.getKey()).matches("[a-z0-9./-]+:[A-Za-z0-9._-]*\\d[A-Za-z0-9._-]*").doesNotEndWith(":latest");
        }
    }

    @Test
    void kafkaImagesRunTheKafkaVersionTheProjectBuildsWith() throws IOException {
        Matcher m = Pattern.compile("<kafka.version>([^<]+)</kafka.version>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(m.find()).isTrue();
        List<String> kafkaImages = new ArrayList<>();
        services().forEach(s -> {
            String image = s.getValue().path("image").asText();
            if (image.startsWith("apache/kafka:")) {
                kafkaImages.add(image);
            }
        });
        assertThat(kafkaImages).hasSize(4).containsOnly("apache/kafka:" + m.group(1));
    }

    @Test
    void threeBrokersInKraftWithReplicationThreeAndMinInsyncTwo() {
        List<String> brokers = new ArrayList<>();
        services().forEach(s -> {
            JsonNode env = s.getValue().path("environment");
            if (env.has("KAFKA_NODE_ID")) {
                brokers.add(s.getKey());
                assertThat(env.path("KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
                assertThat(env.path("KAFKA_DEFAULT_REPLICATION_FACTOR").asInt()).isEqualTo(3);
                assertThat(env.path("KAFKA_MIN_INSYNC_REPLICAS").asInt()).isEqualTo(2);
                assertThat(env.path("KAFKA_AUTO_CREATE_TOPICS_ENABLE").asText()).isEqualTo("false");
            }
        });
        assertThat(brokers).containsExactlyInAnyOrder("kafka-1", "kafka-2", "kafka-3");
    }

    @Test
    void longRunningServicesHaveHealthChecksAndDependenciesWaitOnConditions() {
        for (var service : services()) {
            boolean oneShot = "no".equals(service.getValue().path("restart").asText());
            if (!oneShot) {
                assertThat(service.getValue().has("healthcheck")).as(service.getKey() + " health check").isTrue();
            }
            service.getValue().path("depends_on").properties().forEach(dep -> {
                assertThat(compose.path("services").has(dep.getKey())).as(dep.getKey()).isTrue();
                // A one-shot dependency must have finished; a long-running one must be healthy (docs/operations.md, "Docker").
                boolean depOneShot = "no".equals(compose.path("services").path(dep.getKey()).path("restart").asText());
                assertThat(dep.getValue().path("condition").asText()).as(service.getKey() + " -> " + dep.getKey())
                        .isEqualTo(depOneShot ? "service_completed_successfully" : "service_healthy");
            });
        }
        assertThat(compose.path("services").path("credledger-1").path("depends_on").path("schema-registry")
                .path("condition").asText()).isEqualTo("service_healthy");
    }

    @Test
    void publishedHostPortsDoNotClash() {
        Set<String> seen = new HashSet<>();
        for (var service : services()) {
            for (JsonNode port : service.getValue().path("ports")) {
                String host = port.asText().split(":")[0];
                assertThat(seen.add(host)).as("host port " + host + " of " + service.getKey()).isTrue();
            }
        }
        assertThat(seen).contains("8080", "8082", "8081");
    }

    @Test
    void twoLedgerInstancesUseOnlyOptionsTheApplicationKnows() throws Exception {
        Set<String> known = new HashSet<>();
        Class<?> serve = Class.forName("dev.credledger.app.ServeCommand");
        var ctor = serve.getDeclaredConstructor();
        ctor.setAccessible(true);
        new CommandLine(ctor.newInstance()).getCommandSpec().options()
                .forEach(o -> known.add("CREDLEDGER_" + o.longestName().substring(2).replace('-', '_').toUpperCase()));
        List<String> ledgers = new ArrayList<>();
        for (var service : services()) {
            if (service.getValue().path("image").asText().startsWith("credledger:")) {
                ledgers.add(service.getKey());
                service.getValue().path("environment").fieldNames().forEachRemaining(name ->
                        assertThat(known).as(service.getKey() + " sets " + name).contains(name));
                assertThat(service.getValue().path("environment").path("CREDLEDGER_REPLICATION_FACTOR").asInt()).isEqualTo(3);
            }
        }
        assertThat(ledgers).containsExactlyInAnyOrder("credledger-1", "credledger-2");
    }

    @Test
    void topicScriptCreatesEveryTopicOfTheCatalogueWithItsRetention() throws IOException {
        String script = Files.readString(ROOT.resolve("docker/kafka/create-topics.sh"));
        for (NewTopic topic : Topics.definitions(6, (short) 3, Duration.ofDays(30))) {
            Matcher line = Pattern.compile("(?m)^create " + Pattern.quote(topic.name()) + " +(.*)$").matcher(script);
            assertThat(line.find()).as(topic.name()).isTrue();
            topic.configs().forEach((key, value) ->
                    assertThat(line.group(1)).as(topic.name() + " " + key).contains("--config " + key + "=" + value));
        }
        assertThat(script).contains("--replication-factor 3", "min.insync.replicas=2");
        assertThat(compose.path("services").path("topics").path("volumes").get(0).asText())
                .startsWith("./kafka/create-topics.sh:");
    }

    @Test
    void prometheusIsAnOptionalProfileScrapingBothInstances() throws IOException {
        JsonNode prometheus = compose.path("services").path("prometheus");
        assertThat(prometheus.path("profiles").get(0).asText()).isEqualTo("monitoring");
        String config = Files.readString(ROOT.resolve("docker/prometheus/prometheus.yml"));
        assertThat(config).contains("credledger-1:8080", "credledger-2:8080", "/metrics");
    }
}
