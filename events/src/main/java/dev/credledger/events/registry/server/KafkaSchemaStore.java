package dev.credledger.events.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.credledger.events.registry.CompatibilityLevel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The registry's state, kept in a compacted single-partition Kafka topic (Confluent keeps its own in
 * {@code _schemas} the same way) and mirrored in memory.
 *
 * <p>One writer at a time: the store writes through a transactional producer, so a second store that
 * opens the same topic fences the first, whose next write then fails instead of handing out an ID twice.
 * On open it reads the topic to its end, so IDs and versions survive a restart and a new ID is always
 * above every ID ever written. The same schema text gets the same ID under every subject.
 */
final class KafkaSchemaStore implements AutoCloseable {

    record Version(String subject, int version, int id, Schema schema) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

    private final String topic;
    private final KafkaProducer<String, String> producer;
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, Integer> idsBySchemaText = new HashMap<>();
    private final Map<String, List<Version>> subjects = new TreeMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;

    private KafkaSchemaStore(String topic, KafkaProducer<String, String> producer) {
        this.topic = topic;
        this.producer = producer;
    }

    /** Creates the topic if missing, fences any earlier writer, and loads everything written so far. */
    static KafkaSchemaStore open(String bootstrapServers, String topic, short replicationFactor) {
        return open(bootstrapServers, Map.of(), topic, replicationFactor);
    }

    /**
     * As above, every Kafka client with the deployment's client properties ({@code clientProperties}: security and the
     * like) under the store's own settings.
     */
    static KafkaSchemaStore open(String bootstrapServers, Map<String, String> clientProperties, String topic,
            short replicationFactor) {
        java.util.function.Function<Map<String, Object>, Map<String, Object>> config = own -> {
            Map<String, Object> all = new java.util.HashMap<>(clientProperties);
            all.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            all.putAll(own);
            return all;
        };
        createTopicIfMissing(config.apply(Map.of()), topic, replicationFactor);
        KafkaProducer<String, String> producer = new KafkaProducer<>(config.apply(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "credledger-schema-registry-" + topic,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0)),
                new StringSerializer(), new StringSerializer());
        try {
            producer.initTransactions();
            KafkaSchemaStore store = new KafkaSchemaStore(topic, producer);
            store.load(config.apply(Map.of(
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)));
            return store;
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    synchronized Optional<Schema> schemaById(int id) {
        return Optional.ofNullable(schemasById.get(id));
    }

    synchronized List<String> subjectNames() {
        return List.copyOf(subjects.keySet());
    }

    synchronized List<Version> versions(String subject) {
        return List.copyOf(subjects.getOrDefault(subject, List.of()));
    }

    synchronized Optional<Version> find(String subject, Schema schema) {
        String text = schema.toString();
        return subjects.getOrDefault(subject, List.of()).stream()
                .filter(v -> v.schema().toString().equals(text))
                .findFirst();
    }

    synchronized CompatibilityLevel globalLevel() {
        return globalLevel;
    }

    synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    synchronized CompatibilityLevel effectiveLevel(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    /**
     * Registers {@code schema} under {@code subject}: the existing version if it is already there,
     * else a new version, after the compatibility check. Durable in Kafka before it returns.
     */
    synchronized Version register(String subject, Schema schema) {
        Optional<Version> existing = find(subject, schema);
        if (existing.isPresent()) {
            return existing.get();
        }
        List<Version> versions = subjects.getOrDefault(subject, List.of());
        List<String> problems = Compatibility.problems(
                effectiveLevel(subject), schema, versions.stream().map(Version::schema).toList());
        if (!problems.isEmpty()) {
            throw new RegistryError(409, RegistryError.INCOMPATIBLE_SCHEMA,
                    "Schema being registered is incompatible with an earlier schema for subject '" + subject
                            + "' (compatibility " + effectiveLevel(subject) + "): " + String.join("; ", problems));
        }
        String text = schema.toString();
        int id = idsBySchemaText.computeIfAbsent(text, t -> schemasById.keySet().stream()
                .mapToInt(Integer::intValue).max().orElse(0) + 1);
        Version version = new Version(subject, versions.isEmpty() ? 1 : versions.getLast().version() + 1, id, schema);
        ObjectNode key = JSON.createObjectNode().put("keytype", "SCHEMA").put("subject", subject)
                .put("version", version.version());
        ObjectNode value = JSON.createObjectNode().put("subject", subject).put("version", version.version())
                .put("id", id).put("schema", text);
        try {
            write(key, value);
        } catch (RuntimeException e) {
            if (!schemasById.containsKey(id)) {
                idsBySchemaText.remove(text);
            }
            throw e;
        }
        apply(key, value);
        return version;
    }

    /** Sets the compatibility level of a subject, or the global one when {@code subject} is null. */
    synchronized void setLevel(String subject, CompatibilityLevel level) {
        ObjectNode key = JSON.createObjectNode().put("keytype", "CONFIG").put("subject", subject);
        ObjectNode value = JSON.createObjectNode().put("compatibilityLevel", level.name());
        write(key, value);
        apply(key, value);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    private void write(JsonNode key, JsonNode value) {
        try {
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, key.toString(), value.toString()));
            producer.commitTransaction();
        } catch (KafkaException e) {
            try {
                producer.abortTransaction();
            } catch (KafkaException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw new RegistryError(500, RegistryError.STORE_ERROR,
                    "Error in the backend data store (Kafka topic '" + topic + "'): " + e.getMessage());
        }
    }

    private void load(Map<String, Object> consumerConfig) {
        TopicPartition partition = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig,
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(Set.of(partition));
            consumer.seekToBeginning(Set.of(partition));
            long end = consumer.endOffsets(Set.of(partition)).get(partition);
            long deadline = System.nanoTime() + WRITE_TIMEOUT.toNanos();
            while (consumer.position(partition) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Timed out reading the schema topic '" + topic + "' to its end");
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() != null) {
                        apply(readTree(record.key()), readTree(record.value()));
                    }
                }
            }
        }
    }

    private void apply(JsonNode key, JsonNode value) {
        switch (key.path("keytype").asText()) {
            case "SCHEMA" -> {
                Schema schema = new Schema.Parser().parse(value.path("schema").asText());
                int id = value.path("id").asInt();
                String subject = value.path("subject").asText();
                schemasById.put(id, schema);
                idsBySchemaText.put(schema.toString(), id);
                List<Version> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
                versions.add(new Version(subject, value.path("version").asInt(), id, schema));
            }
            case "CONFIG" -> {
                CompatibilityLevel level = CompatibilityLevel.valueOf(value.path("compatibilityLevel").asText());
                if (key.path("subject").isNull() || key.path("subject").isMissingNode()) {
                    globalLevel = level;
                } else {
                    subjectLevels.put(key.path("subject").asText(), level);
                }
            }
            default -> {
                // Record kinds this version does not know (written by a newer one): leave them alone.
            }
        }
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("Unreadable record in the schema topic", e);
        }
    }

    private static void createTopicIfMissing(Map<String, Object> adminConfig, String topic, short replicationFactor) {
        try (Admin admin = Admin.create(adminConfig)) {
            try {
                // Looked for first: on a secured cluster the registry's principal may read the topic but not create topics.
                admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("Cannot look up the schema topic '" + topic + "'", e.getCause());
                }
            }
            NewTopic newTopic = new NewTopic(topic, 1, replicationFactor).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(newTopic)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create the schema topic '" + topic + "'", e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating the schema topic '" + topic + "'", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out creating the schema topic '" + topic + "'", e);
        }
    }
}
