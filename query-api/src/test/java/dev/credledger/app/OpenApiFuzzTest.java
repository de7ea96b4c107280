package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.SIGNER;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.credledger.api.Http;
import dev.credledger.processors.topology.Topics;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Requests generated from the OpenAPI document against the real server on an in-process broker: for every route,
 * valid, boundary and malformed values of every path and query parameter, header and body field, from several keys.
 * No answer is a 5xx; every answer's status is documented and its body matches the document (so every 4xx is a
 * problem); no body names a class or holds a stack trace; a refused request writes nothing to Kafka; the heap stays
 * bounded. {@code -Dcredledger.fuzz.requests=50000} for a longer run; {@code -Dcredledger.fuzz.seed=N} to repeat one.
 */
class OpenApiFuzzTest {

    private static final String RECEIVER = "fuzz-receiver-key";
    private static final String SCANNER = "fuzz-scanner-key";
    private static final int REQUESTS = Integer.getInteger("credledger.fuzz.requests", 5_000);
    private static final long SEED = Long.getLong("credledger.fuzz.seed", System.nanoTime());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger(s -> s
            .withSignals(new Settings.Signals(Map.of("fuzz-idp", RECEIVER), null, null))
            .withLeaks(new Settings.Leaks(SCANNER, null, true))
            .withVerifyFailures(new dev.credledger.api.verify.FailureLimiter.Limits(1_000_000, 1_000_000, 100_000))
            // Webhooks and push streams the fuzzer makes may name loopback (refused ports): never the internet.
            .withDeliveries(new dev.credledger.api.delivery.DeliveryPolicy(true, 1, Duration.ofMillis(100))));

    /** Strings that have broken parsers, routers, encoders and logs somewhere. */
    private static final List<String> NASTY = List.of("", " ", "-1", "0", "99999999999999999999", "1e309", "null", "true",
            "../../etc/passwd", "a".repeat(300), "\u00fc\u20ac\ud83d\ude00", "\u202e", "<script>alert(1)</script>",
            "' OR 1=1 --", "${jndi:ldap://127.0.0.1/x}", "%00", "\\", "\"", "{}", "[]", "NaN", "sandbox", "live",
            "clat_sbx_AAAA" + "B".repeat(30), "whsec_AAAA", "00000000-0000-0000-0000-000000000000", "2026-02-30T25:61:00Z",
            "10.0.0.0/33", "::ffff:127.0.0.1", "https://169.254.169.254/", "http://127.0.0.1:1/", "\t\n");

    @Test
    void generatedRequestsToEveryRouteGetDocumentedAnswersNever5xxNorAStackTraceAndRefusedOnesWriteNothing() throws Exception {
        Http http = LEDGER.http();
        OpenApiContract contract = OpenApiContract.fetch(http);
        Random random = new Random(SEED);
        // Something to act on: an account with API access, a client credential, a stream.
        http.post("/v1/accounts/fuzz/environments/sandbox/api/enable", ADMIN, null);
        String stream = http.post("/ssf/streams", RECEIVER, "{}").json().path("stream_id").asText();
        List<OpenApiContract.Operation> operations = contract.operations.stream()
                .filter(o -> !o.path().equals("/v1/revocations/stream")) // never ends: its refusals are in RevocationStreamTest
                .toList();
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        long heapBefore = runtime.totalMemory() - runtime.freeMemory();
        long commandsBefore = commandRecords();

        List<String> failures = new ArrayList<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        int refusedCommandRequests = 0;
        int commandRequestsThatMayWrite = 0;
        int sentCount = 0;
        long started = System.nanoTime();
        for (int i = 0; i < REQUESTS; i++) {
            OpenApiContract.Operation o = operations.get(random.nextInt(operations.size()));
            Generated g = generate(o, random, stream);
            Http.Response r;
            try {
                r = send(http, o, g);
            } catch (IllegalArgumentException e) {
                continue; // a request the HTTP client itself refuses to send (an illegal header value)
            } catch (AssertionError e) {
                // A pooled connection the server had just closed (after an early answer to an earlier request) can
                // fail a request before it is sent: sent again on a new connection, it must be answered.
                try {
                    r = send(new Http(LEDGER.app().httpUrl()), o, g);
                } catch (AssertionError again) {
                    failures.add("#" + i + " " + o.method() + " " + g.path() + " (seed " + SEED + "): no answer, twice ("
                            + again.getMessage() + "); key " + g.key() + ", headers " + List.of(g.headers())
                            + ", content type " + g.contentType() + ", body " + (g.body() == null ? "none"
                            : g.body().length() + " chars: " + g.body().substring(0, Math.min(200, g.body().length()))));
                    continue;
                }
            }
            statuses.merge(r.status(), 1, Integer::sum);
            sentCount++;
            String where = "#" + i + " " + o.method() + " " + g.path() + " (seed " + SEED + ")";
            if (r.status() >= 500) {
                failures.add(where + " -> " + r.status() + " " + r.raw());
            }
            String bare = g.path().contains("?") ? g.path().substring(0, g.path().indexOf('?')) : g.path();
            if (contract.match(o.method(), bare) == null) {
                // An empty or slash-holding segment: no route matches, and the router answers 404 (or 405).
                if (r.status() != 404 && r.status() != 405) {
                    failures.add(where + " matches no route, yet answered " + r.status());
                }
            } else {
                for (String problem : contract.check(o.method(), g.path(), r.status(), r.header("Content-Type"), r.raw())) {
                    failures.add(where + ": " + problem);
                }
            }
            if (r.status() >= 400 && !String.valueOf(r.header("Content-Type")).startsWith("application/problem+json")) {
                failures.add(where + " -> " + r.status() + " is not a problem: " + r.header("Content-Type"));
            }
            // Documents about the ledger, not answers from it: the metrics, the API description and the page that shows it.
            boolean document = o.path().equals("/metrics") || o.path().equals("/openapi.json") || o.path().startsWith("/docs")
                    || o.path().startsWith("/console");
            if (!document && leaksInternals(r.raw())) {
                failures.add(where + " -> the body names internals: " + r.raw());
            }
            if (writesCommands(o)) {
                boolean refusedAtTheEdge = r.status() >= 400 && !r.raw().contains("\"commandId\"");
                if (refusedAtTheEdge) {
                    refusedCommandRequests++;
                } else {
                    commandRequestsThatMayWrite++;
                }
            }
            if (failures.size() > 20) {
                break;
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long written = commandRecords() - commandsBefore;
        System.gc();
        long heapGrowthMb = (runtime.totalMemory() - runtime.freeMemory() - heapBefore) >> 20;
        System.out.printf("[fuzz] %d generated requests over %d routes in %.1f s (seed %d); statuses %s; %d command requests "
                        + "refused at the edge, %d that could write, %d commands written; heap growth %d MiB%n",
                sentCount, operations.size(), seconds, SEED, statuses, refusedCommandRequests, commandRequestsThatMayWrite,
                written, heapGrowthMb);

        assertThat(failures).isEmpty();
        assertThat(sentCount).as("requests sent").isGreaterThanOrEqualTo(REQUESTS * 9 / 10);
        assertThat(written).as("commands on Kafka: at most one per request that was not refused at the edge")
                .isLessThanOrEqualTo(commandRequestsThatMayWrite);
        assertThat(refusedCommandRequests).as("refused command requests tried").isGreaterThan(REQUESTS / 20);
        assertThat(heapGrowthMb).as("heap growth over the run, MiB").isLessThan(256);
    }

    private record Generated(String path, String key, String body, String contentType, String[] headers) {}

    /** A large body waits for the server's go-ahead: a server may refuse by the headers alone and close. */
    private static Http.Response send(Http http, OpenApiContract.Operation o, Generated g) {
        return g.body() != null && g.body().length() > 8_192
                ? http.sendExpectingContinue(o.method(), g.path(), g.key(), g.body(), g.contentType(), g.headers())
                : http.sendAs(o.method(), g.path(), g.key(), g.body(), g.contentType(), g.headers());
    }

    private static Generated generate(OpenApiContract.Operation o, Random random, String stream) {
        JsonNode node = o.node();
        String path = o.path();
        List<String> query = new ArrayList<>();
        List<String> headers = new ArrayList<>();
        for (JsonNode p : node.path("parameters")) {
            String name = p.path("name").asText();
            String where = p.path("in").asText();
            String value = value(p, random, stream);
            switch (where) {
                case "path" -> path = path.replace("{" + name + "}", pathSegment(value));
                case "query" -> {
                    if (random.nextInt(3) > 0) {
                        query.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
                    }
                }
                case "header" -> {
                    if (random.nextBoolean() && value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                        headers.add(name);
                        headers.add(value);
                    }
                }
                default -> { }
            }
        }
        if (random.nextInt(10) == 0) {
            query.add("extra=" + URLEncoder.encode(pick(NASTY, random), StandardCharsets.UTF_8));
        }
        if (!query.isEmpty()) {
            path += "?" + String.join("&", query);
        }
        String key = switch (random.nextInt(12)) {
            case 0 -> null;
            case 1 -> "not-a-key-" + random.nextInt(1000);
            case 2 -> pick(List.of(ADMIN, AUDITOR, VERIFIER, SIGNER, SCANNER, RECEIVER), random);
            default -> keyFor(node);
        };
        String body = null;
        String contentType = "application/json";
        JsonNode schema = node.path("requestBody").path("content").path("application/json").path("schema");
        if (!schema.isMissingNode() || random.nextInt(8) == 0) {
            body = switch (random.nextInt(10)) {
                case 0 -> pick(List.of("{", "not json", "[]", "\"text\"", "42", "{\"a\":1,\"a\":2}", "{\"x\":" + "[".repeat(500)), random);
                case 1 -> "{\"padding\":\"" + "x".repeat(70_000) + "\"}";
                case 2 -> {
                    contentType = pick(List.of("text/plain", "application/xml", "application/x-www-form-urlencoded"), random);
                    yield "a=b";
                }
                default -> JSON.valueToTree(instance(schema.isMissingNode() ? NODES.objectNode() : schema, random, stream, 0)).toString();
            };
        }
        return new Generated(path, key, body, contentType, headers.toArray(String[]::new));
    }

    /** A value for a schema: valid most of the time, otherwise the wrong type, a boundary or a nasty string. */
    private static JsonNode instance(JsonNode schema, Random random, String stream, int depth) {
        int roll = random.nextInt(10);
        if (roll == 0) {
            return NODES.textNode(pick(NASTY, random));
        }
        if (roll == 1) {
            return pick(List.<JsonNode>of(NODES.nullNode(), NODES.numberNode(-1), NODES.numberNode(Long.MAX_VALUE),
                    NODES.booleanNode(true), NODES.arrayNode(), NODES.objectNode(), NODES.numberNode(1.5)), random);
        }
        if (schema.has("enum")) {
            return schema.get("enum").get(random.nextInt(schema.get("enum").size()));
        }
        String type = schema.path("type").isTextual() ? schema.path("type").asText() : "object";
        switch (type) {
            case "integer" -> {
                return NODES.numberNode(pick(List.of(0L, 1L, 10L, 3600L, -5L, 1001L, 86_400L * 400), random));
            }
            case "boolean" -> {
                return NODES.booleanNode(random.nextBoolean());
            }
            case "array" -> {
                ArrayNode out = NODES.arrayNode();
                int n = depth > 2 ? 0 : random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    out.add(instance(schema.path("items"), random, stream, depth + 1));
                }
                return out;
            }
            case "object" -> {
                ObjectNode out = NODES.objectNode();
                schema.path("properties").fields().forEachRemaining(f -> {
                    boolean required = false;
                    for (JsonNode r : schema.path("required")) {
                        required |= r.asText().equals(f.getKey());
                    }
                    if ((required && random.nextInt(8) > 0) || random.nextBoolean()) {
                        out.set(f.getKey(), depth > 3 ? NODES.nullNode() : instance(f.getValue(), random, stream, depth + 1));
                    }
                });
                if (random.nextInt(8) == 0) {
                    out.put("unknownField", 1);
                }
                return out;
            }
            default -> {
                return NODES.textNode(text(random, stream));
            }
        }
    }

    private static String text(Random random, String stream) {
        return pick(List.of("ci-service", "10.1.2.0/24", "192.0.2.7", "COMPROMISED", "ROUTINE", "http://127.0.0.1:9/hook",
                "hello", "sandbox", stream, "credential.revoked", "aGVsbG8=", "ab".repeat(20), pick(NASTY, random)), random);
    }

    private static String value(JsonNode parameter, Random random, String stream) {
        if (parameter.has("example") && random.nextInt(3) > 0) {
            String example = parameter.get("example").asText();
            return parameter.path("name").asText().toLowerCase(Locale.ROOT).contains("stream") ? stream : example;
        }
        JsonNode v = instance(parameter.path("schema"), random, stream, 0);
        return v.isTextual() ? v.asText() : v.toString();
    }

    private static String pathSegment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String keyFor(JsonNode operation) {
        String role = operation.path("x-credledger-roles").path(0).asText("public");
        return switch (role) {
            case "auditor" -> AUDITOR;
            case "verifier" -> VERIFIER;
            case "signer" -> SIGNER;
            case "scanner" -> SCANNER;
            case "receiver" -> RECEIVER;
            case "public" -> null;
            default -> ADMIN;
        };
    }

    /**
     * The operations that may put a command on Kafka: the commands, leak reports, and the webhook and Shared Signals
     * changes that are recorded in the audit trail (create, rotate, update, status, delete).
     */
    private static boolean writesCommands(OpenApiContract.Operation o) {
        String tag = o.node().path("tags").path(0).asText();
        boolean changes = !o.method().equals("GET") && !o.method().equals("HEAD");
        return tag.equals("commands") || (tag.equals("leaks") && changes)
                || (tag.equals("webhooks") && changes)
                || (tag.equals("signals") && changes && !o.path().endsWith("/poll") && !o.path().equals("/ssf/verify"));
    }

    private static boolean leaksInternals(String body) {
        return body.contains("Exception") || body.contains("\tat ") || body.contains("java.") || body.contains("dev.credledger")
                || body.contains("org.apache") || body.contains("com.fasterxml") || body.contains("io.javalin")
                || body.contains("org.eclipse");
    }

    /** Records on credential-commands now (the sum of its end offsets). */
    private static long commandRecords() {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
                LEDGER.app().bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.COMMANDS, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(Topics.COMMANDS, p.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static <T> T pick(List<T> values, Random random) {
        return values.get(random.nextInt(values.size()));
    }
}
