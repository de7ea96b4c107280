package dev.credledger.events.registry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.credledger.embedded.EmbeddedKafkaBroker;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.registry.SchemaRegistryException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The embedded registry's REST contract (Confluent's shapes and codes) and its durability in Kafka. */
class EmbeddedSchemaRegistryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String THING = """
            {"type":"record","name":"Thing","namespace":"t","fields":[{"name":"a","type":"string"}]}""";

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void idsSurviveARestartAndAreNeverReusedForAnotherSchema(TestInfo test) {
        EmbeddedSchemaRegistry.Settings settings = settings(test);
        int firstId;
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(settings)) {
            firstId = client(registry).register("things-value", parse(THING));
        }
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(settings)) {
            SchemaRegistryClient client = client(registry);
            assertThat(client.schemaById(firstId)).isEqualTo(parse(THING));
            assertThat(client.register("things-value", parse(THING))).isEqualTo(firstId);
            Schema other = parse("{\"type\":\"record\",\"name\":\"Other\",\"fields\":[]}");
            assertThat(client.register("others-value", other)).isGreaterThan(firstId);
        }
    }

    @Test
    void sameSchemaUnderTwoSubjectsSharesOneId(TestInfo test) {
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(settings(test))) {
            SchemaRegistryClient client = client(registry);
            assertThat(client.register("a-value", parse(THING))).isEqualTo(client.register("b-value", parse(THING)));
        }
    }

    @Test
    void aSecondRegistryOnTheSameTopicFencesTheFirstInsteadOfHandingOutAnIdTwice(TestInfo test) {
        EmbeddedSchemaRegistry.Settings settings = settings(test);
        try (EmbeddedSchemaRegistry first = EmbeddedSchemaRegistry.start(settings)) {
            try (EmbeddedSchemaRegistry second = EmbeddedSchemaRegistry.start(
                    new EmbeddedSchemaRegistry.Settings("127.0.0.1", 0, broker.bootstrapServers(), settings.topic(), (short) 1, null))) {
                int id = client(second).register("x-value", parse(THING));
                assertThat(id).isEqualTo(1);
                Schema other = parse("{\"type\":\"record\",\"name\":\"Other\",\"fields\":[]}");
                assertThatThrownBy(() -> client(first).register("y-value", other))
                        .isInstanceOf(SchemaRegistryException.class)
                        .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(50001));
            }
        }
    }

    @Test
    void errorsHaveConfluentShapeCodeAndContentType(TestInfo test) throws Exception {
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(settings(test))) {
            String base = registry.url();

            HttpResponse<String> missingSubject = get(base + "/subjects/nope-value/versions/latest");
            assertThat(missingSubject.statusCode()).isEqualTo(404);
            assertThat(missingSubject.headers().firstValue("Content-Type")).hasValueSatisfying(
                    v -> assertThat(v).startsWith(SchemaRegistryClient.CONTENT_TYPE));
            assertThat(JSON.readTree(missingSubject.body()).path("error_code").asInt()).isEqualTo(40401);
            assertThat(JSON.readTree(missingSubject.body()).path("message").asText()).contains("nope-value");

            assertThat(errorCode(get(base + "/schemas/ids/4242"))).isEqualTo(40403);
            assertThat(errorCode(post(base + "/subjects/bad-value/versions", "{\"schema\":\"{\\\"type\\\":\\\"nonsense\\\"}\"}")))
                    .isEqualTo(42201);
            assertThat(errorCode(post(base + "/subjects/bad-value/versions", "{not json"))).isEqualTo(400);
            assertThat(errorCode(get(base + "/subjects/nope-value/versions/zero"))).isEqualTo(40401);
            assertThat(errorCode(get(base + "/config/nope-value"))).isEqualTo(40408);
        }
    }

    @Test
    void restResourcesAnswerInConfluentsShapes(TestInfo test) throws Exception {
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(settings(test))) {
            String base = registry.url();
            String body = JSON.createObjectNode().put("schema", THING).toString();

            JsonNode registered = JSON.readTree(post(base + "/subjects/things-value/versions", body).body());
            int id = registered.path("id").asInt();
            assertThat(id).isPositive();

            JsonNode version = JSON.readTree(get(base + "/subjects/things-value/versions/1").body());
            assertThat(version.path("subject").asText()).isEqualTo("things-value");
            assertThat(version.path("version").asInt()).isEqualTo(1);
            assertThat(version.path("id").asInt()).isEqualTo(id);
            assertThat(parse(version.path("schema").asText())).isEqualTo(parse(THING));

            assertThat(JSON.readTree(get(base + "/subjects").body()).toString()).isEqualTo("[\"things-value\"]");
            assertThat(JSON.readTree(get(base + "/subjects/things-value/versions").body()).toString()).isEqualTo("[1]");
            assertThat(JSON.readTree(post(base + "/subjects/things-value", body).body()).path("version").asInt()).isEqualTo(1);
            assertThat(JSON.readTree(get(base + "/schemas/ids/" + id).body()).path("schema").asText()).isNotBlank();
            assertThat(JSON.readTree(post(base + "/compatibility/subjects/things-value/versions/latest", body).body())
                    .path("is_compatible").asBoolean()).isTrue();
            assertThat(JSON.readTree(post(base + "/compatibility/subjects/unknown-value/versions/latest", body).body())
                    .path("is_compatible").asBoolean()).isTrue();
            assertThat(JSON.readTree(get(base + "/config").body()).path("compatibilityLevel").asText()).isEqualTo("BACKWARD");
            assertThat(JSON.readTree(put(base + "/config/things-value", "{\"compatibility\":\"FULL\"}").body())
                    .path("compatibility").asText()).isEqualTo("FULL");
            assertThat(JSON.readTree(get(base + "/config/things-value").body()).path("compatibilityLevel").asText())
                    .isEqualTo("FULL");
            assertThat(errorCode(put(base + "/config", "{\"compatibility\":\"SIDEWAYS\"}"))).isEqualTo(42203);
        }
    }

    private EmbeddedSchemaRegistry.Settings settings(TestInfo test) {
        return new EmbeddedSchemaRegistry.Settings("127.0.0.1", 0, broker.bootstrapServers(),
                "_schemas_" + test.getTestMethod().orElseThrow().getName(), (short) 1, null);
    }

    @Test
    void withAWriteKeyRegistrationsAndConfigChangesNeedItWhileReadsStayOpen(TestInfo test) throws Exception {
        EmbeddedSchemaRegistry.Settings open = settings(test);
        EmbeddedSchemaRegistry.Settings guarded = new EmbeddedSchemaRegistry.Settings(open.host(), 0,
                open.bootstrapServers(), open.topic(), (short) 1, "the-admin-key");
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(guarded)) {
            String base = registry.url();
            String body = "{\"schema\":" + JSON.writeValueAsString(THING) + "}";

            HttpResponse<String> anonymous = post(base + "/subjects/things-value/versions", body);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(errorCode(anonymous)).isEqualTo(40101);
            assertThat(put(base + "/config", "{\"compatibility\":\"NONE\"}").statusCode()).isEqualTo(401);
            assertThat(send(base + "/subjects/things-value/versions", body, "Bearer wrong-key").statusCode()).isEqualTo(401);
            assertThatThrownBy(() -> client(registry).register("things-value", parse(THING)))
                    .isInstanceOf(SchemaRegistryException.class);

            // What Confluent clients send with basic.auth.user.info=any-user:the-admin-key, and a bearer key.
            SchemaRegistryClient confluentStyle = new SchemaRegistryClient(new SchemaRegistryClient.Settings(
                    URI.create(base), "any-user:the-admin-key", null, java.time.Duration.ofSeconds(10)));
            int id = confluentStyle.register("things-value", parse(THING));
            assertThat(send(base + "/subjects/other-value/versions", body, "Bearer the-admin-key").statusCode()).isEqualTo(200);

            assertThat(get(base + "/schemas/ids/" + id).statusCode()).isEqualTo(200);
            assertThat(post(base + "/subjects/things-value", body).statusCode()).isEqualTo(200);
            assertThat(client(registry).schemaById(id)).isEqualTo(parse(THING));
        }
    }

    private static HttpResponse<String> send(String url, String body, String authorization) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", SchemaRegistryClient.CONTENT_TYPE).header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static SchemaRegistryClient client(EmbeddedSchemaRegistry registry) {
        return new SchemaRegistryClient(SchemaRegistryClient.Settings.of(registry.url()));
    }

    private static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }

    private static int errorCode(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).path("error_code").asInt();
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", SchemaRegistryClient.CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> put(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", SchemaRegistryClient.CONTENT_TYPE)
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
