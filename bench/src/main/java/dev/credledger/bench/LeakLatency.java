package dev.credledger.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.HdrHistogram.Histogram;

/**
 * Leak response over HTTP on loopback: {@code n} reports of one active auth token each, in GitHub's format, sent one
 * at a time; timed from sending the report to its answer, and to a {@code /v1/verify} of the token that refuses it
 * (sent right after the answer). Every token must be refused. Baselines, same run: the same revocation asked by the
 * account's admin ({@code POST …/api/refresh} {@code COMPROMISED}, answered once this instance's lookup shows it, as a
 * leak report is), and {@code GET /health/live}, same client.
 */
final class LeakLatency {

    private final Benchmarks b;
    private final Report report;

    LeakLatency(Benchmarks b, Report report) {
        this.b = b;
        this.report = report;
    }

    void run(int n) throws Exception {
        int warmUp = 20;
        if (b.activeTokens.size() < n + warmUp) {
            report.line("leak response: not measured (" + b.activeTokens.size() + " active tokens, need " + (n + warmUp) + ")");
            return;
        }
        HttpClient client = HttpClient.newHttpClient();
        String base = b.app.httpUrl();
        Histogram answered = new Histogram(3);
        Histogram refused = new Histogram(3);
        int stillActive = 0;
        for (int i = 0; i < n + warmUp; i++) {
            String token = b.activeTokens.get(b.activeTokens.size() - 1 - i);
            String body = "[{\"token\":\"" + token + "\",\"type\":\"credledger_auth_token\",\"url\":\"https://example.com/bench/"
                    + i + "\",\"source\":\"content\"}]";
            long start = System.nanoTime();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/leaks"))
                    .header("Authorization", "Bearer " + Benchmarks.ADMIN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            long answer = System.nanoTime();
            if (r.statusCode() != 200 || !r.body().contains("true_positive")) {
                throw new IllegalStateException("leak report answered " + r.statusCode() + ": " + r.body());
            }
            HttpResponse<String> v = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/verify"))
                    .header("Authorization", "Bearer " + Benchmarks.VERIFIER).header("X-Auth-Token", token)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            long verified = System.nanoTime();
            if (i < warmUp) {
                continue;
            }
            if (!v.body().contains("\"active\":false")) {
                stillActive++;
            }
            answered.recordValue((answer - start) / 1000);
            refused.recordValue((verified - start) / 1000);
        }
        b.activeTokens.subList(b.activeTokens.size() - n - warmUp, b.activeTokens.size()).clear();
        report.line("leak response (POST /v1/leaks of one active token, one at a time): answered " + Report.millis(answered)
                + "; refused by /v1/verify sent right after: " + Report.millis(refused) + ", still active: " + stillActive
                + " (target: within the propagation bar, p50 <= 20 ms, p99 <= 50 ms)");
        Histogram refresh = new Histogram(3);
        for (int i = 0; i < Math.min(n, b.accounts.size()); i++) {
            long start = System.nanoTime();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/accounts/"
                    + b.accounts.get(i).value() + "/environments/sandbox/api/refresh"))
                    .header("Authorization", "Bearer " + Benchmarks.ADMIN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"COMPROMISED\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                refresh.recordValue((System.nanoTime() - start) / 1000);
            }
        }
        report.line("  baseline, same run: POST …/api/refresh COMPROMISED by the account's admin: " + Report.millis(refresh));
        Histogram baseline = new Histogram(3);
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            client.send(HttpRequest.newBuilder(URI.create(base + "/health/live")).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            baseline.recordValue((System.nanoTime() - start) / 1000);
        }
        report.line("  baseline, same run: GET /health/live, same client: " + Report.millis(baseline));
    }
}
