package dev.credledger.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What usage analytics cost the verify path: token verification over HTTP (wrk -t2 -c16, as {@link VerifyOverHttp})
 * with verification counting paused and running, alternated over many short rounds in one process (no restart between
 * them, so JIT and caches are alike), so that the machine's drift falls on both alike; each figure is the median of its
 * rounds. Target: throughput with counting within 5 % of without.
 */
final class UsageCountingCost {

    private final Benchmarks b;
    private final Report report;

    UsageCountingCost(Benchmarks b, Report report) {
        this.b = b;
        this.report = report;
    }

    void run(int rounds, int seconds) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/wrk"))) {
            report.line("usage counting cost: not measured (wrk is not installed: apt-get install wrk)");
            return;
        }
        HttpClient http = HttpClient.newHttpClient();
        String enabled = http.send(HttpRequest.newBuilder(URI.create(b.app.httpUrl()
                        + "/v1/accounts/usage-bench/environments/sandbox/api/enable"))
                .header("Authorization", "Bearer " + Benchmarks.ADMIN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("\"authToken\":\"([^\"]+)\"").matcher(enabled);
        if (!m.find()) {
            throw new IllegalStateException("enable failed: " + enabled.replaceAll("cl[a-z]{2}_[a-z]+_[A-Za-z0-9]+", "<secret>"));
        }
        Path script = Files.createTempFile("verify", ".lua");
        Files.writeString(script, "wrk.method = \"POST\"\n"
                + "wrk.headers[\"Authorization\"] = \"Bearer " + Benchmarks.VERIFIER + "\"\n"
                + "wrk.headers[\"X-Auth-Token\"] = \"" + m.group(1) + "\"\n");
        List<Double> off = new ArrayList<>();
        List<Double> on = new ArrayList<>();
        String url = b.app.httpUrl() + "/v1/verify";
        long whileCounting = requests(VerifyOverHttp.wrk(16, 10, "-s", script.toString(), url)); // warm-up (counted)
        for (int round = 1; round <= rounds; round++) {
            // Which goes first alternates too: a drift within a round favours neither.
            for (boolean counting : round % 2 == 1 ? new boolean[] {false, true} : new boolean[] {true, false}) {
                b.app.countVerifications(counting);
                String out = VerifyOverHttp.wrk(16, seconds, "-s", script.toString(), url);
                double rate = requestsPerSecond(out);
                if (counting) {
                    whileCounting += requests(out);
                }
                (counting ? on : off).add(rate);
                report.line(String.format("  round %d, counting %-3s: %s", round, counting ? "on" : "off",
                        VerifyOverHttp.summary(out)));
            }
        }
        double medianOff = median(off);
        double medianOn = median(on);
        b.app.countVerifications(true);
        long counted = countedVerifications(http, m.group(1));
        report.line(String.format("  verifications counted in the token's usage windows: %,d; made while counting ran: %,d"
                + " (wrk's totals, plus one)", counted, whileCounting + 1));
        report.line(String.format("verification throughput with usage counting (wrk -t2 -c16, %d s, %d rounds alternated): "
                + "%,.0f req/s on, %,.0f req/s off (same run): %.3f x (target >= 0.95 x)", seconds, rounds, medianOn, medianOff,
                medianOn / medianOff));
    }

    /** The token's verifications in its usage windows of the last day, once the last flush is in. */
    private long countedVerifications(HttpClient http, String token) throws Exception {
        String verified = http.send(HttpRequest.newBuilder(URI.create(b.app.httpUrl() + "/v1/verify"))
                .header("Authorization", "Bearer " + Benchmarks.VERIFIER).header("X-Auth-Token", token)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher id = Pattern.compile("\"credentialId\":\"([^\"]+)\"").matcher(verified);
        if (!id.find()) {
            return -1;
        }
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofSeconds(8).toNanos()); // a flush (5 s) and a commit
        String usage = http.send(HttpRequest.newBuilder(URI.create(b.app.httpUrl()
                        + "/v1/accounts/usage-bench/credentials/" + id.group(1) + "/usage"))
                .header("Authorization", "Bearer " + Benchmarks.ADMIN).build(), HttpResponse.BodyHandlers.ofString()).body();
        long total = 0;
        Matcher valid = Pattern.compile("\"valid\":(\\d+)").matcher(usage);
        while (valid.find()) {
            total += Long.parseLong(valid.group(1));
        }
        return total;
    }

    private static long requests(String wrkOutput) {
        Matcher m = Pattern.compile("(\\d+) requests in").matcher(wrkOutput);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static double requestsPerSecond(String wrkOutput) {
        Matcher m = Pattern.compile("Requests/sec:\\s+([\\d.]+)").matcher(wrkOutput);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
