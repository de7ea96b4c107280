package dev.credledger.events.serde;

import dev.credledger.events.registry.SchemaRegistryClient;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * The configuration keys a serializer or deserializer reads when Kafka creates it from a class name;
 * the same keys as Confluent's serdes, so a consumer's configuration carries over.
 */
public final class SerdeConfig {

    /** Base URL of the schema registry. Required. */
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    /** {@code user:password} for HTTP basic auth. Optional. */
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    /** Whether the serializer registers the record's schema (default true) or only looks it up. */
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

    private SerdeConfig() {}

    static SchemaRegistryClient client(Map<String, ?> configs) {
        Object url = configs.get(SCHEMA_REGISTRY_URL);
        if (url == null || url.toString().isBlank()) {
            throw new ConfigException(SCHEMA_REGISTRY_URL, url, "the schema registry's base URL is required");
        }
        Object userInfo = configs.get(BASIC_AUTH_USER_INFO);
        return new SchemaRegistryClient(new SchemaRegistryClient.Settings(
                URI.create(url.toString()), userInfo == null ? null : userInfo.toString(), null, Duration.ofSeconds(10)));
    }

    static boolean autoRegister(Map<String, ?> configs) {
        Object value = configs.get(AUTO_REGISTER_SCHEMAS);
        return value == null || Boolean.parseBoolean(value.toString());
    }

    /** {@code <topic>-key} or {@code <topic>-value}: Confluent's TopicNameStrategy. */
    static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }
}
