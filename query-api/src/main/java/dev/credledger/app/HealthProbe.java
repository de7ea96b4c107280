package dev.credledger.app;

import dev.credledger.api.TlsFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A container health check without curl in the image: exits 0 when the URL answers 200, else 1.
 * {@code java -cp credledger.jar dev.credledger.app.HealthProbe [URL]}. Without a URL it asks this instance's
 * {@code /health/ready} as the instance is configured: port {@code CREDLEDGER_HTTP_PORT} (8080), and over https,
 * trusting the instance's own certificate, when {@code CREDLEDGER_TLS_CERT} is set — so one health check line serves
 * with and without TLS. An https URL given explicitly is trusted the same way when {@code CREDLEDGER_TLS_CERT} is set.
 */
public final class HealthProbe {

    private HealthProbe() {}

    public static void main(String[] args) {
        System.exit(probe(args, System.getenv()) ? 0 : 1);
    }

    static boolean probe(String[] args, Map<String, String> env) {
        String cert = blankToNull(env.get("CREDLEDGER_TLS_CERT"));
        String port = blankToNull(env.get("CREDLEDGER_HTTP_PORT"));
        String url = args.length > 0 ? args[0]
                : (cert != null ? "https" : "http") + "://127.0.0.1:" + (port != null ? port : "8080") + "/health/ready";
        try {
            HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
            if (url.startsWith("https:") && cert != null) {
                client.sslContext(TlsFiles.trusting(Path.of(cert)));
            }
            HttpResponse<Void> response = client.build()
                    .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).GET().build(),
                            HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
