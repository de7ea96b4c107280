package dev.credledger.bench;

import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Environment;
import dev.credledger.processors.domain.Command;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.HdrHistogram.Histogram;

/**
 * Audit queries: one page of 100 records at a random point in time, for an account with many records,
 * over HTTP, one request at a time. Baseline: {@code GET /health/live} with the same client.
 */
final class AuditQueries {

    private final Benchmarks b;
    private final Report report;

    AuditQueries(Benchmarks b, Report report) {
        this.b = b;
        this.report = report;
    }

    void run(int records, int queries) throws Exception {
        AccountId account = new AccountId("bench-audit");
        Instant from = Instant.now();
        b.writeHistory(account, records, i -> i % 2 == 1
                ? new Command.AllowIp(b.meta(account), Environment.SANDBOX, "192.0.2.1")
                : new Command.RemoveIp(b.meta(account), Environment.SANDBOX, "192.0.2.1"));
        Instant to = Instant.now();

        HttpClient http = HttpClient.newHttpClient();
        Random random = new Random(42);
        String base = b.app.httpUrl() + "/v1/accounts/" + account + "/audit?limit=100&from=";
        Histogram page = new Histogram(3);
        Histogram health = new Histogram(3);
        for (int i = 0; i < queries + 200; i++) {
            Instant at = from.plusMillis((long) (random.nextDouble() * Duration.between(from, to).toMillis()));
            long start = System.nanoTime();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + at))
                    .header("Authorization", "Bearer " + Benchmarks.ADMIN).build(), HttpResponse.BodyHandlers.ofString());
            long took = (System.nanoTime() - start) / 1000;
            if (r.statusCode() != 200) {
                throw new IllegalStateException("audit query failed: " + r.statusCode() + " " + r.body());
            }
            if (i >= 200) {
                page.recordValue(took);
            }
        }
        for (int i = 0; i < queries + 200; i++) {
            long start = System.nanoTime();
            http.send(HttpRequest.newBuilder(URI.create(b.app.httpUrl() + "/health/live")).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (i >= 200) {
                health.recordValue((System.nanoTime() - start) / 1000);
            }
        }
        report.line(String.format("audit query (page of 100 at a random time, account with %,d records, over HTTP): %s"
                + " (target p99 <= 10 ms with 1M records; measured with %,d)", records, Report.millis(page), records));
        report.line("  baseline, same run: GET /health/live, same client: " + Report.millis(health));
    }
}
