package dev.credledger.events.serde;

import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.registry.SchemaRegistryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the Confluent wire format into an Avro specific record of type {@code T}: the writer's schema
 * comes from the registry by the ID in the bytes, and is resolved against {@code T}'s schema, so bytes
 * written with an older compatible schema read fine.
 *
 * <p>Bytes without the magic byte, too short, or naming an unknown schema ID fail with
 * {@link WireFormatException}; a registry that cannot be reached fails with a plain
 * {@link SerializationException} whose cause is {@link SchemaRegistryException.Unreachable}.
 */
public final class ConfluentAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    static {
        AvroTrust.ensureGeneratedClassesTrusted();
    }

    private SchemaRegistryClient registry;
    private Schema readerSchema;
    private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();

    /** For Kafka to create from a class name; {@link #configure} then supplies the registry. */
    public ConfluentAvroDeserializer() {}

    /**
     * @param readerSchema the schema of {@code T} ({@code T.getClassSchema()}), or {@code null} to read with
     *     the writer's schema into the class it names
     */
    public ConfluentAvroDeserializer(SchemaRegistryClient registry, Schema readerSchema) {
        this.registry = registry;
        this.readerSchema = readerSchema;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (registry == null) {
            registry = SerdeConfig.client(configs);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length < ConfluentAvroSerializer.HEADER_LENGTH) {
            throw new WireFormatException("Record on topic '" + topic + "' has " + data.length
                    + " bytes: too short for the Confluent wire format (magic byte + 4-byte schema ID)");
        }
        ByteBuffer buffer = ByteBuffer.wrap(data);
        byte magic = buffer.get();
        if (magic != ConfluentAvroSerializer.MAGIC_BYTE) {
            throw new WireFormatException("Record on topic '" + topic + "' starts with byte " + magic
                    + ", not the Confluent wire format's magic byte 0");
        }
        int schemaId = buffer.getInt();
        SpecificDatumReader<T> reader = readers.computeIfAbsent(schemaId, id -> newReader(topic, id));
        try {
            return reader.read(null, DecoderFactory.get().binaryDecoder(
                    data, ConfluentAvroSerializer.HEADER_LENGTH, data.length - ConfluentAvroSerializer.HEADER_LENGTH, null));
        } catch (IOException | AvroRuntimeException | ClassCastException | IndexOutOfBoundsException e) {
            throw new WireFormatException("Record on topic '" + topic + "' does not decode with schema ID " + schemaId
                    + ": " + e.getMessage(), e);
        }
    }

    private SpecificDatumReader<T> newReader(String topic, int schemaId) {
        Schema writer;
        try {
            writer = registry.schemaById(schemaId);
        } catch (SchemaRegistryException.SchemaNotFound e) {
            throw new WireFormatException.UnknownSchemaId("Record on topic '" + topic + "' names schema ID " + schemaId
                    + ", which the registry at " + registry.baseUrl() + " does not know", schemaId, e);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Cannot fetch schema ID " + schemaId + " for a record on topic '" + topic
                    + "': " + e.getMessage(), e);
        }
        Schema reader = readerSchema == null ? writer : readerSchema;
        return new SpecificDatumReader<>(writer, reader, SpecificData.getForSchema(reader));
    }
}
