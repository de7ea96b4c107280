package dev.credledger.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Token verification over HTTP on loopback, driven by wrk in its own process (2 threads; 4 and 16
 * connections; a fixed duration): requests per second and latency percentiles. Baseline: the same load on
 * {@code GET /health/live}, which does no work. Client and server share the machine's two cores.
 */
final class VerifyOverHttp {

    private final Benchmarks b;
    private final Report report;

    VerifyOverHttp(Benchmarks b, Report report) {
        this.b = b;
        this.report = report;
    }

    void run(int seconds) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/wrk"))) {
            report.line("token verification over HTTP: not measured (wrk is not installed: apt-get install wrk)");
            return;
        }
        String token = b.activeTokens.getFirst();
        Path script = Files.createTempFile("verify", ".lua");
        Files.writeString(script, "wrk.method = \"POST\"\n"
                + "wrk.headers[\"Authorization\"] = \"Bearer " + Benchmarks.VERIFIER + "\"\n"
                + "wrk.headers[\"X-Auth-Token\"] = \"" + token + "\"\n");
        String base = b.app.httpUrl();
        wrk(16, seconds, "-s", script.toString(), base + "/v1/verify"); // warm-up, discarded
        for (int connections : new int[] {4, 16}) {
            String verify = wrk(connections, seconds, "-s", script.toString(), base + "/v1/verify");
            report.line("token verification over HTTP (wrk -t2 -c" + connections + ", " + seconds + " s): " + summary(verify)
                    + " (target >= 20,000 req/s, p99 <= 2 ms)");
            String health = wrk(connections, seconds, base + "/health/live");
            report.line("  baseline, same run: GET /health/live, same load: " + summary(health));
        }
    }

    static String wrk(int connections, int seconds, String... target) throws IOException, InterruptedException {
        String[] command = new String[6 + target.length];
        command[0] = "wrk";
        command[1] = "-t2";
        command[2] = "-c" + connections;
        command[3] = "-d" + seconds + "s";
        command[4] = "--latency";
        command[5] = "--timeout=2s";
        System.arraycopy(target, 0, command, 6, target.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }

    static String summary(String wrkOutput) {
        return String.format("%s req/s, p50 %s, p99 %s%s", find(wrkOutput, "Requests/sec:\\s+([\\d.]+)"),
                find(wrkOutput, "\\s50%\\s+(\\S+)"), find(wrkOutput, "\\s99%\\s+(\\S+)"),
                wrkOutput.contains("Non-2xx") ? " (" + find(wrkOutput, "(Non-2xx or 3xx responses: \\d+)") + ")" : "");
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : "?";
    }
}
