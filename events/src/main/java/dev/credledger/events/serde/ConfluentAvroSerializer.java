package dev.credledger.events.serde;

import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes an Avro specific record in the Confluent wire format, registering (or looking up) its schema
 * under {@code <topic>-value} or {@code <topic>-key}. {@code null} stays {@code null} (a tombstone).
 */
public final class ConfluentAvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    static {
        AvroTrust.ensureGeneratedClassesTrusted();
    }

    static final byte MAGIC_BYTE = 0;
    static final int HEADER_LENGTH = 5;

    private final Map<Schema, SpecificDatumWriter<T>> writers = new ConcurrentHashMap<>();
    private SchemaRegistryClient registry;
    private boolean isKey;
    private boolean autoRegister = true;

    /** For Kafka to create from a class name; then {@link #configure} supplies the registry. */
    public ConfluentAvroSerializer() {}

    public ConfluentAvroSerializer(SchemaRegistryClient registry, boolean isKey) {
        this.registry = registry;
        this.isKey = isKey;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        if (registry == null) {
            registry = SerdeConfig.client(configs);
        }
        this.autoRegister = SerdeConfig.autoRegister(configs);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        String subject = SerdeConfig.subject(topic, isKey);
        int schemaId;
        try {
            schemaId = autoRegister
                    ? registry.register(subject, data.getSchema())
                    : registry.lookup(subject, data.getSchema()).id();
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Cannot get a schema ID for subject '" + subject + "': " + e.getMessage(), e);
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            out.write(MAGIC_BYTE);
            out.write(ByteBuffer.allocate(4).putInt(schemaId).array());
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writers.computeIfAbsent(data.getSchema(), SpecificDatumWriter::new).write(data, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot write a " + data.getSchema().getFullName()
                    + " for topic '" + topic + "': " + e.getMessage(), e);
        }
    }
}
