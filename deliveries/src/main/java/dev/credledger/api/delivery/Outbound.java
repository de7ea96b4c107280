package dev.credledger.api.delivery;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpMethod;

/**
 * The HTTP client deliveries go out with (Jetty's). Addresses are checked by {@link SafeAddresses}' resolver;
 * redirects are never followed (a 3xx is a failed attempt: following one would let a receiver point the ledger at
 * an address it refused); the response body is never read; each attempt is bounded in time.
 */
public final class Outbound implements AutoCloseable {

    /** What one attempt got: the HTTP status (0 if none), how long it took, and why it failed if it did. */
    public record Response(int status, long durationMs, String error) {}

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient client = new HttpClient();

    public Outbound(SafeAddresses addresses) {
        client.setSocketAddressResolver(addresses.resolver());
        client.setFollowRedirects(false);
        client.setConnectTimeout(CONNECT_TIMEOUT.toMillis());
        client.setIdleTimeout(ATTEMPT_TIMEOUT.toMillis());
        client.setMaxConnectionsPerDestination(8);
        client.setUserAgentField(new org.eclipse.jetty.http.HttpField(org.eclipse.jetty.http.HttpHeader.USER_AGENT,
                "credledger-delivery/1"));
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("the outbound HTTP client did not start", e);
        }
    }

    /** POSTs {@code body}; never throws for a failure of the receiver or the network (see {@link Response#error}). */
    public Response post(URI url, String contentType, Map<String, String> headers, byte[] body) {
        long started = System.nanoTime();
        CompletableFuture<Result> done = new CompletableFuture<>();
        try {
            client.newRequest(url)
                    .method(HttpMethod.POST)
                    .timeout(ATTEMPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .headers(h -> headers.forEach(h::put))
                    .body(new BytesRequestContent(contentType, body))
                    .send(done::complete);
            Result result = done.get(ATTEMPT_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            long ms = (System.nanoTime() - started) / 1_000_000;
            int status = result.getResponse() == null ? 0 : result.getResponse().getStatus();
            Throwable failure = result.getFailure();
            if (failure != null && status == 0) {
                return new Response(0, ms, describe(failure));
            }
            return new Response(status, ms, null);
        } catch (TimeoutException e) {
            return new Response(0, (System.nanoTime() - started) / 1_000_000, "no answer within " + ATTEMPT_TIMEOUT.toSeconds() + " s");
        } catch (ExecutionException e) {
            return new Response(0, (System.nanoTime() - started) / 1_000_000, describe(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Response(0, (System.nanoTime() - started) / 1_000_000, "interrupted");
        } catch (RuntimeException e) {
            return new Response(0, (System.nanoTime() - started) / 1_000_000, describe(e));
        }
    }

    /** A failure as a receiver's owner may read it: its kind and the message of ours, never a stack or a URL path. */
    static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof SafeAddresses.Refused refused) {
            return "refused: " + refused.getMessage();
        }
        if (root instanceof java.net.ConnectException) {
            return "connection refused";
        }
        if (root instanceof java.net.SocketTimeoutException || root instanceof TimeoutException) {
            return "timed out";
        }
        if (root instanceof javax.net.ssl.SSLException) {
            return "TLS handshake failed";
        }
        if (root instanceof java.net.UnknownHostException) {
            return "the host does not resolve";
        }
        return "failed (" + root.getClass().getSimpleName() + ")";
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(Outbound.class).debug("Outbound client stop: {}", e.toString());
        }
    }
}
