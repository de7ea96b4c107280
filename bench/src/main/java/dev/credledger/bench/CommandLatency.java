package dev.credledger.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Commands over HTTP at several loads: {@code n} clients at once, each on an account of its own, each sending one
 * command after another (allow an address, remove it) for a fixed time, bounded. Prints commands per second and the
 * answer's latency (read-your-writes included: the answer waits for the result, committed with everything the command
 * changed, and for this instance's replicated lookups). Baseline at the same concurrency: {@code GET /health/live}.
 */
final class CommandLatency {

    private final Benchmarks b;
    private final Report report;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    CommandLatency(Benchmarks b, Report report) {
        this.b = b;
        this.report = report;
    }

    /** Each run on accounts of its own: a second run in the same ledger must not find them enabled already. */
    private static final AtomicLong RUNS = new AtomicLong();

    void run(List<Integer> loads, Duration each) throws Exception {
        RUNS.incrementAndGet();
        for (int clients : loads) {
            List<String> accounts = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                accounts.add("latency-" + RUNS.get() + "-" + clients + "-" + i);
            }
            parallel(accounts, account -> {
                send("PUT", "/v1/accounts/" + account + "/plan", "{\"plan\":\"PROFESSIONAL\"}", 200);
                send("POST", env(account) + "/api/enable", null, 201);
            }, Math.min(clients, 32));
            Histogram commands = new Histogram(3);
            AtomicLong done = new AtomicLong();
            long elapsed = timed(accounts, each, (account, i) -> {
                String cidr = "10." + (i / 2 / 250 % 250) + "." + (i / 2 % 250) + ".0/24";
                long start = System.nanoTime();
                if (i % 2 == 0) {
                    send("POST", env(account) + "/allowed-ips", "{\"cidr\":\"" + cidr + "\"}", 201);
                } else {
                    send("DELETE", env(account) + "/allowed-ips?cidr=" + cidr, null, 204);
                }
                record(commands, (System.nanoTime() - start) / 1000);
                done.incrementAndGet();
            });
            Histogram health = new Histogram(3);
            AtomicLong probes = new AtomicLong();
            long healthElapsed = timed(accounts, Duration.ofSeconds(2), (account, i) -> {
                long start = System.nanoTime();
                send("GET", "/health/live", null, 200);
                record(health, (System.nanoTime() - start) / 1000);
                probes.incrementAndGet();
            });
            report.line(String.format("commands over HTTP, %d client%s at once: %,.0f commands/s, %s (target: p50 <= 25 ms,"
                    + " p99 <= 60 ms)", clients, clients == 1 ? "" : "s", done.get() / (elapsed / 1e9), Report.millis(commands)));
            report.line(String.format("  baseline, same run and concurrency: GET /health/live %,.0f/s, %s",
                    probes.get() / (healthElapsed / 1e9), Report.millis(health)));
        }
    }

    private interface Step {
        void run(String account, int i) throws Exception;
    }

    private interface Setup {
        void run(String account) throws Exception;
    }

    /** Every client runs {@code step} over and over until {@code duration} is up; returns the nanoseconds it took. */
    private static long timed(List<String> accounts, Duration duration, Step step) throws Exception {
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> running = new ArrayList<>();
            for (String account : accounts) {
                running.add(clients.submit(() -> {
                    for (int i = 0; System.nanoTime() < end; i++) {
                        step.run(account, i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        }
        return System.nanoTime() - start;
    }

    private static void parallel(List<String> accounts, Setup setup, int threads) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> running = new ArrayList<>();
            for (String account : accounts) {
                running.add(pool.submit(() -> {
                    setup.run(account);
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        }
    }

    private static void record(Histogram h, long micros) {
        synchronized (h) {
            h.recordValue(micros);
        }
    }

    private static String env(String account) {
        return "/v1/accounts/" + account + "/environments/sandbox";
    }

    private void send(String method, String path, String body, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(b.app.httpUrl() + path))
                .header("Authorization", "Bearer " + Benchmarks.ADMIN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
    }
}
