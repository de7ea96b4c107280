package dev.credledger.events.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.credledger.events.avro.CredentialEvent;
import dev.credledger.events.avro.CredentialRevoked;
import dev.credledger.events.avro.Environment;
import dev.credledger.events.avro.IpAllowed;
import dev.credledger.events.mapping.AvroToDomain;
import dev.credledger.events.mapping.DomainToAvro;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.testing.KafkaWithRegistry;
import dev.credledger.events.testing.SampleEvents;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Confluent wire format against the embedded registry on a real in-process broker. */
class ConfluentAvroSerdeTest {

    @RegisterExtension
    static final KafkaWithRegistry KAFKA = new KafkaWithRegistry();

    private static final String TOPIC = "credential-events";

    private final SchemaRegistryClient registry = KAFKA.newClient();
    private final Serde<CredentialEvent> events = ConfluentAvroSerde.forValues(registry, CredentialEvent.getClassSchema());

    static Stream<dev.credledger.events.model.CredentialEvent> sampleEvents() {
        return SampleEvents.oneOfEach().stream();
    }

    @ParameterizedTest
    @MethodSource("sampleEvents")
    void everyEventRoundTripsThroughTheSerde(dev.credledger.events.model.CredentialEvent event) {
        byte[] bytes = events.serializer().serialize(TOPIC, DomainToAvro.event(event));
        CredentialEvent read = events.deserializer().deserialize(TOPIC, bytes);

        assertThat(AvroToDomain.event(read)).isEqualTo(event);
    }

    @Test
    void bytesCarryMagicByteZeroAndTheIdRegisteredUnderTheTopicValueSubject() {
        byte[] bytes = events.serializer().serialize(TOPIC, DomainToAvro.event(SampleEvents.oneOfEach().getFirst()));

        ByteBuffer header = ByteBuffer.wrap(bytes, 0, 5);
        assertThat(header.get()).isEqualTo((byte) 0);
        assertThat(header.getInt()).isEqualTo(KAFKA.newClient().latest(TOPIC + "-value").id());
    }

    @Test
    void keySerdeRegistersUnderTheTopicKeySubject() {
        Serde<CredentialRevoked> keys = ConfluentAvroSerde.forKeys(registry, CredentialRevoked.getClassSchema());
        keys.serializer().serialize("keyed-topic", DomainToAvro.revocation(SampleEvents.revocation()));

        assertThat(registry.subjects()).contains("keyed-topic-key").doesNotContain("keyed-topic-value");
    }

    @Test
    void nullStaysNullBothWays() {
        assertThat(events.serializer().serialize(TOPIC, null)).isNull();
        assertThat(events.deserializer().deserialize(TOPIC, null)).isNull();
    }

    @Test
    void wrongMagicByteFailsWithAClearWireFormatError() {
        byte[] bytes = events.serializer().serialize(TOPIC, DomainToAvro.event(SampleEvents.oneOfEach().getFirst()));
        bytes[0] = 7;

        assertThatThrownBy(() -> events.deserializer().deserialize(TOPIC, bytes))
                .isExactlyInstanceOf(WireFormatException.class)
                .hasMessageContaining("magic byte").hasMessageContaining(TOPIC);
    }

    @Test
    void tooShortRecordFailsWithAClearWireFormatError() {
        assertThatThrownBy(() -> events.deserializer().deserialize(TOPIC, new byte[] {0, 0, 1}))
                .isExactlyInstanceOf(WireFormatException.class)
                .hasMessageContaining("too short");
    }

    @Test
    void unknownSchemaIdFailsNamingTheId() {
        byte[] bytes = ByteBuffer.allocate(9).put((byte) 0).putInt(987_654).putInt(0).array();

        assertThatThrownBy(() -> events.deserializer().deserialize(TOPIC, bytes))
                .isInstanceOfSatisfying(WireFormatException.UnknownSchemaId.class,
                        e -> assertThat(e.schemaId()).isEqualTo(987_654))
                .hasMessageContaining("987654");
    }

    @Test
    void bodyThatDoesNotMatchItsSchemaFailsAsWireFormatError() {
        byte[] valid = events.serializer().serialize(TOPIC, DomainToAvro.event(SampleEvents.oneOfEach().getFirst()));
        byte[] truncated = java.util.Arrays.copyOf(valid, 12);

        assertThatThrownBy(() -> events.deserializer().deserialize(TOPIC, truncated))
                .isInstanceOf(WireFormatException.class);
    }

    @Test
    void readerWithTheCurrentSchemaReadsBytesWrittenWithAnOlderOne() throws Exception {
        Schema older;
        try (InputStream in = getClass().getResourceAsStream("/schemas/evolution/credential-events-value-older.avsc")) {
            older = new Schema.Parser().parse(in);
        }
        int olderId = registry.register("older-writer-value", older);
        UUID eventId = UUID.randomUUID();
        GenericRecord actor = new GenericData.Record(older.getField("actor").schema());
        actor.put("actorId", "bob");
        actor.put("sourceIp", "192.0.2.1");
        actor.put("channel", new GenericData.EnumSymbol(older.getField("actor").schema().getField("channel").schema(), "CLI"));
        GenericRecord payload = new GenericData.Record(older.getField("payload").schema().getTypes().getFirst());
        payload.put("cidr", "192.0.2.0/24");
        GenericRecord record = new GenericData.Record(older);
        record.put("eventId", eventId.toString());
        record.put("accountId", "acme");
        record.put("environment", new GenericData.EnumSymbol(
                older.getField("environment").schema().getTypes().get(1), "SANDBOX"));
        record.put("occurredAt", 1_700_000_000_000L);
        record.put("actor", actor);
        record.put("sequence", 42L);
        record.put("payload", payload);

        CredentialEvent read = events.deserializer().deserialize(TOPIC, confluentBytes(olderId, older, record));

        assertThat(read.getEventId()).isEqualTo(eventId);
        assertThat(read.getEnvironment()).isEqualTo(Environment.SANDBOX);
        assertThat(read.getOccurredAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(read.getCorrelationId()).isNull();
        assertThat(read.getActor().getUserAgent()).isNull();
        assertThat(read.getPayload()).isEqualTo(new IpAllowed("192.0.2.0/24"));
    }

    @Test
    void kafkaClientsConfiguredByClassNameProduceAndConsumeThroughABroker() throws Exception {
        String topic = "credential-revocations-by-class-name";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        CredentialRevoked sent = DomainToAvro.revocation(SampleEvents.revocation());
        try (KafkaProducer<String, CredentialRevoked> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ConfluentAvroSerializer.class.getName(),
                SerdeConfig.SCHEMA_REGISTRY_URL, KAFKA.registryUrl()))) {
            producer.send(new ProducerRecord<>(topic, sent.getFingerprint(), sent)).get();
        }
        List<CredentialRevoked> received = new ArrayList<>();
        try (KafkaConsumer<String, CredentialRevoked> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "serde-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ConfluentAvroDeserializer.class.getName(),
                SerdeConfig.SCHEMA_REGISTRY_URL, KAFKA.registryUrl()))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, CredentialRevoked> r : consumer.poll(Duration.ofMillis(200))) {
                    received.add(r.value());
                }
            }
        }
        assertThat(received).containsExactly(sent);
    }

    private static byte[] confluentBytes(int schemaId, Schema schema, GenericRecord record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(schemaId).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
