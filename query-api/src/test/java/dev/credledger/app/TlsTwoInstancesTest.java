package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.api.TlsFiles;
import dev.credledger.embedded.EmbeddedKafkaBroker;
import dev.credledger.events.registry.server.EmbeddedSchemaRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two instances with TLS on one broker: each account's views are owned by one of them, and a read asked of the other
 * is forwarded over https (trusting the shared certificate) — the same answer from either, never a plain-HTTP hop.
 */
class TlsTwoInstancesTest {

    private static final List<String> ACCOUNTS = List.of("tls-1", "tls-2", "tls-3", "tls-4", "tls-5", "tls-6", "tls-7", "tls-8");

    private static Path dir;
    private static EmbeddedKafkaBroker broker;
    private static EmbeddedSchemaRegistry registry;
    private static LedgerApplication one;
    private static LedgerApplication two;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("credledger-tls-two-");
        TlsTest.writeIdentity(dir);
        client = HttpClient.newBuilder().sslContext(TlsFiles.trusting(dir.resolve("cert.pem")))
                .connectTimeout(Duration.ofSeconds(2)).build();
        broker = EmbeddedKafkaBroker.start();
        registry = EmbeddedSchemaRegistry.start(EmbeddedSchemaRegistry.Settings.local(broker.bootstrapServers(), 0));
        one = LedgerApplication.start(instance());
        two = LedgerApplication.start(instance());
        await(() -> status(one, "GET", "/health/ready", null) == 200 && status(two, "GET", "/health/ready", null) == 200);
        for (String account : ACCOUNTS) {
            // During the second instance's join a command may time out (503); repeated, it is done (201) or was (409).
            await(() -> {
                int status = status(one, "POST", "/v1/accounts/" + account + "/environments/sandbox/api/enable", ADMIN);
                return status == 201 || status == 409;
            });
        }
        await(() -> owners().size() == 2);
    }

    private static Settings instance() throws Exception {
        return Settings.embedded(Files.createTempDirectory("credledger-tls-two-"), 0, 0, 0)
                .withExternal(broker.bootstrapServers(), registry.url())
                .withAuditLog(TestLedger.externalAuditLog())
                .withTokens(ADMIN, AUDITOR, VERIFIER)
                .withSigning(null, TestLedger.sealingKeyFile())
                .withTls(new Settings.Tls(dir.resolve("cert.pem"), dir.resolve("key.pem")));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {two, one, registry, broker}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void readsOfAccountsOwnedByTheOtherInstanceAreForwardedOverHttpsWithTheSameAnswer() throws Exception {
        for (String account : ACCOUNTS) {
            String path = "/v1/accounts/" + account + "/environments/sandbox/api";
            HttpResponse<String> a = get(one, path);
            HttpResponse<String> b = get(two, path);
            assertThat(a.statusCode()).as(account + " via one: " + a.body()).isEqualTo(200);
            assertThat(b.statusCode()).as(account + " via two: " + b.body()).isEqualTo(200);
            assertThat(a.body()).isEqualTo(b.body()).contains("\"enabled\":true");
        }
        // The report relays the other instance's part over https, row by row.
        for (LedgerApplication via : List.of(one, two)) {
            String report = get(via, "/v1/reports/credentials?format=csv").body();
            assertThat(ACCOUNTS).allSatisfy(account -> assertThat(report).contains("\r\n" + account + ",sandbox,AUTH_TOKEN,"));
        }
    }

    private static HttpResponse<String> get(LedgerApplication app, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(app.httpUrl() + path)).header("Authorization", "Bearer " + AUDITOR)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int status(LedgerApplication app, String method, String path, String key) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(app.httpUrl() + path))
                    .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(15));
            if (key != null) {
                request.header("Authorization", "Bearer " + key);
            }
            return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static Set<HostInfo> owners() {
        return TwoInstancesTest.owners(one.streams(), ACCOUNTS);
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 90 s");
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }
}
