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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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

    private static Path sealingKey;
    private static EmbeddedKafkaBroker broker;
    private static EmbeddedSchemaRegistry registry;
    private static LedgerApplication one;
    private static LedgerApplication two;
    private static Http first;
    private static Http second;

    @BeforeAll
    static void startTwoInstances() throws Exception {
        sealingKey = Files.createTempDirectory("credledger-two-keys-").resolve("sealing.key");
        dev.credledger.events.sealing.FileKeyring.generate(sealingKey);
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
                .withAuditLog(TestLedger.externalAuditLog())
                .withTokens(ADMIN, AUDITOR, VERIFIER)
                .withSigning(null, sealingKey)
                // The tests' client stands for a proxy, so that commands can come "from" other addresses.
                .withTrustedProxies(List.of(dev.credledger.events.model.Cidr.parse("127.0.0.1/32").orElseThrow()));
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
        // The credential report spans every account: each instance relays the other's part into one answer.
        for (Http via : List.of(first, second)) {
            java.util.Set<String> reported = new java.util.HashSet<>();
            via.get("/v1/reports/credentials?environment=sandbox", AUDITOR).json().path("items").forEach(row -> {
                if (ACCOUNTS.contains(row.path("accountId").asText())) {
                    reported.add(row.path("accountId").asText() + "/" + row.path("kind").asText());
                }
            });
            assertThat(reported).hasSize(ACCOUNTS.size() * 3);
            String csv = via.get("/v1/reports/credentials?format=csv&environment=sandbox", AUDITOR).raw();
            assertThat(ACCOUNTS).allSatisfy(account -> assertThat(csv).contains("\r\n" + account + ",sandbox,CLIENT_SECRET,"));
        }
    }

    @Test
    void whatOneActorOrAddressDidAcrossAccountsIsTheSameWholeAnswerFromEitherInstance() {
        String actor = "oncall@example.com";
        List<String> accounts = java.util.stream.IntStream.range(0, 10).mapToObj(i -> "party-" + i).toList();
        int expected = 0;
        for (int i = 0; i < accounts.size(); i++) {
            Http via = i % 2 == 0 ? first : second;
            String base = "/v1/accounts/" + accounts.get(i) + "/environments/sandbox";
            String from = i % 3 == 0 ? "2001:db8::9" : "203.0.113.9";
            assertThat(via.post(base + "/api/enable", ADMIN, null, "X-Actor", actor, "X-Forwarded-For", from).status())
                    .isEqualTo(201);
            assertThat(via.post(base + "/credentials", ADMIN, "{\"name\":\"svc-gateway\"}", "X-Actor", actor,
                    "X-Forwarded-For", from).status()).isEqualTo(201);
            expected += 2;
        }
        List<JsonNode> trails = new java.util.ArrayList<>();
        for (String account : accounts) {
            first.get("/v1/accounts/" + account + "/audit", AUDITOR).json().path("items").forEach(trails::add);
        }
        int total = expected;
        await("every record indexed", () -> pages(first, "actor=" + actor, 1000).size() == total);

        List<JsonNode> viaFirst = pages(first, "actor=" + actor, 3);
        List<JsonNode> viaSecond = pages(second, "actor=" + actor, 3);

        assertThat(viaFirst).hasSize(expected).isEqualTo(viaSecond);
        assertThat(viaFirst).extracting(i -> Instant.parse(i.path("time").asText())).isSorted();
        assertThat(viaFirst).extracting(i -> i.path("hash").asText())
                .containsExactlyInAnyOrderElementsOf(trails.stream().map(t -> t.path("hash").asText()).toList());
        List<JsonNode> fromV6 = pages(second, "sourceIp=2001:DB8:0:0::9", 2);
        assertThat(fromV6).hasSize(8).isEqualTo(pages(first, "actor=" + actor + "&sourceIp=2001:db8::9", 5))
                .allSatisfy(i -> assertThat(i.path("sourceIp").asText()).isEqualTo("2001:db8::9"));
        assertThat(pages(first, "sourceIp=203.0.113.9", 4)).hasSize(12);
    }

    /** Every item of a cross-account query, following the cursor page by page. */
    private static List<JsonNode> pages(Http via, String query, int limit) {
        List<JsonNode> items = new java.util.ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 1000; page++) {
            Http.Response r = via.get("/v1/audit?" + query + "&limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor), AUDITOR);
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            r.json().path("items").forEach(items::add);
            if (r.json().path("nextCursor").isNull()) {
                return items;
            }
            cursor = r.json().path("nextCursor").asText();
        }
        throw new AssertionError("more than 1000 pages");
    }

    @Test
    void aRevocationThroughOneInstanceIsSeenByVerificationOnTheOther() {
        String base = "/v1/accounts/cross-instance/environments/sandbox";
        String token = first.post(base + "/api/enable", ADMIN, null).json().path("authToken").asText();
        await("token active on the other instance", () -> verify(second, token).path("active").asBoolean());

        assertThat(first.post(base + "/api/refresh", ADMIN, "{\"reason\":\"COMPROMISED\"}").status()).isEqualTo(200);

        await("revocation seen on the other instance", () -> "REVOKED".equals(verify(second, token).path("reason").asText()));
    }

    @Test
    void everyAccountsProofAndEveryLogsConsistencyAnswerTheSameFromEitherInstance() {
        // The logs live on both instances (one per partition); a proof or consistency asked of the other is forwarded.
        for (String account : ACCOUNTS) {
            // Enabled here or by another test: either way (a refusal is audited too) the account has a first record.
            first.post("/v1/accounts/" + account + "/environments/sandbox/api/enable", ADMIN, null);
        }
        for (String account : ACCOUNTS) {
            await("a checkpoint covers " + account + "'s first record",
                    () -> first.get("/v1/accounts/" + account + "/audit/1/proof", AUDITOR).status() == 200);
        }
        Set<String> origins = new HashSet<>();
        for (String account : ACCOUNTS) {
            JsonNode viaFirst = first.get("/v1/accounts/" + account + "/audit/1/proof", AUDITOR).json();
            JsonNode viaSecond = second.get("/v1/accounts/" + account + "/audit/1/proof", AUDITOR).json();
            assertThat(viaSecond.path("leafIndex")).isEqualTo(viaFirst.path("leafIndex"));
            assertThat(viaSecond.path("leafHash")).isEqualTo(viaFirst.path("leafHash"));
            origins.add(viaFirst.path("origin").asText());
            String consistency = "/v1/audit/consistency?origin=" + viaFirst.path("origin").asText() + "&from=1&to="
                    + viaFirst.path("treeSize").asLong();
            assertThat(second.get(consistency, AUDITOR).json()).isEqualTo(first.get(consistency, AUDITOR).json());
        }
        assertThat(origins.size()).as("the accounts span logs held by both instances").isGreaterThan(1);
        assertThat(second.get("/v1/audit/checkpoints", AUDITOR).json().path("items").findValuesAsText("origin"))
                .containsAll(origins);
    }

    private static JsonNode verify(Http via, String token) {
        return via.post("/v1/verify", VERIFIER, null, "X-Auth-Token", token).json();
    }

    private static Set<HostInfo> owners() {
        return owners(one.streams(), ACCOUNTS);
    }

    /** The instances that own the views of {@code accounts}, as {@code streams} sees it. */
    static Set<HostInfo> owners(KafkaStreams streams, List<String> accounts) {
        Set<HostInfo> hosts = new HashSet<>();
        for (String account : accounts) {
            var metadata = streams.queryMetadataForKey(Stores.COMMAND_API_ACCESS, account, Serdes.String().serializer());
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
