package dev.credledger.events.serde;

import dev.credledger.events.registry.SchemaRegistryClient;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** A Kafka Streams {@link Serde} of the Confluent-wire-format serializer and deserializer. */
public final class ConfluentAvroSerde {

    private ConfluentAvroSerde() {}

    /** For record values: subject {@code <topic>-value}; reads into the class whose schema is given. */
    public static <T extends SpecificRecord> Serde<T> forValues(SchemaRegistryClient registry, Schema schema) {
        return of(registry, schema, false);
    }

    /** For record keys: subject {@code <topic>-key}. */
    public static <T extends SpecificRecord> Serde<T> forKeys(SchemaRegistryClient registry, Schema schema) {
        return of(registry, schema, true);
    }

    private static <T extends SpecificRecord> Serde<T> of(SchemaRegistryClient registry, Schema schema, boolean isKey) {
        return Serdes.serdeFrom(
                new ConfluentAvroSerializer<>(registry, isKey), new ConfluentAvroDeserializer<>(registry, schema));
    }
}
