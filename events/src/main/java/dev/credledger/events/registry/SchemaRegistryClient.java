package dev.credledger.events.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * Talks to a Confluent-compatible schema registry over its REST API.
 *
 * <p>Schemas by ID are immutable, so they are cached for good; so is the ID of a schema registered (or
 * looked up) under a subject. Registration is idempotent on the registry's side: the same schema under
 * the same subject always gets the same ID. Thread-safe.
 */
public final class SchemaRegistryClient {

    /** Confluent's content type, as its documentation asks clients to send and accept. */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    /**
     * How to reach the registry.
     *
     * @param baseUrl for example {@code http://127.0.0.1:8081}
     * @param basicAuthUserInfo {@code user:password} for HTTP basic auth, or {@code null}
     * @param sslContext for {@code https} with a private CA or client certificate, or {@code null} for the JDK default
     * @param requestTimeout per request
     */
    public record Settings(URI baseUrl, String basicAuthUserInfo, SSLContext sslContext, Duration requestTimeout) {
        public Settings {
            Objects.requireNonNull(baseUrl, "baseUrl");
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            String s = baseUrl.toString();
            if (s.endsWith("/")) {
                baseUrl = URI.create(s.substring(0, s.length() - 1));
            }
        }

        public static Settings of(String baseUrl) {
            return new Settings(URI.create(baseUrl), null, null, Duration.ofSeconds(10));
        }

        @Override
        public String toString() {
            return "Settings[baseUrl=" + baseUrl + ", basicAuth=" + (basicAuthUserInfo != null) + "]";
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Settings settings;
    private final HttpClient http;
    private final String authorization;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    /** Keyed by the schema object: Avro caches its hash and compares identical instances by reference. */
    private final Map<SubjectSchema, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {}

    public SchemaRegistryClient(Settings settings) {
        this.settings = settings;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(settings.requestTimeout());
        if (settings.sslContext() != null) {
            builder.sslContext(settings.sslContext());
        }
        this.http = builder.build();
        this.authorization = settings.basicAuthUserInfo() == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString(settings.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8));
    }

    public URI baseUrl() {
        return settings.baseUrl();
    }

    /** Registers {@code schema} under {@code subject} and returns its ID; the same ID again for the same schema. */
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(subject, schema);
        Integer cached = idsBySubjectAndSchema.get(key);
        if (cached != null) {
            return cached;
        }
        ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
        JsonNode response = send("POST", "/subjects/" + encode(subject) + "/versions", body,
                "registering a schema under subject '" + subject + "'");
        int id = response.path("id").asInt();
        idsBySubjectAndSchema.put(key, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    /** The schema with this ID; fetched once, then served from the cache. */
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode response = send("GET", "/schemas/ids/" + id, null, "fetching schema ID " + id);
        Schema schema = parse(response.path("schema").asText(), "schema ID " + id);
        Schema previous = schemasById.putIfAbsent(id, schema);
        return previous == null ? schema : previous;
    }

    /** The latest version of a subject. */
    public RegisteredSchema latest(String subject) {
        return version(subject, "latest");
    }

    /** A given version ({@code 1, 2, ...} or {@code latest}) of a subject. */
    public RegisteredSchema version(String subject, String version) {
        JsonNode r = send("GET", "/subjects/" + encode(subject) + "/versions/" + encode(version), null,
                "reading subject '" + subject + "' version " + version);
        return registered(r, subject);
    }

    /** The version of {@code schema} under {@code subject}: 40401 or 40403 if it is not registered there. */
    public RegisteredSchema lookup(String subject, Schema schema) {
        ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
        JsonNode r = send("POST", "/subjects/" + encode(subject), body,
                "looking up a schema under subject '" + subject + "'");
        return registered(r, subject);
    }

    /** Whether {@code schema} may be registered next under {@code subject}, by the subject's compatibility level. */
    public boolean isCompatible(String subject, Schema schema) {
        return isCompatible(subject, schema, "latest");
    }

    /** Whether {@code schema} is compatible with the given version of {@code subject}. */
    public boolean isCompatible(String subject, Schema schema, String version) {
        ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
        JsonNode r = send("POST", "/compatibility/subjects/" + encode(subject) + "/versions/" + encode(version), body,
                "checking compatibility with subject '" + subject + "' version " + version);
        return r.path("is_compatible").asBoolean();
    }

    /** Sets the compatibility level of one subject ({@code null}: the global default). */
    public CompatibilityLevel setCompatibility(String subject, CompatibilityLevel level) {
        ObjectNode body = JSON.createObjectNode().put("compatibility", level.name());
        JsonNode r = send("PUT", configPath(subject), body, "setting the compatibility of " + describe(subject));
        return CompatibilityLevel.valueOf(r.path("compatibility").asText());
    }

    /** The compatibility level of one subject ({@code null}: the global default). */
    public CompatibilityLevel compatibility(String subject) {
        JsonNode r = send("GET", configPath(subject), null, "reading the compatibility of " + describe(subject));
        return CompatibilityLevel.valueOf(r.path("compatibilityLevel").asText());
    }

    /** Every subject. */
    public List<String> subjects() {
        List<String> out = new ArrayList<>();
        send("GET", "/subjects", null, "listing subjects").forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The versions of a subject, oldest first. */
    public List<Integer> versions(String subject) {
        List<Integer> out = new ArrayList<>();
        send("GET", "/subjects/" + encode(subject) + "/versions", null, "listing versions of subject '" + subject + "'")
                .forEach(n -> out.add(n.asInt()));
        return out;
    }

    private RegisteredSchema registered(JsonNode r, String subject) {
        int id = r.path("id").asInt();
        Schema schema = parse(r.path("schema").asText(), "subject '" + subject + "'");
        schemasById.putIfAbsent(id, schema);
        return new RegisteredSchema(r.path("subject").asText(subject), r.path("version").asInt(), id, schema);
    }

    private JsonNode send(String method, String path, JsonNode body, String what) {
        URI uri = URI.create(settings.baseUrl() + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(settings.requestTimeout())
                .header("Accept", CONTENT_TYPE)
                .method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", CONTENT_TYPE);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SchemaRegistryException.Unreachable(
                    "Schema registry at " + settings.baseUrl() + " is unreachable while " + what + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException.Unreachable("Interrupted while " + what, e);
        }
        JsonNode json = readJson(response.body());
        if (response.statusCode() / 100 == 2) {
            return json;
        }
        throw failure(response.statusCode(), json, what);
    }

    private SchemaRegistryException failure(int status, JsonNode json, String what) {
        int code = json.path("error_code").asInt(status);
        String message = "Schema registry at " + settings.baseUrl() + " refused " + what + ": HTTP " + status
                + ", error " + code + ": " + json.path("message").asText("(no message)");
        return switch (code) {
            case 40401 -> new SchemaRegistryException.SubjectNotFound(message, status, code);
            case 40402 -> new SchemaRegistryException.VersionNotFound(message, status, code);
            case 40403 -> new SchemaRegistryException.SchemaNotFound(message, status, code);
            case 409 -> new SchemaRegistryException.IncompatibleSchema(message, status, code);
            case 42201 -> new SchemaRegistryException.InvalidSchema(message, status, code);
            default -> new SchemaRegistryException(message, status, code);
        };
    }

    private static JsonNode readJson(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            // A proxy's HTML error page, for instance: keep the status, drop the body.
            return JSON.createObjectNode();
        }
    }

    private static Schema parse(String text, String what) {
        try {
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException("The registry returned an unparseable schema for " + what + ": "
                    + e.getMessage(), e);
        }
    }

    private static String configPath(String subject) {
        return subject == null ? "/config" : "/config/" + encode(subject);
    }

    private static String describe(String subject) {
        return subject == null ? "the global config" : "subject '" + subject + "'";
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
