package dev.credledger.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.credledger.app.LedgerApplication;
import dev.credledger.app.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;

/** A real ledger for a test class (embedded broker, registry, Streams, HTTP), with its keys and HTTP helpers. */
final class TestLedger implements AutoCloseable {

    static final String ADMIN = "client-test-admin";
    static final String AUDITOR = "client-test-auditor";
    static final String VERIFIER = "client-test-verifier";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final LedgerApplication app;

    private TestLedger(LedgerApplication app) {
        this.app = app;
    }

    static TestLedger start(UnaryOperator<Settings> configure) throws Exception {
        TestLedger ledger = new TestLedger(LedgerApplication.start(configure.apply(
                Settings.embedded(Files.createTempDirectory("credledger-client-"), 0, 0, 0).withTokens(ADMIN, AUDITOR, VERIFIER))));
        await("the ledger is ready", () -> ledger.status("/health/ready") == 200);
        return ledger;
    }

    RevocationClient client(String point, UnaryOperator<RevocationClient.Builder> configure) throws InterruptedException {
        RevocationClient c = configure.apply(RevocationClient.builder().bootstrapServers(app.bootstrapServers())
                .schemaRegistryUrl(app.registryUrl()).enforcementPoint(point)).build();
        c.start();
        assertThat(c.awaitReady(Duration.ofSeconds(30))).as(point + " ready").isTrue();
        return c;
    }

    JsonNode post(String path, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(app.httpUrl() + path)).header("Authorization", "Bearer " + ADMIN);
        r = body == null ? r.POST(HttpRequest.BodyPublishers.noBody())
                : r.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        return send(r.build());
    }

    /** A GET as the auditor. */
    JsonNode audit(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(app.httpUrl() + path)).header("Authorization", "Bearer " + AUDITOR).build());
    }

    JsonNode send(HttpRequest request) throws Exception {
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    String text(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(app.httpUrl() + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(app.httpUrl() + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return 0;
        }
    }

    @Override
    public void close() {
        app.close();
    }

    interface Check {
        boolean holds() throws Exception;
    }

    /** Polls {@code condition} until it holds, for at most 30 s. */
    static void await(String what, Check condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
        }
    }

    /** Closes each, in order, then fails if any failed. */
    static void closeAll(AutoCloseable... all) {
        AssertionError failed = null;
        for (AutoCloseable c : all) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                failed = failed == null ? new AssertionError(e) : failed;
            }
        }
        if (failed != null) {
            throw failed;
        }
    }
}
