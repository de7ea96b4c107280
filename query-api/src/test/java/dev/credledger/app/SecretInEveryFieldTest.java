package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.credledger.api.Http;
import dev.credledger.api.delivery.DeliveryPolicy;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * One guard for every field: a real issued secret — as written, percent-encoded in a URL's query, split by a zero-width
 * space — put in every string of every request body the OpenAPI document describes (found from its schemas, so a new
 * field is checked without touching this test) and in every query parameter, is refused with 422
 * {@code SECRET_IN_INPUT} and moves no end offset of any topic (changelogs, the registry's; not the broker's own
 * offsets and transaction bookkeeping, which other clients' group and transaction work moves); then no file the ledger or its
 * broker wrote (every topic's segments, every store), no log
 * line and no answer holds it. The routes that take secrets by design (verify, look up, sign, leak reports) are listed
 * here, and only they are spared.
 */
class SecretInEveryFieldTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RECEIVER = "guard-receiver-key";
    private static final String CREDENTIAL_CHANGE = "https://schemas.openid.net/secevent/caep/event-type/credential-change";
    private static final String ENV = "/v1/accounts/{account}/environments/{env}";

    /** The routes whose purpose is to take a secret in: it is hashed or used at the edge, never stored. */
    private static final Set<String> TAKE_SECRETS = Set.of("POST /v1/leaks", "POST /v1/secrets/lookup", "POST /v1/verify",
            "POST " + ENV + "/mac", "POST " + ENV + "/mac/verify", "POST /v1/macs");

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger(s -> s
            // Checkpoints every half second: the setup's records are signed before the refusals start, not amid them.
            .withAuditLog(TestLedger.externalAuditLog())
            .withDeliveries(new DeliveryPolicy(true, 2, Duration.ofMillis(100)))
            .withSignals(new Settings.Signals(Map.of("guard", RECEIVER), null, null)));

    @Test
    void aSecretInAnyFieldOfAnyRouteIsRefusedWritesNothingAndIsFoundNowhere() throws IOException {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        logs.start();
        root.addAppender(logs);
        Http http = LEDGER.http();
        OpenApiContract contract = OpenApiContract.fetch(http);
        String secret;
        List<String> answers = new ArrayList<>();
        Map<String, String> tried = new LinkedHashMap<>();
        try {
            secret = http.post("/v1/accounts/guard-a/environments/sandbox/api/enable", ADMIN, null).json()
                    .path("authToken").asText();
            String credentialId = http.post("/v1/accounts/guard-a/environments/sandbox/credentials", ADMIN,
                    "{\"name\":\"guard-cred\"}").json().path("credentialId").asText();
            String webhookId = http.post("/v1/accounts/guard-a/environments/sandbox/webhooks", ADMIN,
                    "{\"url\":\"http://127.0.0.1:9/hook\",\"events\":[\"credential.revoked\"]}").json().path("webhookId").asText();
            String streamId = http.post("/ssf/streams", RECEIVER, "{\"events_requested\":[\"" + CREDENTIAL_CHANGE
                    + "\"]}").json().path("stream_id").asText();
            Map<String, String> pathValues = Map.of("account", "guard-a", "env", "sandbox", "credentialId", credentialId,
                    "webhookId", webhookId, "streamId", streamId);
            Map<String, String> bases = bases(streamId);
            // Everything the setup caused (checkpoints, delivery state) written; then every refusal must write nothing.
            var before = TopicDump.settledEndOffsets(LEDGER.app().bootstrapServers(), Duration.ofSeconds(3));
            List<String> spellings = List.of(secret,
                    "https://receiver.example/cb?token=" + URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("_", "%5F"),
                    "note " + secret.substring(0, 4) + "\u200b" + secret.substring(4));

            Set<String> withBodies = new TreeSet<>();
            for (OpenApiContract.Operation op : contract.operations) {
                String route = op.method() + " " + op.path();
                String path = concrete(op.path(), pathValues);
                JsonNode schema = op.node().path("requestBody").path("content").path("application/json").path("schema");
                if (!schema.isMissingNode() && !TAKE_SECRETS.contains(route)) {
                    withBodies.add(route);
                    String base = bases.get(route);
                    assertThat(base).as("a valid body for %s (add it to bases())", route).isNotNull();
                    for (String field : strings(schema, "")) {
                        for (String spelling : spellings) {
                            JsonNode body = with(JSON.readTree(base), field, spelling);
                            Http.Response r = http.send(op.method(), path, key(route), body.toString());
                            tried.put(route + " " + field, r.status() + " " + r.json().path("code").asText());
                            assertThat(r.status()).as("%s with a secret in '%s': %s", route, field, r.raw()).isEqualTo(422);
                            assertThat(r.json().path("code").asText()).isEqualTo("SECRET_IN_INPUT");
                            answers.add(r.raw());
                        }
                    }
                }
                for (JsonNode parameter : op.node().path("parameters")) {
                    JsonNode p = parameter.has("$ref") ? contract.document.at(parameter.path("$ref").asText().substring(1))
                            : parameter;
                    if (p.path("in").asText().equals("query") && !route.startsWith("GET /internal/")) {
                        String q = path + "?" + p.path("name").asText() + "="
                                + URLEncoder.encode(spellings.get(1), StandardCharsets.UTF_8);
                        Http.Response r = http.send(op.method(), q, key(route), null);
                        tried.put(route + " ?" + p.path("name").asText(), Integer.toString(r.status()));
                        assertThat(r.status()).as("%s with a secret in ?%s: %s", route, p.path("name").asText(), r.raw())
                                .isEqualTo(422);
                        answers.add(r.raw());
                    }
                }
            }
            assertThat(bases.keySet()).as("every route with a body is checked").isEqualTo(withBodies);
            // Give a write that a refusal might have caused time to show, then compare every partition of every topic.
            assertThat(TopicDump.settledEndOffsets(LEDGER.app().bootstrapServers(), Duration.ofSeconds(2)))
                    .as("refused requests wrote nothing to any topic, changelogs and the registry's included").isEqualTo(before);
            assertThat(tried.keySet()).as("the stored free-text and URL fields the probe found").contains(
                    "POST /ssf/streams description", "POST /ssf/streams delivery.endpoint_url", "POST /ssf/status reason",
                    "POST /ssf/verify state", "POST " + ENV + "/webhooks url", "PATCH /ssf/streams description");
        } finally {
            root.detachAppender(logs);
        }
        System.out.println("[guard] " + tried.size() + " fields and parameters refused a secret: " + tried.keySet());

        // The part after the stored prefix: what would show if any spelling of the secret had been kept.
        String hidden = secret.substring(13);
        assertThat(answers).allSatisfy(a -> assertThat(a).doesNotContain(hidden));
        assertThat(logs.list).map(e -> e.getFormattedMessage()
                        + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy())))
                .allSatisfy(line -> assertThat(line).doesNotContain(hidden));
        assertThat(filesContaining(LEDGER.app().dataDir(), hidden)).as("files holding the secret").isEmpty();
    }

    /** A body each route accepts as input (its business outcome aside), keyed by {@code METHOD path}. */
    private static Map<String, String> bases(String streamId) {
        String stream = "\"stream_id\":\"" + streamId + "\"";
        Map<String, String> out = new LinkedHashMap<>();
        out.put("POST " + ENV + "/api/enable", "{}");
        out.put("POST " + ENV + "/api/refresh", "{\"reason\":\"ROUTINE\"}");
        out.put("POST " + ENV + "/api/disable", "{}");
        out.put("POST " + ENV + "/allowed-ips", "{\"cidr\":\"203.0.113.7/32\"}");
        out.put("POST " + ENV + "/credentials", "{\"name\":\"guard-two\",\"ttlSeconds\":86400,\"scopes\":[\"a:b\"]}");
        out.put("POST " + ENV + "/credentials/{credentialId}/deactivate", "{}");
        out.put("POST " + ENV + "/credentials/{credentialId}/activate", "{}");
        out.put("PUT /v1/accounts/{account}/plan", "{\"plan\":\"FREE\"}");
        out.put("PUT /v1/accounts/{account}/leak-policy", "{\"mode\":\"notify\"}");
        out.put("PUT /v1/accounts/{account}/credential-policy", "{\"maxAgeDays\":90,\"expiryWarningDays\":7,\"requireExpiry\":false}");
        out.put("PUT " + ENV + "/credentials/{credentialId}/scopes", "{\"scopes\":[\"reports:read\"]}");
        out.put("POST " + ENV + "/webhooks", "{\"url\":\"http://127.0.0.1:9/h\",\"events\":[\"credential.revoked\"]}");
        String config = "{\"events_requested\":[\"" + CREDENTIAL_CHANGE + "\"],\"description\":\"d\",\"delivery\":{"
                + "\"method\":\"urn:ietf:rfc:8935\",\"endpoint_url\":\"http://127.0.0.1:9/ssf\",\"authorization_header\":"
                + "\"Bearer x\"},\"change_types\":[\"revoke\"]";
        out.put("POST /ssf/streams", config + "}");
        out.put("PATCH /ssf/streams", config + "," + stream + "}");
        out.put("PUT /ssf/streams", config + "," + stream + "}");
        out.put("POST /ssf/status", "{" + stream + ",\"status\":\"enabled\",\"reason\":\"r\"}");
        out.put("POST /ssf/verify", "{" + stream + ",\"state\":\"s\"}");
        out.put("POST /ssf/streams/{streamId}/poll", "{\"returnImmediately\":true,\"ack\":[\"a\"]}");
        return out;
    }

    private static String key(String route) {
        return route.contains("/ssf/") ? RECEIVER : ADMIN;
    }

    /** The dotted path of every string in a schema: properties, nested objects, items of arrays ({@code [0]}). */
    private static List<String> strings(JsonNode schema, String at) {
        List<String> out = new ArrayList<>();
        switch (schema.path("type").asText()) {
            case "string" -> out.add(at);
            case "array" -> out.addAll(strings(schema.path("items"), at + "[0]"));
            case "object" -> schema.path("properties").fields().forEachRemaining(f ->
                    out.addAll(strings(f.getValue(), at.isEmpty() ? f.getKey() : at + "." + f.getKey())));
            default -> { }
        }
        return out;
    }

    /** {@code body} with {@code value} at {@code field}, the objects and arrays on the way made as needed. */
    private static JsonNode with(JsonNode body, String field, String value) {
        JsonNode root = body.isArray() ? body : body.deepCopy();
        String[] steps = field.split("\\.");
        JsonNode node = root;
        for (int i = 0; i < steps.length; i++) {
            String step = steps[i];
            boolean array = step.endsWith("[0]");
            String name = array ? step.substring(0, step.length() - 3) : step;
            boolean last = i == steps.length - 1;
            ObjectNode object = (ObjectNode) node;
            if (array) {
                ArrayNode items = object.putArray(name);
                node = last ? items.add(value) : items.addObject();
            } else if (last) {
                object.put(name, value);
            } else {
                node = object.has(name) && object.get(name).isObject() ? object.get(name) : object.putObject(name);
            }
        }
        return root;
    }

    private static String concrete(String template, Map<String, String> values) {
        String out = template;
        for (Map.Entry<String, String> v : values.entrySet()) {
            out = out.replace("{" + v.getKey() + "}", v.getValue());
        }
        return out;
    }

    private static List<String> filesContaining(Path dataDir, String text) throws IOException {
        List<String> found = new ArrayList<>();
        byte[] needle = text.getBytes(StandardCharsets.ISO_8859_1);
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                try {
                    if (new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)
                            .contains(new String(needle, StandardCharsets.ISO_8859_1))) {
                        found.add(file.toString());
                    }
                } catch (IOException e) {
                    // deleted while walking (a segment rolled, a store compacted)
                }
            }
        }
        return found;
    }
}
