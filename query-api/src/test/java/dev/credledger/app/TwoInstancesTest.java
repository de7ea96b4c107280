package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credledger.api.Http;
import dev.credledger.embedded.EmbeddedKafkaBroker;
import dev.credledger.events.registry.server.EmbeddedSchemaRegistry;
import dev.credledger.processors.topology.Stores;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two ledger instances on one real in-process broker share the work by partitions: every query answers
 * the same from either instance, and a revocation made through one is seen by verification on the other.
 */
class TwoInstancesTest {

    private static final List<String> ACCOUNTS = java.util.stream.IntStream.range(0, 12).mapToObj(i -> "tenant-" + i).toList();

    private static EmbeddedKafkaBroker broker;
    private static EmbeddedSchemaRegistry registry;
    private static LedgerApplication one;
    private static LedgerApplication two;
    private static Http first;
    private static Http second;

    @BeforeAll
    static void startTwoInstances() throws Exception {
        broker = EmbeddedKafkaBroker.start();
        registry = EmbeddedSchemaRegistry.start(EmbeddedSchemaRegistry.Settings.local(broker.bootstrapServers(), 0));
        one = LedgerApplication.start(instance());
        two = LedgerApplication.start(instance());
        first = new Http(one.httpUrl());
        second = new Http(two.httpUrl());
        TestLedger.awaitReady(one, first);
        TestLedger.awaitReady(two, second);
        await("both instances own partitions", () -> owners().size() == 2);
    }

    private static Settings instance() throws Exception {
        return Settings.embedded(Files.createTempDirectory("credledger-two-"), 0, 0, 0)
                .withExternal(broker.bootstrapServers(), registry.url())
                .withTokens(ADMIN, AUDITOR, VERIFIER);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {two, one, registry, broker}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void everyQueryAnswersTheSameFromEitherInstance() {
        java.util.Map<String, String> tokens = new java.util.HashMap<>();
        java.util.Map<String, String> credentials = new java.util.HashMap<>();
        for (int i = 0; i < ACCOUNTS.size(); i++) {
            String account = ACCOUNTS.get(i);
            Http via = i % 2 == 0 ? first : second;
            String base = "/v1/accounts/" + account + "/environments/sandbox";
            Http.Response enabled = via.post(base + "/api/enable", ADMIN, null);
            assertThat(enabled.status()).isEqualTo(201);
            tokens.put(account, enabled.json().path("authToken").asText());
            Http.Response created = via.post(base + "/credentials", ADMIN, "{\"name\":\"cred-" + i + "-x\"}");
            assertThat(created.status()).isEqualTo(201);
            credentials.put(account, created.json().path("credentialId").asText());
        }
        Set<HostInfo> owners = owners();
        assertThat(owners).hasSize(2);
        java.time.Instant asOf = java.time.Instant.now();

        for (String account : ACCOUNTS) {
            String base = "/v1/accounts/" + account + "/environments/sandbox";
            String fingerprint = dev.credledger.events.model.Fingerprint.of(tokens.get(account)).hex();
            for (String path : List.of(base + "/api", base + "/credentials", "/v1/accounts/" + account + "/audit",
                    "/v1/accounts/" + account + "/state?asOf=" + asOf,
                    "/v1/accounts/" + account + "/credentials/" + credentials.get(account) + "/history",
                    "/v1/secrets/" + fingerprint)) {
                Http.Response a = first.get(path, AUDITOR);
                Http.Response b = second.get(path, AUDITOR);
                assertThat(a.status()).as(path).isEqualTo(200);
                assertThat(b.status()).as(path).isEqualTo(200);
                assertThat(a.json()).as(path).isEqualTo(b.json());
            }
            String lookup = "{\"secret\":\"" + tokens.get(account) + "\"}";
            assertThat(first.post("/v1/secrets/lookup", AUDITOR, lookup).json())
                    .isEqualTo(second.post("/v1/secrets/lookup", AUDITOR, lookup).json())
                    .isEqualTo(first.get("/v1/secrets/" + fingerprint, AUDITOR).json());
            JsonNode api = first.get(base + "/api", AUDITOR).json();
            assertThat(api.path("enabled").asBoolean()).isTrue();
            assertThat(second.get(base + "/credentials", AUDITOR).json().path("items")).hasSize(1);
        }
    }

    @Test
    void aRevocationThroughOneInstanceIsSeenByVerificationOnTheOther() {
        String base = "/v1/accounts/cross-instance/environments/sandbox";
        String token = first.post(base + "/api/enable", ADMIN, null).json().path("authToken").asText();
        await("token active on the other instance", () -> verify(second, token).path("active").asBoolean());

        assertThat(first.post(base + "/api/refresh", ADMIN, "{\"reason\":\"COMPROMISED\"}").status()).isEqualTo(200);

        await("revocation seen on the other instance", () -> "REVOKED".equals(verify(second, token).path("reason").asText()));
    }

    private static JsonNode verify(Http via, String token) {
        return via.post("/v1/verify", VERIFIER, null, "X-Auth-Token", token).json();
    }

    private static Set<HostInfo> owners() {
        Set<HostInfo> hosts = new HashSet<>();
        KafkaStreams streams = one.streams();
        for (String account : ACCOUNTS) {
            var metadata = streams.queryMetadataForKey(Stores.VIEW_API_ACCESS, account, Serdes.String().serializer());
            if (metadata != null && metadata.activeHost() != null && metadata.activeHost().port() > 0) {
                hosts.add(metadata.activeHost());
            }
        }
        return hosts;
    }

    private static void await(String what, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }
}
