package dev.credledger.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.credledger.api.Http;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The ledger's OpenAPI document as the tests use it: its operations, and answers checked against it with an
 * independent JSON Schema 2020-12 validator (networknt), the dialect of OpenAPI 3.1. A schema fragment is validated
 * as a {@code $ref} into the whole document, so its references resolve as in the document.
 */
final class OpenApiContract {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    /** One documented operation. */
    record Operation(String method, String path, Pattern pattern, JsonNode node) {}

    final JsonNode document;
    final List<Operation> operations = new ArrayList<>();
    private final java.util.Map<String, Schema> compiled = new java.util.concurrent.ConcurrentHashMap<>();

    OpenApiContract(JsonNode document) {
        this.document = document;
        document.path("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(m -> operations.add(
                new Operation(m.getKey().toUpperCase(Locale.ROOT), p.getKey(),
                        Pattern.compile("^" + p.getKey().replaceAll("\\{[^}]+}", "[^/]+").replace(".", "\\.") + "$"),
                        m.getValue()))));
    }

    static OpenApiContract fetch(Http http) {
        Http.Response r = http.get("/openapi.json", null);
        if (r.status() != 200) {
            throw new AssertionError("GET /openapi.json: " + r.status());
        }
        return new OpenApiContract(r.json());
    }

    /** {@code METHOD path} of every operation. */
    Set<String> routes() {
        Set<String> out = new LinkedHashSet<>();
        operations.forEach(o -> out.add(o.method() + " " + o.path()));
        return out;
    }

    /** The operation a concrete request matches (a literal path wins over a template), or {@code null}. */
    Operation match(String method, String path) {
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1); // the router ignores a trailing slash
        }
        Operation best = null;
        for (Operation o : operations) {
            if (o.method().equals(method) && o.pattern().matcher(path).matches()
                    && (best == null || braces(o.path()) < braces(best.path()))) {
                best = o;
            }
        }
        return best;
    }

    private static int braces(String path) {
        return path.length() - path.replace("{", "").length();
    }

    /** What is wrong with an answer by the document: an undocumented status, or a body off its schema; empty if none. */
    List<String> check(String method, String path, int status, String contentType, String body) {
        Operation o = match(method, path.contains("?") ? path.substring(0, path.indexOf('?')) : path);
        if (o == null) {
            return List.of("no documented operation for " + method + " " + path);
        }
        JsonNode response = o.node().path("responses").path(Integer.toString(status));
        String pointer = "/paths/" + escape(o.path()) + "/" + o.method().toLowerCase(Locale.ROOT) + "/responses/" + status;
        if (response.isMissingNode()) {
            return List.of(method + " " + o.path() + " answered " + status + ", which is not documented");
        }
        if (response.has("$ref")) {
            pointer = response.path("$ref").asText().substring(1);
            response = document.at(pointer);
        }
        JsonNode content = response.path("content");
        if (content.isMissingNode() || body == null || body.isEmpty()) {
            return List.of();
        }
        String type = contentType == null ? "" : contentType.split(";")[0].strip();
        if (!content.has(type)) {
            return List.of(method + " " + o.path() + " " + status + " answered " + type + ", documented " + names(content));
        }
        if (!content.path(type).has("schema") || !type.contains("json")) {
            return List.of();
        }
        try {
            return validate(pointer + "/content/" + escape(type) + "/schema", JSON.readTree(body));
        } catch (java.io.IOException e) {
            return List.of(method + " " + o.path() + " " + status + ": the body is not JSON");
        }
    }

    /** Validates {@code instance} against the schema at {@code pointer} (a JSON pointer into the document). */
    List<String> validate(String pointer, JsonNode instance) {
        Schema schema = compiled.computeIfAbsent(pointer, p -> {
            ObjectNode root = document.deepCopy();
            root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
            root.put("$ref", "#" + p);
            return SCHEMAS.getSchema(root);
        });
        return schema.validate(instance).stream().map(e -> pointer + ": " + e.getMessage()).toList();
    }

    static String escape(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }

    private static String names(JsonNode node) {
        List<String> out = new ArrayList<>();
        Iterator<String> names = node.fieldNames();
        names.forEachRemaining(out::add);
        return out.toString();
    }

}
