package dev.credledger.events.registry.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.credledger.events.registry.CompatibilityLevel;
import dev.credledger.events.registry.SchemaRegistryClient;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the Confluent Schema Registry REST API for Avro over HTTP, backed by {@link KafkaSchemaStore}.
 *
 * <p>Enough of the API for producers, consumers and tools to work unchanged: subjects and versions,
 * registration and lookup, schemas by ID, compatibility checks and configuration; errors carry
 * Confluent's {@code error_code}s. Not served: deletes, modes, contexts, references, non-Avro types.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

    /**
     * Where to listen and where to keep the schemas.
     *
     * @param host interface to bind, normally {@code 127.0.0.1}
     * @param port HTTP port; 0 for any free port
     * @param bootstrapServers the Kafka cluster that holds the schema topic
     * @param topic the compacted topic, by default {@code _credledger_schemas}
     * @param replicationFactor of the topic when it has to be created
     * @param writeKey the key registrations and configuration changes must present ({@link WriteKey}), or
     *     {@code null} to leave writes open (tests that stand in for an external registry)
     */
    public record Settings(String host, int port, String bootstrapServers, String topic, short replicationFactor,
                           String writeKey, java.util.Map<String, String> kafkaProperties) {
        public static final String DEFAULT_TOPIC = "_credledger_schemas";

        public Settings {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(topic, "topic");
            kafkaProperties = java.util.Map.copyOf(kafkaProperties);
        }

        /** Without Kafka client properties (a plaintext cluster). */
        public Settings(String host, int port, String bootstrapServers, String topic, short replicationFactor, String writeKey) {
            this(host, port, bootstrapServers, topic, replicationFactor, writeKey, java.util.Map.of());
        }

        public static Settings local(String bootstrapServers, int port) {
            return new Settings("127.0.0.1", port, bootstrapServers, DEFAULT_TOPIC, (short) 1, null);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaSchemaStore store;
    private final Javalin server;

    private EmbeddedSchemaRegistry(KafkaSchemaStore store, Javalin server) {
        this.store = store;
        this.server = server;
    }

    /** Loads the schema topic, then starts serving; returns once the port is open. */
    public static EmbeddedSchemaRegistry start(Settings settings) {
        KafkaSchemaStore store = KafkaSchemaStore.open(
                settings.bootstrapServers(), settings.kafkaProperties(), settings.topic(), settings.replicationFactor());
        try {
            Routes routes = new Routes(store, settings.writeKey() == null ? null : new WriteKey(settings.writeKey()));
            Javalin server = Javalin.create(config -> {
                config.startup.showJavalinBanner = false;
                config.jetty.host = settings.host();
                config.jetty.port = settings.port();
                routes.register(config.routes);
            }).start();
            EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(store, server);
            LOG.info("Schema registry listening on {} (schemas in topic {})", registry.url(), settings.topic());
            return registry;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** The base URL clients use, {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
        store.close();
    }

    /** The REST resources; one method per endpoint. */
    private record Routes(KafkaSchemaStore store, WriteKey writeKey) {

        void register(io.javalin.config.RoutesConfig r) {
            if (writeKey != null) {
                r.before(ctx -> {
                    if (changesState(ctx) && !writeKey.admits(ctx.header("Authorization"))) {
                        ctx.header("WWW-Authenticate", "Basic realm=\"credledger-schema-registry\"");
                        throw new RegistryError(401, 40101, "Unauthorized: registering schemas and changing "
                                + "compatibility need the admin key");
                    }
                });
            }
            r.get("/", ctx -> reply(ctx, JSON.createObjectNode()));
            r.get("/subjects", ctx -> reply(ctx, array(store.subjectNames())));
            r.get("/subjects/{subject}/versions", this::listVersions);
            r.get("/subjects/{subject}/versions/{version}", ctx -> reply(ctx, describe(version(ctx))));
            r.get("/subjects/{subject}/versions/{version}/schema", ctx -> raw(ctx, version(ctx).schema().toString()));
            r.post("/subjects/{subject}/versions", this::registerSchema);
            r.post("/subjects/{subject}", this::lookup);
            r.get("/schemas/ids/{id}", this::schemaById);
            r.post("/compatibility/subjects/{subject}/versions/{version}", this::checkOne);
            r.post("/compatibility/subjects/{subject}/versions", this::checkAll);
            r.get("/config", ctx -> reply(ctx, level("compatibilityLevel", store.globalLevel())));
            r.put("/config", ctx -> setLevel(ctx, null));
            r.get("/config/{subject}", this::subjectLevel);
            r.put("/config/{subject}", ctx -> setLevel(ctx, ctx.pathParam("subject")));
            r.exception(RegistryError.class, (e, ctx) -> error(ctx, e.status(), e.code(), e.getMessage()));
            r.exception(Exception.class, (e, ctx) -> {
                LOG.error("Schema registry request {} {} failed", ctx.method(), ctx.path(), e);
                error(ctx, 500, 50001, "Error in the backend data store");
            });
        }

        /** Registration and configuration change state; lookups and compatibility checks are reads sent by POST. */
        private static boolean changesState(Context ctx) {
            String method = ctx.method().name();
            return method.equals("PUT") || method.equals("DELETE")
                    || (method.equals("POST") && ctx.path().matches("/subjects/[^/]+/versions/?"));
        }

        private void listVersions(Context ctx) {
            List<KafkaSchemaStore.Version> versions = existingVersions(ctx.pathParam("subject"));
            ArrayNode out = JSON.createArrayNode();
            versions.forEach(v -> out.add(v.version()));
            reply(ctx, out);
        }

        private void registerSchema(Context ctx) {
            Schema schema = schemaFrom(ctx);
            KafkaSchemaStore.Version v = store.register(ctx.pathParam("subject"), schema);
            reply(ctx, JSON.createObjectNode().put("id", v.id()));
        }

        private void lookup(Context ctx) {
            String subject = ctx.pathParam("subject");
            Schema schema = schemaFrom(ctx);
            existingVersions(subject);
            KafkaSchemaStore.Version v = store.find(subject, schema)
                    .orElseThrow(() -> RegistryError.schemaNotFound("Schema not found under subject '" + subject + "'."));
            reply(ctx, describe(v));
        }

        private void schemaById(Context ctx) {
            int id = parseInt(ctx.pathParam("id"), RegistryError.SCHEMA_NOT_FOUND, "schema ID");
            Schema schema = store.schemaById(id)
                    .orElseThrow(() -> RegistryError.schemaNotFound("Schema " + id + " not found."));
            reply(ctx, JSON.createObjectNode().put("schema", schema.toString()));
        }

        private void checkOne(Context ctx) {
            String subject = ctx.pathParam("subject");
            Schema schema = schemaFrom(ctx);
            List<Schema> against;
            if (store.versions(subject).isEmpty() && isLatest(ctx.pathParam("version"))) {
                // Like Confluent (since 7.x): nothing registered yet means nothing to be incompatible with.
                against = List.of();
            } else {
                against = List.of(version(ctx).schema());
            }
            compatibilityAnswer(ctx, subject, schema, against, false);
        }

        private void checkAll(Context ctx) {
            String subject = ctx.pathParam("subject");
            Schema schema = schemaFrom(ctx);
            List<Schema> against = store.versions(subject).stream().map(KafkaSchemaStore.Version::schema).toList();
            compatibilityAnswer(ctx, subject, schema, against, true);
        }

        private void compatibilityAnswer(Context ctx, String subject, Schema schema, List<Schema> against, boolean all) {
            CompatibilityLevel level = store.effectiveLevel(subject);
            List<String> problems = Compatibility.problems(all ? level : nonTransitive(level), schema, against);
            ObjectNode out = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
            if ("true".equals(ctx.queryParam("verbose"))) {
                out.set("messages", array(problems));
            }
            reply(ctx, out);
        }

        private void subjectLevel(Context ctx) {
            String subject = ctx.pathParam("subject");
            CompatibilityLevel level = store.subjectLevel(subject).orElseGet(() -> {
                if ("true".equals(ctx.queryParam("defaultToGlobal"))) {
                    return store.globalLevel();
                }
                throw new RegistryError(404, RegistryError.SUBJECT_COMPATIBILITY_NOT_CONFIGURED,
                        "Subject '" + subject + "' does not have subject-level compatibility configured");
            });
            reply(ctx, level("compatibilityLevel", level));
        }

        private void setLevel(Context ctx, String subject) {
            JsonNode body = body(ctx);
            String requested = body.path("compatibility").asText("");
            CompatibilityLevel level;
            try {
                level = CompatibilityLevel.valueOf(requested);
            } catch (IllegalArgumentException e) {
                throw new RegistryError(422, RegistryError.INVALID_COMPATIBILITY_LEVEL,
                        "Invalid compatibility level. Valid values are none, backward, forward, full, "
                                + "backward_transitive, forward_transitive, and full_transitive");
            }
            store.setLevel(subject, level);
            reply(ctx, level("compatibility", level));
        }

        private KafkaSchemaStore.Version version(Context ctx) {
            String subject = ctx.pathParam("subject");
            String requested = ctx.pathParam("version");
            List<KafkaSchemaStore.Version> versions = existingVersions(subject);
            if (isLatest(requested)) {
                return versions.getLast();
            }
            int number = parseInt(requested, RegistryError.INVALID_VERSION, "version");
            if (number < 1) {
                throw invalidVersion(requested);
            }
            return versions.stream().filter(v -> v.version() == number).findFirst()
                    .orElseThrow(() -> RegistryError.versionNotFound(subject, requested));
        }

        private List<KafkaSchemaStore.Version> existingVersions(String subject) {
            List<KafkaSchemaStore.Version> versions = store.versions(subject);
            if (versions.isEmpty()) {
                throw RegistryError.subjectNotFound(subject);
            }
            return versions;
        }

        private static Schema schemaFrom(Context ctx) {
            JsonNode body = body(ctx);
            String type = body.path("schemaType").asText("AVRO");
            if (!"AVRO".equals(type)) {
                throw RegistryError.invalidSchema("this registry serves Avro schemas only, not " + type);
            }
            if (body.path("references").size() > 0) {
                throw RegistryError.invalidSchema("schema references are not supported by this registry");
            }
            JsonNode text = body.get("schema");
            if (text == null || !text.isTextual()) {
                throw RegistryError.invalidSchema("the request body needs a string field 'schema'");
            }
            try {
                return new Schema.Parser().parse(text.asText());
            } catch (SchemaParseException | NullPointerException e) {
                throw RegistryError.invalidSchema(String.valueOf(e.getMessage()));
            }
        }

        private static JsonNode body(Context ctx) {
            try {
                JsonNode node = JSON.readTree(ctx.body());
                if (node == null || !node.isObject()) {
                    throw new RegistryError(400, 400, "The request body must be a JSON object");
                }
                return node;
            } catch (JsonProcessingException e) {
                throw new RegistryError(400, 400, "Malformed JSON: " + e.getOriginalMessage());
            }
        }

        private static ObjectNode describe(KafkaSchemaStore.Version v) {
            return JSON.createObjectNode().put("subject", v.subject()).put("version", v.version())
                    .put("id", v.id()).put("schema", v.schema().toString());
        }

        private static ObjectNode level(String field, CompatibilityLevel level) {
            return JSON.createObjectNode().put(field, level.name());
        }

        private static ArrayNode array(List<String> values) {
            ArrayNode out = JSON.createArrayNode();
            values.forEach(out::add);
            return out;
        }

        private static boolean isLatest(String version) {
            return "latest".equals(version) || "-1".equals(version);
        }

        private static CompatibilityLevel nonTransitive(CompatibilityLevel level) {
            return switch (level) {
                case BACKWARD_TRANSITIVE -> CompatibilityLevel.BACKWARD;
                case FORWARD_TRANSITIVE -> CompatibilityLevel.FORWARD;
                case FULL_TRANSITIVE -> CompatibilityLevel.FULL;
                default -> level;
            };
        }

        private static int parseInt(String value, int errorCode, String what) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                if (errorCode == RegistryError.INVALID_VERSION) {
                    throw invalidVersion(value);
                }
                throw new RegistryError(404, errorCode, "Invalid " + what + " '" + value + "'");
            }
        }

        private static RegistryError invalidVersion(String value) {
            return new RegistryError(422, RegistryError.INVALID_VERSION, "The specified version '" + value
                    + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
        }

        private static void reply(Context ctx, JsonNode body) {
            ctx.status(200).contentType(SchemaRegistryClient.CONTENT_TYPE).result(body.toString());
        }

        private static void raw(Context ctx, String schema) {
            ctx.status(200).contentType(SchemaRegistryClient.CONTENT_TYPE).result(schema);
        }

        private static void error(Context ctx, int status, int code, String message) {
            ObjectNode body = JSON.createObjectNode().put("error_code", code).put("message", message);
            ctx.status(status).contentType(SchemaRegistryClient.CONTENT_TYPE).result(body.toString());
        }
    }
}
