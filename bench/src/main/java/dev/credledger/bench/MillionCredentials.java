package dev.credledger.bench;

import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.secret.IssuedSecret;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.topology.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * Many active credentials, loaded through the real command path: {@code enables} accounts each enable API access
 * (an auth token and a private salt: two active secrets, two entries of the replicated lookup), streamed straight to
 * {@code credential-commands} (the plaintexts are kept for a sample only). Measures verification over HTTP at the start
 * (after the first 500 accounts) and at the end, the process's memory after a full GC, each store's size on disk per
 * entry, and a restart until ready. Progress on stderr.
 */
final class MillionCredentials {

    private static final int SAMPLE = 500;

    private final Benchmarks b;
    private final Report report;
    private final HttpClient http = HttpClient.newHttpClient();

    MillionCredentials(Benchmarks b, Report report) {
        this.b = b;
        this.report = report;
    }

    void run(int enables) throws Exception {
        List<String> early = new ArrayList<>();
        List<String> sample = new ArrayList<>();
        Random random = new Random(7);
        long start = System.nanoTime();
        for (int i = 0; i < enables; i++) {
            AccountId account = new AccountId("million-" + i);
            IssuedSecret token = b.secrets.issue(CredentialKind.AUTH_TOKEN, Environment.SANDBOX);
            IssuedSecret salt = b.secrets.issue(CredentialKind.PRIVATE_SALT, Environment.SANDBOX);
            b.producer.send(b.record(new Command.EnableApi(b.meta(account), Environment.SANDBOX, token.ref(), salt.ref())));
            if (i < SAMPLE) {
                early.add(token.plaintext());
            } else if (sample.size() < SAMPLE || random.nextInt(i) < SAMPLE) {
                // Reservoir sampling: every token has the same chance to be verified at the end.
                if (sample.size() < SAMPLE) {
                    sample.add(token.plaintext());
                } else {
                    sample.set(random.nextInt(SAMPLE), token.plaintext());
                }
            }
            if (i + 1 == SAMPLE) {
                awaitDecided(i + 1);
                awaitActive(early.getLast());
                verify(early, 5_000); // warm-up: the JIT compiles the verify path before it is timed
                report.line("verify over HTTP with " + 2 * SAMPLE + " active secrets: " + Report.millis(verify(early, 3_000)));
                start = System.nanoTime();
            }
            if (Benchmarks.PROGRESS && (i + 1) % Math.max(1, enables / 10) == 0) {
                System.err.printf("[bench] loaded %,d of %,d enables (%,.0f/s)%n", i + 1, enables,
                        (i + 1 - SAMPLE) / ((System.nanoTime() - start) / 1e9));
            }
        }
        b.producer.flush();
        awaitDecided(enables);
        double rate = (enables - SAMPLE) / ((System.nanoTime() - start) / 1e9);
        awaitActive(sample.getLast());
        long secrets = 2L * enables;
        report.line(String.format("loaded %,d enables (%,d active secrets) through credential-commands at %,.0f commands/s",
                enables, secrets, rate));
        report.line("verify over HTTP with " + String.format("%,d", secrets) + " active secrets: " + Report.millis(verify(sample, 3_000))
                + " (target: p99 within 1.2 x its value with 1,000)");
        memory(secrets);
        long ready = b.restart();
        report.line(String.format("restart to ready with %,d active secrets: %.1f s (target <= 60 s); RSS after: %d MiB",
                secrets, ready / 1e9, Benchmarks.rssMiB()));
        report.line("verify over HTTP after the restart: " + Report.millis(verify(sample, 3_000)));
        // After the restart: closing flushed every store's memtables, so the files hold everything.
        disk(secrets);
    }

    private void memory(long secrets) throws IOException {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        report.line(String.format("memory with %,d active secrets, after a full GC: RSS %d MiB, heap used %d MiB of %d MiB max"
                + " (target: RSS <= 1 GiB)", secrets, Benchmarks.rssMiB(), (rt.totalMemory() - rt.freeMemory()) >> 20,
                rt.maxMemory() >> 20));
    }

    private void disk(long secrets) throws IOException {
        Map<String, Long> bytes = new TreeMap<>();
        Path streams = b.dir.resolve("streams");
        try (Stream<Path> files = Files.walk(streams)) {
            files.filter(Files::isRegularFile).forEach(f -> {
                Path rel = streams.relativize(f);
                for (int i = 0; i < rel.getNameCount() - 1; i++) {
                    if (rel.getName(i).toString().equals("rocksdb")) {
                        try {
                            bytes.merge(rel.getName(i + 1).toString(), Files.size(f), Long::sum);
                        } catch (IOException e) {
                            // a file compacted away meanwhile
                        }
                        return;
                    }
                }
            });
        }
        StringBuilder line = new StringBuilder("stores on disk (bytes per active secret): ");
        bytes.forEach((store, size) -> line.append(String.format("%s %,d MiB (%.0f), ", store, size >> 20, (double) size / secrets)));
        report.line(line.substring(0, line.length() - 2));
        long broker;
        try (Stream<Path> files = Files.walk(b.dir.resolve("kafka"))) {
            // Segments only: index files are preallocated (sparse) and would count their whole reserved length.
            broker = files.filter(f -> f.toString().endsWith(".log")).mapToLong(f -> f.toFile().length()).sum();
        }
        report.line(String.format("  the broker's log segments: %,d MiB (%.0f bytes per active secret)", broker >> 20,
                (double) broker / secrets));
    }

    private Histogram verify(List<String> tokens, int requests) throws Exception {
        Histogram h = new Histogram(3);
        for (int i = 0; i < requests + 500; i++) {
            String token = tokens.get(i % tokens.size());
            long t = System.nanoTime();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(b.app.httpUrl() + "/v1/verify"))
                    .header("Authorization", "Bearer " + Benchmarks.VERIFIER).header("X-Auth-Token", token)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (i >= 500) {
                h.recordValue((System.nanoTime() - t) / 1000);
            }
            if (!r.body().contains("\"active\":true")) {
                throw new IllegalStateException("a loaded token does not verify: " + r.body());
            }
        }
        return h;
    }

    /** Until the ledger's consumer group has committed every command sent. */
    private void awaitDecided(long sent) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b.app.bootstrapServers()))) {
            long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
                admin.describeTopics(List.of(Topics.COMMANDS)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(Topics.COMMANDS).partitions().forEach(p -> latest.put(new TopicPartition(Topics.COMMANDS, p.partition()),
                                OffsetSpec.latest()));
                var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
                var committed = admin.listConsumerGroupOffsets("credledger").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                boolean done = ends.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
                        && committed.get(e.getKey()).offset() >= e.getValue().offset());
                if (done) {
                    return;
                }
                LockSupport.parkNanos(200_000_000);
            }
            throw new IllegalStateException("the ledger did not decide " + sent + " commands within 30 minutes");
        }
    }

    /** Until this instance's replicated lookup shows {@code token} active. */
    private void awaitActive(String token) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(b.app.httpUrl() + "/v1/verify"))
                    .header("Authorization", "Bearer " + Benchmarks.VERIFIER).header("X-Auth-Token", token)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (r.body().contains("\"active\":true")) {
                return;
            }
            LockSupport.parkNanos(50_000_000);
        }
        throw new IllegalStateException("the last token never verified");
    }
}
