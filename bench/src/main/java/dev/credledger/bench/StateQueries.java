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
 * Point-in-time state of an account with many events (issue 10's target: within the audit-page bar with
 * 10,000 events), over HTTP, one request at a time, at a random instant of its history. Baseline: an
 * audit page of 100 records of the same account, same client, same run.
 */
final class StateQueries {

    private final Benchmarks b;
    private final Report report;

    StateQueries(Benchmarks b, Report report) {
        this.b = b;
        this.report = report;
    }

    void run(int events, int queries) throws Exception {
        AccountId account = new AccountId("bench-state");
        Instant from = Instant.now();
        b.writeHistory(account, events, i -> i % 4 < 2
                ? new Command.AllowIp(b.meta(account), Environment.SANDBOX, "198.51.100." + (i % 2 == 1 ? 1 : 2))
                : new Command.RemoveIp(b.meta(account), Environment.SANDBOX, "198.51.100." + (i % 2 == 1 ? 1 : 2)));
        Instant to = Instant.now();

        HttpClient http = HttpClient.newHttpClient();
        Random random = new Random(7);
        Histogram state = new Histogram(3);
        Histogram latest = new Histogram(3);
        Histogram page = new Histogram(3);
        String base = b.app.httpUrl() + "/v1/accounts/" + account;
        for (int i = 0; i < queries + 50; i++) {
            Instant at = from.plusMillis((long) (random.nextDouble() * Duration.between(from, to).toMillis()));
            time(http, base + "/state?asOf=" + at, i >= 50 ? state : null);
            time(http, base + "/state", i >= 50 ? latest : null);
            time(http, base + "/audit?limit=100&from=" + at, i >= 50 ? page : null);
        }
        report.line(String.format("point-in-time state (account with %,d events, random asOf, over HTTP): %s; at now: %s"
                + " (target: within the audit-page bar, p99 <= 10 ms, with 10,000 events)", events, Report.millis(state),
                Report.millis(latest)));
        report.line("  baseline, same run: an audit page of 100 of the same account: " + Report.millis(page));
    }

    private static void time(HttpClient http, String url, Histogram into) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + Benchmarks.ADMIN).build(), HttpResponse.BodyHandlers.ofString());
        long took = (System.nanoTime() - start) / 1000;
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " failed: " + r.statusCode() + " " + r.body());
        }
        if (into != null) {
            into.recordValue(took);
        }
    }
}
