package dev.credledger.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Passes a query on to the instance that owns the account, with the caller's credentials, and relays
 * the answer as it is. A request forwarded once is never forwarded again: if the owner moved meanwhile,
 * the answer is a 503 to retry, not a loop.
 */
public final class Forwarder {

    public static final String FORWARDED_HEADER = "X-Credledger-Forwarded";

    private final HttpClient http;
    private final String scheme;

    /** Plain HTTP between instances. */
    public Forwarder() {
        this(null);
    }

    /** Over TLS when {@code tls} is given: instances reach each other with https, trusting the context's anchors. */
    public Forwarder(javax.net.ssl.SSLContext tls) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.http = builder.build();
        this.scheme = tls == null ? "http" : "https";
    }

    public boolean alreadyForwarded(Context ctx) {
        return ctx.header(FORWARDED_HEADER) != null;
    }

    public void forward(Context ctx, HostInfo owner) {
        String query = ctx.queryString();
        forward(ctx, owner, ctx.path() + (query == null ? "" : "?" + query));
    }

    /**
     * Asks another instance for {@code pathAndQuery} by GET, with the caller's credentials, for a part of an
     * answer this instance assembles. The body of a 200, or a 503 problem naming the instance.
     */
    public java.util.concurrent.CompletableFuture<String> ask(Context ctx, HostInfo other, String pathAndQuery) {
        HttpRequest request = get(ctx, other, pathAndQuery);
        String who = other.host() + ":" + other.port();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
            if (failure != null) {
                throw Problem.unavailable("the instance " + who + " did not answer its part; retry");
            }
            if (response.statusCode() != 200) {
                throw Problem.unavailable("the instance " + who + " could not answer its part (" + response.statusCode()
                        + "); retry");
            }
            return response.body();
        });
    }

    /**
     * Opens another instance's answer to a GET of {@code pathAndQuery}, with the caller's credentials, to read as it
     * arrives (a part of a streamed answer); a 503 problem if the instance does not answer 200.
     */
    public java.io.InputStream open(Context ctx, HostInfo other, String pathAndQuery) {
        String who = other.host() + ":" + other.port();
        try {
            HttpResponse<java.io.InputStream> response = http.send(get(ctx, other, pathAndQuery),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw Problem.unavailable("the instance " + who + " could not answer its part (" + response.statusCode()
                        + "); retry");
            }
            return response.body();
        } catch (IOException e) {
            throw Problem.unavailable("the instance " + who + " did not answer its part; retry");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Problem.unavailable("interrupted while asking the instance " + who);
        }
    }

    /** Forwards as a GET of {@code pathAndQuery}: a read asked by POST (to keep a secret out of URLs) goes on by its key. */
    public void forward(Context ctx, HostInfo owner, String pathAndQuery) {
        HttpRequest request = get(ctx, owner, pathAndQuery);
        try {
            // Relayed as a stream: an export of any size passes through in constant memory.
            HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            ctx.status(response.statusCode());
            response.headers().firstValue("Content-Type").ifPresent(ctx::contentType);
            for (String header : new String[] {"Retry-After", "Content-Disposition", "Cache-Control"}) {
                response.headers().firstValue(header).ifPresent(v -> ctx.header(header, v));
            }
            Streaming.write(ctx, out -> {
                try (java.io.InputStream body = response.body()) {
                    body.transferTo(out);
                }
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            throw Problem.unavailable("the instance that owns this account (" + owner.host() + ":" + owner.port()
                    + ") did not answer");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Problem.unavailable("interrupted while asking the owning instance");
        }
    }

    /**
     * Forwards a request that changes something (its method, body and credentials) to the instance that serves what
     * it changes, and relays the answer; {@code timeout} bounds the wait (a long poll holds its answer).
     */
    public void forwardChange(Context ctx, HostInfo owner, Duration timeout) {
        String query = ctx.queryString();
        URI uri = URI.create(scheme + "://" + owner.host() + ":" + owner.port() + ctx.path() + (query == null ? "" : "?" + query));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .method(ctx.method().name(), HttpRequest.BodyPublishers.ofByteArray(ctx.bodyAsBytes()))
                .header(FORWARDED_HEADER, "1");
        // Who asks and how: the key, the body's type, and what makes a retry a retry and names the actor.
        for (String header : new String[] {"Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Actor",
                "User-Agent"}) {
            String value = ctx.header(header);
            if (value != null) {
                request.header(header, value);
            }
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            ctx.status(response.statusCode());
            response.headers().firstValue("Content-Type").ifPresent(ctx::contentType);
            for (String header : new String[] {"Retry-After", "Cache-Control", "Location", "Idempotent-Replayed"}) {
                response.headers().firstValue(header).ifPresent(v -> ctx.header(header, v));
            }
            ctx.result(response.body());
        } catch (IOException e) {
            throw Problem.unavailable("the instance that serves this (" + owner.host() + ":" + owner.port() + ") did not answer");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Problem.unavailable("interrupted while asking the serving instance");
        }
    }

    /** A GET of {@code pathAndQuery} on {@code other}, marked as forwarded, with the caller's credentials. */
    private HttpRequest get(Context ctx, HostInfo other, String pathAndQuery) {
        URI uri = URI.create(scheme + "://" + other.host() + ":" + other.port() + pathAndQuery);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET()
                .header(FORWARDED_HEADER, "1");
        String authorization = ctx.header("Authorization");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.build();
    }
}
