package dev.credledger.bench;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import io.javalin.Javalin;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.HdrHistogram.Histogram;

/**
 * The two parts of the design that replaces the replicated lookup past ~10-20M secrets (docs/operations.md, "Scaling out"),
 * measured on their own, without Kafka: the filter of active fingerprints every instance would keep at its edge
 * (Guava's Bloom filter: bytes per entry, build rate, query cost, false positives measured on strings not in it), and
 * the routed verification hop to the instance that owns a fingerprint's partition (a lookup served over HTTP on
 * loopback by Javalin, as the ledger serves, against the same lookup in a local map: the cost of the hop alone).
 * Each with its baseline from the same run.
 */
final class ScaleOutSimulation {

    /** A fingerprint is a SHA-256 output: for a filter or a hash map, 32 random bytes are the same thing, and cheaper. */
    private final java.util.SplittableRandom random = new java.util.SplittableRandom(25);
    private final Report report;

    ScaleOutSimulation(Report report) {
        this.report = report;
    }

    void run(int entries) throws Exception {
        filter(entries, 0.01);
        filter(entries, 0.001);
        // The hop's cost does not depend on the owner's size; a smaller map keeps the bench inside its heap bound.
        routedHop(Math.min(entries, 200_000));
    }

    /** A Bloom filter of {@code entries} fingerprints at false-positive rate {@code fpp}. */
    private void filter(int entries, double fpp) throws Exception {
        BloomFilter<byte[]> filter = BloomFilter.create(Funnels.byteArrayFunnel(), entries, fpp);
        byte[][] probe = new byte[100_000][];
        long started = System.nanoTime();
        for (int i = 0; i < entries; i++) {
            byte[] fingerprint = fingerprint();
            filter.put(fingerprint);
            if (i < probe.length) {
                probe[i] = fingerprint;
            }
        }
        double buildSeconds = (System.nanoTime() - started) / 1e9;
        ByteArrayOutputStream size = new ByteArrayOutputStream();
        filter.writeTo(size);
        int absent = 1_000_000;
        int falsePositives = 0;
        long queryStarted = System.nanoTime();
        for (int i = 0; i < absent; i++) {
            if (filter.mightContain(fingerprint())) {
                falsePositives++;
            }
        }
        long randomNanos = System.nanoTime() - queryStarted;
        // The fingerprints' generation is in that loop; time it alone, to subtract it.
        long generateStarted = System.nanoTime();
        long sink = 0;
        for (int i = 0; i < absent; i++) {
            sink += fingerprint()[0];
        }
        long generateNanos = System.nanoTime() - generateStarted;
        if (sink == Long.MIN_VALUE) {
            throw new AssertionError(); // keeps the loop from being optimised away
        }
        long presentStarted = System.nanoTime();
        int present = 0;
        for (int round = 0; round < 10; round++) {
            for (byte[] fingerprint : probe) {
                present += filter.mightContain(fingerprint) ? 1 : 0;
            }
        }
        long presentNanos = System.nanoTime() - presentStarted;
        report.line(String.format("edge filter (Bloom, fpp %.3f) of %,d active fingerprints: %,d bytes (%.1f bits an entry;"
                + " %.0f MiB per 100M), built at %,.0f entries/s; a query %.0f ns (present) / %.0f ns (absent);"
                + " false positives %.3f %% of %,d strings not in it (all %,d present found: %s)",
                fpp, entries, size.size(), size.size() * 8.0 / entries, size.size() * (100e6 / entries) / (1 << 20),
                entries / buildSeconds, presentNanos / (10.0 * probe.length),
                Math.max(0, randomNanos - generateNanos) / (double) absent, 100.0 * falsePositives / absent, absent,
                probe.length * 10, present == probe.length * 10));
    }

    /** A lookup on the owner, over HTTP on loopback, against the same lookup in a local map. */
    private void routedHop(int entries) throws Exception {
        Map<String, byte[]> lookup = new HashMap<>();
        List<String> keys = new ArrayList<>();
        // About the size of a TokenLookup as JSON: what the owner would answer.
        byte[] answer = ("{\"secretId\":\"5b0c2d1e-8f4a-4c3b-9d2e-1f0a3b4c5d6e\",\"accountId\":\"acme\",\"environment\":"
                + "\"SANDBOX\",\"kind\":\"AUTH_TOKEN\",\"prefix\":\"clat_sbx_A6yn\",\"status\":\"ACTIVE\",\"updatedAt\":"
                + "\"2026-12-07T02:26:30.427Z\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < entries; i++) {
            String key = HexFormat.of().formatHex(fingerprint());
            lookup.put(key, answer);
            if (i < 10_000) {
                keys.add(key);
            }
        }
        Javalin owner = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.jetty.host = "127.0.0.1";
            c.jetty.port = 0;
            c.routes.get("/lookup/{fingerprint}", ctx -> {
                byte[] found = lookup.get(ctx.pathParam("fingerprint"));
                if (found == null) {
                    ctx.status(404);
                } else {
                    ctx.contentType("application/json").result(found);
                }
            });
        }).start();
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            String base = "http://127.0.0.1:" + owner.port() + "/lookup/";
            for (int concurrency : new int[] {1, 16}) {
                Histogram routed = new Histogram(3);
                Histogram local = new Histogram(3);
                int perThread = concurrency == 1 ? 5_000 : 2_000;
                // Warm up the connection pool and the JIT.
                for (int i = 0; i < 2_000; i++) {
                    http.send(HttpRequest.newBuilder(URI.create(base + keys.get(i % keys.size()))).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                }
                long started = System.nanoTime();
                try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
                    List<Future<?>> done = new ArrayList<>();
                    for (int t = 0; t < concurrency; t++) {
                        int offset = t;
                        done.add(pool.submit(() -> {
                            for (int i = 0; i < perThread; i++) {
                                String key = keys.get((offset * 7919 + i) % keys.size());
                                long s = System.nanoTime();
                                HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + key)).build(),
                                        HttpResponse.BodyHandlers.ofByteArray());
                                long e = System.nanoTime();
                                if (r.statusCode() != 200) {
                                    throw new IllegalStateException("owner answered " + r.statusCode());
                                }
                                synchronized (routed) {
                                    routed.recordValue((e - s) / 1000);
                                }
                                long ls = System.nanoTime();
                                byte[] found = lookup.get(key);
                                long le = System.nanoTime();
                                if (found == null) {
                                    throw new IllegalStateException("missing");
                                }
                                synchronized (local) {
                                    local.recordValue(Math.max(1, le - ls)); // nanoseconds
                                }
                            }
                            return null;
                        }));
                    }
                    for (Future<?> f : done) {
                        f.get();
                    }
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                report.line(String.format("routed lookup (an owner instance answers over HTTP on loopback, %,d entries),"
                        + " %d at once: %,.0f/s, %s; the same lookup in a local map: %s", entries, concurrency,
                        routed.getTotalCount() / seconds, Report.millis(routed), Report.nanos(local)));
            }
        } finally {
            owner.stop();
        }
    }

    private byte[] fingerprint() {
        byte[] fingerprint = new byte[32];
        random.nextBytes(fingerprint);
        return fingerprint;
    }
}
