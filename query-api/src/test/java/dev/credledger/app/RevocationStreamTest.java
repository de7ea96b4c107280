package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.credledger.api.Http;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /v1/revocations/stream} over real HTTP on a real broker: a revocation arrives as an SSE event within a
 * second of the command; a client that reconnects with Last-Event-ID gets exactly what it missed, no repeat; a leak
 * report under a notify policy arrives as {@code leak-reported}; a quiet stream sends heartbeats; bad positions and
 * the wrong role are refused.
 */
class RevocationStreamTest {

    private static final String SCANNER = "stream-scanner-key";

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger(s -> s.withLeaks(new Settings.Leaks(SCANNER, null, true))
            .withStreamHeartbeat(Duration.ofMillis(300)));

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Event(String id, String type, JsonNode data) {}

    /** An open stream: its lines, read on a thread of their own, and a way to close it. */
    private static final class Stream implements AutoCloseable {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final InputStream body;

        Stream(String lastEventId) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(LEDGER.app().httpUrl() + "/v1/revocations/stream"))
                    .header("Authorization", "Bearer " + VERIFIER).header("Accept", "text/event-stream").GET();
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<InputStream> response = HttpClient.newHttpClient().send(request.build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            body = response.body();
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (java.io.IOException e) {
                    // closed by the test
                }
            });
            assertThat(next(Duration.ofSeconds(10))).isEqualTo("retry: 2000");
            assertThat(next(Duration.ofSeconds(1))).isEqualTo(": connected");
            assertThat(next(Duration.ofSeconds(1))).isEmpty();
        }

        String next(Duration within) throws InterruptedException {
            String line = lines.poll(within.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new AssertionError("no line from the stream within " + within);
            }
            return line;
        }

        /** The next event (comments and heartbeats skipped), within {@code within}. */
        Event event(Duration within) throws Exception {
            long deadline = System.nanoTime() + within.toNanos();
            String id = null;
            String type = null;
            String data = null;
            while (true) {
                String line = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                } else if (line.isEmpty() && type != null) {
                    return new Event(id, type, JSON.readTree(data));
                }
            }
        }

        /** Whether nothing but comments and blank lines arrive within {@code quiet}. */
        boolean quietFor(Duration quiet) throws InterruptedException {
            long deadline = System.nanoTime() + quiet.toNanos();
            while (System.nanoTime() < deadline) {
                String line = lines.poll(10, TimeUnit.MILLISECONDS);
                if (line != null && !line.isEmpty() && !line.startsWith(":")) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void close() throws Exception {
            body.close();
        }
    }

    private static Http http() {
        return LEDGER.http();
    }

    private static JsonNode enable(String account) {
        Http.Response r = http().post("/v1/accounts/" + account + "/environments/sandbox/api/enable", ADMIN, null);
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        return r.json();
    }

    @Test
    void aRevocationArrivesWithinASecondAndAReconnectGetsExactlyWhatItMissed() throws Exception {
        JsonNode enabled = enable("stream-a");
        String firstId;
        try (Stream stream = new Stream(null)) {
            long sent = System.nanoTime();
            Http.Response refreshed = http().post("/v1/accounts/stream-a/environments/sandbox/api/refresh", ADMIN,
                    "{\"reason\":\"COMPROMISED\"}");
            assertThat(refreshed.status()).isEqualTo(200);

            Event revoked = stream.event(Duration.ofSeconds(10));
            long tookMs = (System.nanoTime() - sent) / 1_000_000;

            assertThat(revoked.type()).isEqualTo("revocation");
            assertThat(revoked.data().path("prefix").asText()).isEqualTo(enabled.path("authToken").asText().substring(0, 13));
            assertThat(revoked.data().path("reason").asText()).isEqualTo("TOKEN_COMPROMISED");
            assertThat(revoked.data().path("eventId").asText())
                    .isEqualTo(refreshed.json().path("revoked").get(0).path("revocationId").asText());
            assertThat(revoked.data().toString()).doesNotContain(enabled.path("authToken").asText());
            System.out.printf("[sse] command sent to event received: %d ms%n", tookMs);
            firstId = revoked.id();
        }

        // Missed while disconnected: the disable's two revocations.
        Http.Response disabled = http().post("/v1/accounts/stream-a/environments/sandbox/api/disable", ADMIN, null);
        assertThat(disabled.status()).isEqualTo(200);

        try (Stream resumed = new Stream(firstId)) {
            List<String> kinds = new ArrayList<>();
            kinds.add(resumed.event(Duration.ofSeconds(5)).data().path("kind").asText());
            kinds.add(resumed.event(Duration.ofSeconds(5)).data().path("kind").asText());
            assertThat(kinds).containsExactlyInAnyOrder("AUTH_TOKEN", "PRIVATE_SALT");
            assertThat(resumed.quietFor(Duration.ofSeconds(1))).as("nothing repeated, nothing more").isTrue();
        }
    }

    @Test
    void aLeakReportUnderANotifyPolicyArrivesAsLeakReportedAndAQuietStreamHasHeartbeats() throws Exception {
        String token = enable("stream-b").path("authToken").asText();
        assertThat(http().send("PUT", "/v1/accounts/stream-b/leak-policy", ADMIN, "{\"mode\":\"notify\"}").status())
                .isEqualTo(200);
        try (Stream stream = new Stream(null)) {
            assertThat(stream.next(Duration.ofSeconds(2))).as("a quiet stream's heartbeat").isEqualTo(": heartbeat");

            Http.Response report = http().post("/v1/leaks", SCANNER, "[{\"token\":\"" + token
                    + "\",\"type\":\"t\",\"url\":\"https://gist.github.com/x\",\"source\":\"gist\"}]");
            assertThat(report.status()).as(report.raw()).isEqualTo(200);

            Event leak = stream.event(Duration.ofSeconds(2));
            assertThat(leak.type()).isEqualTo("leak-reported");
            assertThat(leak.data().path("outcome").asText()).isEqualTo("NOTIFIED");
            assertThat(leak.data().path("url").asText()).isEqualTo("https://gist.github.com/x");
            assertThat(leak.data().path("prefix").asText()).isEqualTo(token.substring(0, 13));
            assertThat(leak.data().toString()).doesNotContain(token);
        }
    }

    @Test
    void aPositionThatIsNotOneAndTheWrongRoleAreRefused() {
        // Not one this stream sent: a topic missing, a partition twice, a number not as the stream writes it, a
        // partition that does not exist.
        for (String bad : new String[] {"nonsense", "r0-1.x", "r0-99999999999", "r0-" + "9".repeat(25), "r0-0", "e0-0",
                "e0-0.r0-0.r0-0", "e0-00.r0-0", "r0-0.e0-0", "e0-0.e999-0.r0-0"}) {
            Http.Response r = http().send("GET", "/v1/revocations/stream", VERIFIER, null, "Last-Event-ID", bad);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        }
        assertThat(http().send("GET", "/v1/revocations/stream", AUDITOR, null).status()).isEqualTo(403);
        assertThat(http().send("HEAD", "/v1/revocations/stream", null, null).status()).isEqualTo(401);
    }
}
