package dev.credledger.bench;

import dev.credledger.app.Settings;
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
 * with verification counting off and on, alternated over several rounds on the same data (a restart between each), so
 * that the machine's drift falls on both alike. Target: throughput with counting within 5 % of without.
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
        Settings base = b.settings();
        for (int round = 1; round <= rounds; round++) {
            for (boolean counting : new boolean[] {false, true}) {
                b.restart(base.withUsage(new Settings.Usage(Settings.Usage.DEFAULT.retention(), counting,
                        Settings.Usage.DEFAULT.flushInterval())));
                String url = b.app.httpUrl() + "/v1/verify";
                VerifyOverHttp.wrk(16, 5, "-s", script.toString(), url); // warm-up, discarded
                String out = VerifyOverHttp.wrk(16, seconds, "-s", script.toString(), url);
                double rate = requestsPerSecond(out);
                (counting ? on : off).add(rate);
                report.line(String.format("  round %d, counting %-3s: %s", round, counting ? "on" : "off",
                        VerifyOverHttp.summary(out)));
            }
        }
        double medianOff = median(off);
        double medianOn = median(on);
        report.line(String.format("verification throughput with usage counting (wrk -t2 -c16, %d s, %d rounds alternated): "
                + "%,.0f req/s on, %,.0f req/s off (same run): %.3f x (target >= 0.95 x)", seconds, rounds, medianOn, medianOff,
                medianOn / medianOff));
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
