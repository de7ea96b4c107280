package dev.credledger.bench;

import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Environment;
import dev.credledger.processors.domain.Command;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Random;
import org.HdrHistogram.Histogram;

/**
 * Cross-account activity (issue 10's target: a page of 100 within the audit-page bar): one actor, from one
 * address, acting in many accounts; pages of 100 by actor and by address from a random instant, over HTTP,
 * one request at a time. Baseline: an audit page of 100 of one of those accounts, same client, same run.
 */
final class ActivityQueries {

    private final Benchmarks b;
    private final Report report;

    ActivityQueries(Benchmarks b, Report report) {
        this.b = b;
        this.report = report;
    }

    void run(int accounts, int eventsPerAccount, int queries) throws Exception {
        Instant from = Instant.now();
        for (int a = 0; a < accounts; a++) {
            AccountId account = new AccountId("bench-activity-" + a);
            b.writeHistory(account, eventsPerAccount, i -> i % 2 == 1
                    ? new Command.AllowIp(b.meta(account), Environment.SANDBOX, "198.51.100.1")
                    : new Command.RemoveIp(b.meta(account), Environment.SANDBOX, "198.51.100.1"));
        }
        HttpClient http = HttpClient.newHttpClient();
        // Commands are stamped when made, all within a moment: the instants to start pages from are the records' own.
        java.util.List<Instant> times = new java.util.ArrayList<>();
        String cursor = null;
        do {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(b.app.httpUrl() + "/v1/audit?actor=bench&limit=1000&from="
                    + from + (cursor == null ? "" : "&cursor=" + cursor))).header("Authorization", "Bearer " + Benchmarks.ADMIN)
                    .build(), HttpResponse.BodyHandlers.ofString());
            com.fasterxml.jackson.databind.JsonNode page = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
            page.path("items").forEach(i -> times.add(Instant.parse(i.path("time").asText())));
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
        } while (cursor != null);
        Random random = new Random(11);
        Histogram byActor = new Histogram(3);
        Histogram byAddress = new Histogram(3);
        Histogram page = new Histogram(3);
        for (int i = 0; i < queries + 50; i++) {
            Instant at = times.get(random.nextInt(times.size()));
            time(http, "/v1/audit?actor=bench&limit=100&from=" + at, i >= 50 ? byActor : null);
            time(http, "/v1/audit?sourceIp=127.0.0.1&limit=100&from=" + at, i >= 50 ? byAddress : null);
            time(http, "/v1/accounts/bench-activity-" + random.nextInt(accounts) + "/audit?limit=100&from=" + at,
                    i >= 50 ? page : null);
        }
        report.line(String.format("cross-account activity, a page of 100 (one actor and address in %d accounts, %,d records"
                + " indexed, over HTTP): by actor %s; by address %s (target: the audit-page bar, p99 <= 10 ms)",
                accounts, times.size(), Report.millis(byActor), Report.millis(byAddress)));
        report.line("  baseline, same run: an audit page of 100 of one of those accounts: " + Report.millis(page));
    }

    private void time(HttpClient http, String path, Histogram into) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(b.app.httpUrl() + path))
                .header("Authorization", "Bearer " + Benchmarks.ADMIN).build(), HttpResponse.BodyHandlers.ofString());
        long took = (System.nanoTime() - start) / 1000;
        if (r.statusCode() != 200 || !r.body().contains("\"accountId\"") && path.startsWith("/v1/audit")) {
            throw new IllegalStateException(path + " failed or found nothing: " + r.statusCode() + " " + r.body());
        }
        if (into != null) {
            into.recordValue(took);
        }
    }
}
