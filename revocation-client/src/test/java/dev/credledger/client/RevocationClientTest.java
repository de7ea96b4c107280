package dev.credledger.client;

import static dev.credledger.client.TestLedger.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credledger.client.example.GuardedService;
import dev.credledger.events.model.Environment;
import dev.credledger.events.verify.Verification;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import dev.credledger.events.avro.CredentialRevoked;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two enforcement points following a real ledger (embedded broker, registry, Streams, HTTP): they verify
 * locally as the ledger does, refuse a compromised token once its revocation is read, and a client started
 * after the revocation refuses it as soon as it is ready.
 */
class RevocationClientTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static TestLedger ledger;
    private static RevocationClient gateway;
    private static RevocationClient webhooks;

    @BeforeAll
    static void startLedgerAndTwoEnforcementPoints() throws Exception {
        ledger = TestLedger.start(s -> s);
        gateway = ledger.client("api-gateway", b -> b);
        webhooks = ledger.client("webhook-sender", b -> b);
    }

    @AfterAll
    static void stop() {
        TestLedger.closeAll(gateway, webhooks, ledger);
    }

    @Test
    void bothPointsVerifyLocallyAndRefuseACompromisedTokenOnceItsRevocationIsRead() throws Exception {
        String sandbox = ledger.post("/v1/accounts/client-a/environments/sandbox/api/enable", null).path("authToken").asText();
        await("the token known to both points", () -> active(gateway, sandbox) && active(webhooks, sandbox));

        long accepted = System.nanoTime();
        JsonNode refreshed = ledger.post("/v1/accounts/client-a/environments/sandbox/api/refresh", "{\"reason\":\"COMPROMISED\"}");
        long acceptedAt = System.nanoTime();
        await("refused by both", () -> !active(gateway, sandbox) && !active(webhooks, sandbox));
        long refusedAt = System.nanoTime();

        assertThat(gateway.verify(sandbox, Environment.SANDBOX, null).reason()).isEqualTo(Verification.Reason.REVOKED);
        assertThat(webhooks.verify(sandbox, Environment.SANDBOX, null).reason()).isEqualTo(Verification.Reason.REVOKED);
        await("the new token active at both", () -> active(gateway, refreshed.path("authToken").asText())
                && active(webhooks, refreshed.path("authToken").asText()));
        System.out.printf("revocation refused by both points %.1f ms after the refresh was answered (sent %.1f ms before)%n",
                (refusedAt - acceptedAt) / 1e6, (acceptedAt - accepted) / 1e6);
    }

    @Test
    void eachRevocationIsPublishedEarlyWithTheCommittedOnesEventIdAndListenersHearItOnce() throws Exception {
        List<RevocationClient.Revocation> heard = new CopyOnWriteArrayList<>();
        webhooks.onRevocation(r -> {
            if (r.accountId().equals("client-early")) {
                heard.add(r);
            }
        });
        String token = ledger.post("/v1/accounts/client-early/environments/sandbox/api/enable", null).path("authToken").asText();
        await("known", () -> active(webhooks, token));
        // Counted for a revocation only if it was reporting when the revocation was issued.
        await("the point reports", () -> ledger.audit("/v1/enforcement-points").path("items").findValuesAsText("name")
                .contains(webhooks.enforcementPoint()));

        String revocationId = ledger.post("/v1/accounts/client-early/environments/sandbox/api/refresh",
                "{\"reason\":\"COMPROMISED\"}").path("revoked").get(0).path("revocationId").asText();

        String fingerprint = dev.credledger.events.model.Fingerprint.hexOf(token);
        Map<String, List<java.util.UUID>> found = new java.util.HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ledger.app.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            var revoked = dev.credledger.events.serde.ConfluentAvroSerde.<CredentialRevoked>forValues(
                    new dev.credledger.events.registry.SchemaRegistryClient(new dev.credledger.events.registry.SchemaRegistryClient
                            .Settings(URI.create(ledger.app.registryUrl()), null, null, Duration.ofSeconds(10))),
                    CredentialRevoked.getClassSchema()).deserializer();
            List<TopicPartition> partitions = new java.util.ArrayList<>();
            for (String topic : List.of(RevocationClient.EARLY_REVOCATIONS, RevocationClient.REVOCATIONS)) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await("the revocation on both topics", () -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    if (fingerprint.equals(r.key())) {
                        found.computeIfAbsent(r.topic(), t -> new java.util.ArrayList<>())
                                .add(revoked.deserialize(r.topic(), r.value()).getEventId());
                    }
                }
                return found.size() == 2;
            });
        }
        assertThat(found.get(RevocationClient.EARLY_REVOCATIONS)).isEqualTo(found.get(RevocationClient.REVOCATIONS));
        // The point reports how far it applied the committed feed: once it shows this revocation, both were read.
        await("the committed revocation applied too", () -> ledger.audit("/v1/revocations/" + revocationId)
                .path("enforcementPoints").findValuesAsText("name").contains(webhooks.enforcementPoint()));
        assertThat(heard).extracting(RevocationClient.Revocation::fingerprint).containsExactly(fingerprint);
    }

    @Test
    void aClientStartedAfterTheRevocationRefusesItAsSoonAsItIsReady() throws Exception {
        String token = ledger.post("/v1/accounts/client-b/environments/sandbox/api/enable", null).path("authToken").asText();
        ledger.post("/v1/accounts/client-b/environments/sandbox/api/refresh", "{\"reason\":\"COMPROMISED\"}");
        await("the ledger refuses it", () -> verifyAtLedger(token).path("reason").asText().equals("REVOKED"));

        try (RevocationClient late = ledger.client("late-gateway", b -> b)) {
            assertThat(late.verify(token, Environment.SANDBOX, null).reason()).isEqualTo(Verification.Reason.REVOKED);
            assertThat(late.entries()).isPositive();
        }
    }

    @Test
    void listenersHearEveryRevocationInOrderAndASlowOneDelaysNothingElse() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<RevocationClient.Revocation> heard = new CopyOnWriteArrayList<>();
        gateway.onRevocation(r -> {
            try {
                release.await(30, TimeUnit.SECONDS); // a listener that is slow until the test lets it go
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            heard.add(r);
        });
        String token = ledger.post("/v1/accounts/client-c/environments/sandbox/api/enable", null).path("authToken").asText();
        await("known", () -> active(gateway, token));

        ledger.post("/v1/accounts/client-c/environments/sandbox/api/disable", null);

        await("refused while the listener is still stuck", () -> !active(gateway, token));
        assertThat(heard).isEmpty();
        release.countDown();
        await("heard", () -> heard.stream().anyMatch(r -> r.accountId().equals("client-c")));
        assertThat(heard).filteredOn(r -> r.accountId().equals("client-c"))
                .extracting(r -> r.kind().name() + " " + r.reason())
                .containsExactlyInAnyOrder("AUTH_TOKEN API_DISABLED", "PRIVATE_SALT API_DISABLED");
        assertThat(heard.toString()).doesNotContain(token);
    }

    @Test
    void metricsCountEntriesAndRecordsAndShowNoLagOnceCaughtUp() throws Exception {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        webhooks.bindTo(registry);
        String token = ledger.post("/v1/accounts/client-e/environments/sandbox/api/enable", null).path("authToken").asText();
        await("known", () -> active(webhooks, token));
        await("caught up", () -> webhooks.lag() == 0);

        assertThat(registry.get("credledger.client.entries").tag("enforcement_point", "webhook-sender").gauge().value())
                .isEqualTo(webhooks.entries()).isPositive();
        assertThat(registry.get("credledger.client.records.applied").functionCounter().count()).isPositive();
        assertThat(registry.get("credledger.client.lag").gauge().value()).isZero();
        assertThat(registry.get("credledger.client.seconds.since.last.record").gauge().value()).isBetween(0.0, 60.0);
    }

    @Test
    void decidesAsTheLedgerDoesForEveryReason() throws Exception {
        String base = "/v1/accounts/client-d/environments/sandbox";
        String token = ledger.post(base + "/api/enable", null).path("authToken").asText();
        JsonNode credential = ledger.post(base + "/credentials", "{\"name\":\"billing-sync\"}");
        String clientId = credential.path("clientId").asText();
        String clientSecret = credential.path("clientSecret").asText();
        ledger.post(base + "/credentials/" + credential.path("credentialId").asText() + "/deactivate", null);
        ledger.post(base + "/allowed-ips", "{\"cidr\":\"203.0.113.0/24\"}");
        await("the allow-list and the deactivation at the point", () -> gateway.verify(token, null, null).reason()
                == Verification.Reason.SOURCE_IP_REQUIRED
                && gateway.verify(clientId, clientSecret, null, InetAddress.getByName("203.0.113.7")).reason()
                        == Verification.Reason.INACTIVE);

        for (String ip : new String[] {null, "203.0.113.7", "198.51.100.1", "::ffff:203.0.113.9"}) {
            InetAddress address = ip == null ? null : InetAddress.getByName(ip);
            for (Environment env : new Environment[] {null, Environment.SANDBOX, Environment.LIVE}) {
                String body = "{" + (env == null ? "" : "\"environment\":\"" + env.pathName() + "\"")
                        + (ip == null ? "" : (env == null ? "" : ",") + "\"sourceIp\":\"" + ip + "\"") + "}";
                assertSame(gateway.verify(token, env, address), verifyAtLedger(token, body));
                assertSame(gateway.verify(clientId, clientSecret, env, address), verifyClientAtLedger(clientId, clientSecret, body));
            }
        }
        assertSame(gateway.verify("clat_sbx_not-a-secret", null, null), verifyAtLedger("clat_sbx_not-a-secret"));
    }

    @Test
    void decidesExpiryAndScopesAsTheLedgerDoes() throws Exception {
        String base = "/v1/accounts/client-g/environments/sandbox";
        JsonNode scoped = ledger.post(base + "/credentials", "{\"name\":\"short-lived\",\"ttlSeconds\":3,"
                + "\"scopes\":[\"payments:read\"]}");
        String clientId = scoped.path("clientId").asText();
        String secret = scoped.path("clientSecret").asText();
        await("the scoped credential at the point", () -> gateway.verify(clientId, secret, null, null).active());

        for (List<String> required : List.of(List.<String>of(), List.of("payments:read"), List.of("payments:read", "refunds:write"))) {
            Verification.Decision local = gateway.verify(clientId, secret, null, null, required);
            JsonNode remote = verifyClientAtLedger(clientId, secret, "{\"requiredScopes\":"
                    + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(required) + "}");
            assertSame(local, remote);
            if (!local.active()) {
                assertThat(local.missingScopes()).containsExactly("refunds:write");
                assertThat(remote.path("missingScopes").toString()).isEqualTo("[\"refunds:write\"]");
            }
        }

        await("expired at the point", () -> gateway.verify(clientId, secret, null, null).reason() == Verification.Reason.EXPIRED);
        assertSame(gateway.verify(clientId, secret, null, null), verifyClientAtLedger(clientId, secret, "{}"));
        // Then the ledger's own record of the expiry (a revocation, reason EXPIRED) arrives: the answer stays the same.
        List<RevocationClient.Revocation> heard = new CopyOnWriteArrayList<>();
        gateway.onRevocation(heard::add);
        await("the expiry's revocation heard", () -> heard.stream().anyMatch(r -> r.fingerprint().equals(
                dev.credledger.events.model.Fingerprint.hexOf(secret))
                && r.reason() == dev.credledger.events.avro.RevocationReason.EXPIRED));
        assertThat(gateway.verify(clientId, secret, null, null).reason()).isEqualTo(Verification.Reason.EXPIRED);
    }

    @Test
    void theExampleServiceServesAValidTokenAndRefusesItOnceRevoked() throws Exception {
        String token = ledger.post("/v1/accounts/client-f/environments/sandbox/api/enable", null).path("authToken").asText();
        try (GuardedService service = new GuardedService(ledger.client("example-reports-service", b -> b),
                Environment.SANDBOX, 0).start()) {
            URI reports = URI.create("http://127.0.0.1:" + service.port() + "/reports");
            await("served", () -> status(reports, token) == 200);
            assertThat(status(reports, null)).isEqualTo(401);

            ledger.post("/v1/accounts/client-f/environments/sandbox/api/refresh", "{\"reason\":\"COMPROMISED\"}");

            await("refused", () -> status(reports, token) == 401);
            HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(reports).header("X-Auth-Token", token).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(refused.body()).contains("\"reason\":\"REVOKED\"").doesNotContain(token);
        }
    }

    private static int status(URI uri, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(uri);
        if (token != null) {
            r.header("X-Auth-Token", token);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static void assertSame(Verification.Decision local, JsonNode ledgerAnswer) {
        assertThat(local.active()).as(ledgerAnswer.toString()).isEqualTo(ledgerAnswer.path("active").asBoolean());
        if (!local.active()) {
            assertThat(local.reason().name()).isEqualTo(ledgerAnswer.path("reason").asText());
        }
    }

    @Test
    void anEarlyCopyThatCannotBeReadYetIsHeldAndAppliedOnceItsSchemaCanBeRead() throws Exception {
        String token = ledger.post("/v1/accounts/client-held/environments/sandbox/api/enable", null).path("authToken").asText();
        await("the token known", () -> active(gateway, token));
        var registry = new dev.credledger.events.registry.SchemaRegistryClient(new dev.credledger.events.registry
                .SchemaRegistryClient.Settings(URI.create(ledger.app.registryUrl()), "test:" + TestLedger.ADMIN, null,
                Duration.ofSeconds(10)));
        // The registry gives each new schema the newest ID + 1: an early copy written with the next ID cannot be read
        // until a schema is registered under it (as for a client whose registry is unreachable for a new schema).
        int next = registry.register("held-test-probe", org.apache.avro.SchemaBuilder.record("Probe").fields()
                .requiredString("probe").endRecord()) + 1;
        CredentialRevoked revocation = CredentialRevoked.newBuilder().setEventId(java.util.UUID.randomUUID())
                .setCredentialId(java.util.UUID.randomUUID()).setAccountId("client-held").setEnvironment(dev.credledger.events.avro.Environment.SANDBOX)
                .setKind(dev.credledger.events.avro.CredentialKind.AUTH_TOKEN)
                .setFingerprint(dev.credledger.events.model.Fingerprint.hexOf(token)).setPrefix(token.substring(0, 13))
                .setReason(dev.credledger.events.avro.RevocationReason.TOKEN_COMPROMISED).setRevokedAt(java.time.Instant.now())
                .setCausedBy(java.util.UUID.randomUUID()).build();
        var bytes = new java.io.ByteArrayOutputStream();
        bytes.write(0);
        bytes.write(java.nio.ByteBuffer.allocate(4).putInt(next).array());
        var encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(bytes, null);
        new org.apache.avro.specific.SpecificDatumWriter<>(CredentialRevoked.class).write(revocation, encoder);
        encoder.flush();
        long before = gateway.recordsApplied();
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(Map.<String, Object>of("bootstrap.servers",
                ledger.app.bootstrapServers()), new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(RevocationClient.EARLY_REVOCATIONS,
                    revocation.getFingerprint(), bytes.toByteArray())).get();
        }
        await("the early copy read", () -> gateway.recordsApplied() > before);
        assertThat(active(gateway, token)).as("not applied while it cannot be read").isTrue();

        // Its schema registered (the same fields, so the client reads it as a revocation): applied within a second or so.
        org.apache.avro.Schema same = new org.apache.avro.Schema.Parser().parse(CredentialRevoked.getClassSchema().toString()
                .replaceFirst("\"doc\":\"", "\"doc\":\"(held test) "));
        assertThat(registry.register("held-test-revoked", same)).as("the ID the copy names").isEqualTo(next);
        await("applied once it can be read", () -> !active(gateway, token));
        assertThat(gateway.verify(token, Environment.SANDBOX, null).reason()).isEqualTo(Verification.Reason.REVOKED);
    }

    private static boolean active(RevocationClient client, String token) {
        return client.verify(token, Environment.SANDBOX, null).active();
    }

    private static JsonNode verifyAtLedger(String token) throws Exception {
        return verifyAtLedger(token, "{}");
    }

    private static JsonNode verifyAtLedger(String token, String body) throws Exception {
        return ledger.send(HttpRequest.newBuilder(URI.create(ledger.app.httpUrl() + "/v1/verify")).header("Authorization", "Bearer " + TestLedger.VERIFIER)
                .header("X-Auth-Token", token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static JsonNode verifyClientAtLedger(String clientId, String secret, String body) throws Exception {
        String withCredential = body.equals("{}") ? "{\"clientId\":\"" + clientId + "\",\"clientSecret\":\"" + secret + "\"}"
                : body.substring(0, body.length() - 1) + ",\"clientId\":\"" + clientId + "\",\"clientSecret\":\"" + secret + "\"}";
        return ledger.send(HttpRequest.newBuilder(URI.create(ledger.app.httpUrl() + "/v1/verify")).header("Authorization", "Bearer " + TestLedger.VERIFIER)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(withCredential)).build());
    }
}
