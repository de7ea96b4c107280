package dev.credledger.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A streamed answer that breaks after it started is not passed off as complete: on a real Jetty server, the
 * client's read fails. One that breaks before anything was sent is answered by the error handler as usual.
 */
class StreamingTest {

    private static final byte[] LINE = ("{\"record\":\"" + "x".repeat(100) + "\"}\n").getBytes(StandardCharsets.UTF_8);
    private static Javalin server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = Javalin.create(config -> {
            config.routes.get("/whole", ctx -> Streaming.write(ctx, out -> {
                for (int i = 0; i < 2_000; i++) {
                    out.write(LINE);
                }
            }));
            config.routes.get("/breaks-midway", ctx -> Streaming.write(ctx, out -> {
                for (int i = 0; i < 2_000; i++) { // ~230 KB: far past the response buffer, so the start is sent
                    out.write(LINE);
                }
                throw new IllegalStateException("the store went away");
            }));
            config.routes.get("/breaks-at-once", ctx -> Streaming.write(ctx, out -> {
                out.write(LINE);
                throw new IllegalStateException("the store went away");
            }));
            config.routes.exception(IllegalStateException.class, (e, ctx) -> ctx.status(503).result("problem"));
        }).start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    private static HttpResponse<byte[]> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aBodyThatIsWrittenToTheEndArrivesWhole() throws Exception {
        HttpResponse<byte[]> r = get("/whole");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).hasSize(LINE.length * 2_000);
    }

    @Test
    void aBodyThatBreaksAfterItsStartWasSentFailsTheClientsReadInsteadOfEndingCleanly() {
        assertThatThrownBy(() -> get("/breaks-midway")).isInstanceOf(IOException.class);
    }

    @Test
    void aBodyThatBreaksBeforeAnythingWasSentIsAnsweredByTheErrorHandler() throws Exception {
        HttpResponse<byte[]> r = get("/breaks-at-once");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("problem");
    }
}
