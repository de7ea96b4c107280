package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.SIGNER;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credledger.api.Http;
import dev.credledger.events.avro.ApiEnabled;
import dev.credledger.events.avro.CredentialEvent;
import dev.credledger.events.avro.WrappedDataKey;
import dev.credledger.events.mapping.AvroToDomain;
import dev.credledger.events.model.SealedSecret;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.sealing.Envelope;
import dev.credledger.events.sealing.FileKeyring;
import dev.credledger.events.sealing.SealingException;
import dev.credledger.processors.topology.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The private salt's purpose, over real HTTP on a real broker: the ledger signs webhook payloads with it, as a
 * customer verifies them with the copy shown at enable; and a disable destroys its data key, so the sealed salt
 * in the event log can never be opened again, even with the key-encryption key.
 */
class WebhookMacTest {

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger();

    private static Http http() {
        return LEDGER.http();
    }

    private record Enabled(String account, String salt, String saltId) {
        String base() {
            return "/v1/accounts/" + account + "/environments/sandbox";
        }
    }

    private static Enabled enable(String account) {
        Http.Response r = http().post("/v1/accounts/" + account + "/environments/sandbox/api/enable", ADMIN, null);
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return new Enabled(account, r.json().path("privateSalt").asText(), r.json().path("saltId").asText());
    }

    /** What a customer runs on a webhook, with the salt they were shown. */
    private static String customerHmac(String algorithm, String salt, byte[] payload) throws Exception {
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(salt.getBytes(StandardCharsets.US_ASCII), algorithm));
        return HexFormat.of().formatHex(mac.doFinal(payload));
    }

    private static JsonNode mac(Enabled e, String body) {
        Http.Response r = http().post(e.base() + "/mac", SIGNER, body);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.json();
    }

    private static void assertProblem(Http.Response r, int status) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
    }

    @Test
    void theMacIsTheHmacACustomerComputesWithTheSaltShownAtEnable() throws Exception {
        Enabled e = enable("mac-customer");
        String payload = "{\"documentId\":\"d-42\",\"status\":\"SIGNED\",\"signer\":\"Zoë\"}";
        byte[] binary = {0, 1, 2, (byte) 0xff, 10, 13};

        JsonNode sha1 = mac(e, "{\"payload\":" + dev.credledger.api.Json.write(payload) + "}");
        JsonNode sha256 = mac(e, "{\"payload\":" + dev.credledger.api.Json.write(payload) + ",\"algorithm\":\"HMAC-SHA256\"}");
        JsonNode bytes = mac(e, "{\"payloadBase64\":\"" + Base64.getEncoder().encodeToString(binary) + "\"}");

        assertThat(sha1.path("mac").asText()).isEqualTo(customerHmac("HmacSHA1", e.salt(), payload.getBytes(StandardCharsets.UTF_8)));
        assertThat(sha1.path("algorithm").asText()).isEqualTo("HMAC-SHA1");
        assertThat(sha1.path("saltId").asText()).isEqualTo(e.saltId());
        assertThat(sha256.path("mac").asText())
                .isEqualTo(customerHmac("HmacSHA256", e.salt(), payload.getBytes(StandardCharsets.UTF_8)));
        assertThat(bytes.path("mac").asText()).isEqualTo(customerHmac("HmacSHA1", e.salt(), binary));
        assertThat(sha1.toString()).doesNotContain(e.salt());
        // And against an implementation this project did not write: OpenSSL, as a customer would run it.
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(Path.of("/usr/bin/openssl")),
                "openssl is not installed");
        Process openssl = new ProcessBuilder("/usr/bin/openssl", "dgst", "-sha1", "-hmac", e.salt()).start();
        try (var in = openssl.getOutputStream()) {
            in.write(payload.getBytes(StandardCharsets.UTF_8));
        }
        String printed = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertThat(openssl.waitFor()).isZero();
        assertThat(printed).endsWith("= " + sha1.path("mac").asText());
    }

    @Test
    void aRefreshOfTheAuthTokenLeavesTheSaltsMacsUnchanged() {
        Enabled e = enable("mac-refresh");
        String body = "{\"payload\":\"event=document.signed\"}";
        String before = mac(e, body).path("mac").asText();

        assertThat(http().post(e.base() + "/api/refresh", ADMIN, "{\"reason\":\"COMPROMISED\"}").status()).isEqualTo(200);

        assertThat(mac(e, body).path("mac").asText()).isEqualTo(before);
    }

    @Test
    void verifyTellsTheRightMacFromAWrongOne() throws Exception {
        Enabled e = enable("mac-verify");
        String right = customerHmac("HmacSHA1", e.salt(), "hello".getBytes(StandardCharsets.UTF_8));
        String wrong = (right.charAt(0) == 'a' ? "b" : "a") + right.substring(1);

        assertThat(http().post(e.base() + "/mac/verify", SIGNER, "{\"payload\":\"hello\",\"mac\":\"" + right + "\"}")
                .json().path("valid").asBoolean()).isTrue();
        assertThat(http().post(e.base() + "/mac/verify", SIGNER, "{\"payload\":\"hello\",\"mac\":\"" + wrong + "\"}")
                .json().path("valid").asBoolean()).isFalse();
        assertThat(http().post(e.base() + "/mac/verify", SIGNER, "{\"payload\":\"hello\",\"mac\":\"abcd\"}")
                .json().path("valid").asBoolean()).isFalse();
        assertProblem(http().post(e.base() + "/mac/verify", SIGNER, "{\"payload\":\"hello\",\"mac\":\"not-hex\"}"), 400);
    }

    @Test
    void aBatchAnswersEveryItemInOrderWithAProblemForThoseThatCannotBeSigned() throws Exception {
        Enabled a = enable("mac-batch-a");
        Enabled b = enable("mac-batch-b");
        String body = "{\"items\":["
                + "{\"accountId\":\"mac-batch-a\",\"environment\":\"sandbox\",\"payload\":\"one\"},"
                + "{\"accountId\":\"mac-batch-never\",\"environment\":\"sandbox\",\"payload\":\"two\"},"
                + "{\"accountId\":\"mac-batch-b\",\"environment\":\"sandbox\",\"payload\":\"three\",\"algorithm\":\"HMAC-SHA256\"},"
                + "{\"accountId\":\"mac-batch-b\",\"environment\":\"staging\",\"payload\":\"four\"}]}";

        Http.Response r = http().post("/v1/macs", SIGNER, body);

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        JsonNode items = r.json().path("items");
        assertThat(items).hasSize(4);
        assertThat(items.get(0).path("mac").asText()).isEqualTo(customerHmac("HmacSHA1", a.salt(), "one".getBytes(StandardCharsets.UTF_8)));
        assertThat(items.get(1).path("status").asInt()).isEqualTo(409);
        assertThat(items.get(1).path("code").asText()).isEqualTo("API_NOT_ENABLED");
        assertThat(items.get(2).path("mac").asText())
                .isEqualTo(customerHmac("HmacSHA256", b.salt(), "three".getBytes(StandardCharsets.UTF_8)));
        assertThat(items.get(3).path("status").asInt()).isEqualTo(400);
    }

    @Test
    void onlyTheSignerAndAdminKeysMayAskForMacs() {
        Enabled e = enable("mac-roles");
        String body = "{\"payload\":\"x\"}";

        assertThat(http().post(e.base() + "/mac", SIGNER, body).status()).isEqualTo(200);
        assertThat(http().post(e.base() + "/mac", ADMIN, body).status()).isEqualTo(200);
        assertThat(http().post(e.base() + "/mac", AUDITOR, body).status()).isEqualTo(403);
        assertThat(http().post(e.base() + "/mac", VERIFIER, body).status()).isEqualTo(403);
        assertThat(http().post(e.base() + "/mac", null, body).status()).isEqualTo(401);
        assertThat(http().post("/v1/accounts/mac-roles/environments/sandbox/api/disable", SIGNER, null).status()).isEqualTo(403);
    }

    @Test
    void malformedRequestsAreProblemsAndChangeNothing() {
        Enabled e = enable("mac-bad");
        String big = Base64.getEncoder().encodeToString(new byte[1024 * 1024 + 1]);

        assertProblem(http().post(e.base() + "/mac", SIGNER, "{}"), 400);
        assertProblem(http().post(e.base() + "/mac", SIGNER, "{\"payload\":\"a\",\"payloadBase64\":\"YQ==\"}"), 400);
        assertProblem(http().post(e.base() + "/mac", SIGNER, "{\"payloadBase64\":\"***\"}"), 400);
        assertProblem(http().post(e.base() + "/mac", SIGNER, "{\"payload\":\"a\",\"algorithm\":\"MD5\"}"), 400);
        assertProblem(http().post(e.base() + "/mac", SIGNER, "{\"payloadBase64\":\"" + big + "\"}"), 413);
        assertProblem(http().post("/v1/macs", SIGNER, "{\"items\":[]}"), 400);
        assertProblem(http().post("/v1/accounts/mac-bad/environments/live/mac", SIGNER, "{\"payload\":\"a\"}"), 409);
        assertThat(mac(e, "{\"payload\":\"still works\"}").path("mac").asText()).hasSize(40);
    }

    @Test
    void aChunkedBodyIsRefusedBeforeItIsReadAndTheServerKeepsAnswering() throws Exception {
        Enabled e = enable("mac-chunked");
        byte[] body = "{\"payload\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        java.net.http.HttpRequest chunked = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(LEDGER.app().httpUrl() + e.base() + "/mac"))
                .header("Authorization", "Bearer " + SIGNER).header("Content-Type", "application/json")
                // No known length: the client sends Transfer-Encoding: chunked.
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
                .build();

        var r = java.net.http.HttpClient.newHttpClient().send(chunked, java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(411);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(mac(e, "{\"payload\":\"x\"}").path("mac").asText()).hasSize(40);
    }

    @Nested
    class Disable {

        @Test
        void refusesMacsAndDestroysTheDataKeySoTheSealedSaltInTheLogCannotBeOpenedEvenWithTheKek() throws Exception {
            Enabled e = enable("mac-shred");
            SealedSecret sealed = sealedSaltOf(e.account());
            String dataKeyRecord = "mac-shred|SANDBOX|" + sealed.dataKeyId();
            FileKeyring kek = FileKeyring.load(Path.of(LEDGER.app().sealingKeyFile()));
            // Before: the log and the KEK together open it — which is what a disable must end.
            List<WrappedDataKey> wrapped = values(Topics.DATA_KEYS, dataKeyRecord);
            assertThat(wrapped).hasSize(1);
            assertThat(new String(open(kek, wrapped.getFirst(), sealed), StandardCharsets.US_ASCII)).isEqualTo(e.salt());

            assertThat(http().post(e.base() + "/api/disable", ADMIN, null).status()).isEqualTo(200);

            assertProblem(http().post(e.base() + "/mac", SIGNER, "{\"payload\":\"x\"}"), 409);
            assertThat(http().post(e.base() + "/mac", SIGNER, "{\"payload\":\"x\"}").json().path("code").asText())
                    .isEqualTo("API_NOT_ENABLED");
            assertThat(latest(Topics.DATA_KEYS, dataKeyRecord)).as("a tombstone is the data key's latest record").isNull();

            // After compaction no copy of the wrapped key is left in the log: the KEK has nothing to unwrap.
            compactNow(dataKeyRecord);
            await("the wrapped data key compacted away", () -> values(Topics.DATA_KEYS, dataKeyRecord).isEmpty());
            for (WrappedDataKey any : allValues(Topics.DATA_KEYS)) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> open(kek, any, sealed))
                        .isInstanceOf(SealingException.class);
            }
        }

        @Test
        void enablingAgainSignsWithTheNewSaltUnderANewDataKey() throws Exception {
            Enabled first = enable("mac-again");
            SealedSecret before = sealedSaltOf(first.account());
            http().post(first.base() + "/api/disable", ADMIN, null);

            Enabled second = enable("mac-again");

            assertThat(mac(second, "{\"payload\":\"p\"}").path("mac").asText())
                    .isEqualTo(customerHmac("HmacSHA1", second.salt(), "p".getBytes(StandardCharsets.UTF_8)));
            assertThat(sealedSaltOf(second.account()).dataKeyId()).isNotEqualTo(before.dataKeyId());
        }
    }

    private static byte[] open(FileKeyring kek, WrappedDataKey wrapped, SealedSecret sealed) {
        try (Envelope.DataKey key = Envelope.unwrap(kek, wrapped.getKekId(), bytes(wrapped.getWrapped()),
                wrapped.getAccountId(), wrapped.getEnvironment().name(), wrapped.getDataKeyId())) {
            return Envelope.open(key, sealed.sealed(), wrapped.getAccountId(), wrapped.getEnvironment().name(), sealed.secretId());
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** The sealed salt of the account's latest ApiEnabled event, as the event log has it. */
    private static SealedSecret sealedSaltOf(String account) {
        SealedSecret found = null;
        for (ConsumerRecord<String, Object> r : read(Topics.EVENTS, topics().events.valueSerde().deserializer()::deserialize)) {
            if (account.equals(r.key()) && r.value() instanceof CredentialEvent event && event.getPayload() instanceof ApiEnabled enabled) {
                found = AvroToDomain.sealed(enabled.getSealedSalt());
            }
        }
        assertThat(found).as("a sealed salt in " + account + "'s ApiEnabled event").isNotNull();
        return found;
    }

    private static Topics topics() {
        return new Topics(new SchemaRegistryClient(SchemaRegistryClient.Settings.of(LEDGER.app().registryUrl())));
    }

    private static List<WrappedDataKey> values(String topic, String key) {
        List<WrappedDataKey> out = new ArrayList<>();
        for (ConsumerRecord<String, Object> r : read(topic, dataKeyDeserializer())) {
            if (key.equals(r.key()) && r.value() != null) {
                out.add((WrappedDataKey) r.value());
            }
        }
        return out;
    }

    private static List<WrappedDataKey> allValues(String topic) {
        List<WrappedDataKey> out = new ArrayList<>();
        for (ConsumerRecord<String, Object> r : read(topic, dataKeyDeserializer())) {
            if (r.value() != null) {
                out.add((WrappedDataKey) r.value());
            }
        }
        return out;
    }

    private static Object latest(String topic, String key) {
        Object last = "absent";
        for (ConsumerRecord<String, Object> r : read(topic, dataKeyDeserializer())) {
            if (key.equals(r.key())) {
                last = r.value();
            }
        }
        return last;
    }

    private static java.util.function.BiFunction<String, byte[], Object> dataKeyDeserializer() {
        var d = topics().dataKeys.valueSerde().deserializer();
        return d::deserialize;
    }

    private static List<ConsumerRecord<String, Object>> read(String topic, java.util.function.BiFunction<String, byte[], Object> decode) {
        return TopicDump.read(LEDGER.app().bootstrapServers(), topic, decode);
    }

    /** Lets the broker compact the data-key topic at once: tiny segments, no lag, and one more record to roll. */
    private static void compactNow(String key) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LEDGER.app().bootstrapServers()))) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.DATA_KEYS);
            admin.incrementalAlterConfigs(Map.of(topic, List.of(
                    new AlterConfigOp(new ConfigEntry("segment.ms", "100"), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(new ConfigEntry("max.compaction.lag.ms", "100"), AlterConfigOp.OpType.SET)))).all().get();
        }
        LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, LEDGER.app().bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.DATA_KEYS, key, null)).get();
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
        }
    }
}
