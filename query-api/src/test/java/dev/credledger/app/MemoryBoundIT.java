package dev.credledger.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.embedded.EmbeddedKafkaBroker;
import dev.credledger.events.registry.server.EmbeddedSchemaRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The probe that killed the server, kept as a test: batches of MACs at the documented body bound (16 MiB), many at once,
 * against the packaged ledger in its own process with a 512 MiB heap. Every batch is answered (200, or 429/503 with
 * {@code Retry-After}: bodies in flight are bounded across all requests), and afterwards the same process answers
 * {@code /health/ready} — it never ran out of memory.
 */
class MemoryBoundIT {

    private static final String ADMIN = "memory-test-admin";
    private static final String SIGNER = "memory-test-signer";
    private static final int BATCH_BYTES = 16 * 1024 * 1024;

    @Test
    void batchesAtTheBodyBoundManyAtOnceNeverExhaustTheHeap() throws Exception {
        Path dataDir = Files.createTempDirectory("credledger-memory-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(
                     EmbeddedSchemaRegistry.Settings.local(broker.bootstrapServers(), 0));
             LedgerProcess ledger = LedgerProcess.start(broker.bootstrapServers(), registry.url(), dataDir,
                     LedgerProcess.freePort(), Map.of("CREDLEDGER_ADMIN_TOKEN", ADMIN, "CREDLEDGER_SIGNER_TOKEN", SIGNER))) {
            ledger.awaitReady();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> enabled = http.send(HttpRequest.newBuilder(URI.create(ledger.url(
                            "/v1/accounts/mem-a/environments/sandbox/api/enable"))).header("Authorization", "Bearer " + ADMIN)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(enabled.statusCode()).isEqualTo(201);
            byte[] batch = batch();
            assertThat(batch.length).isLessThanOrEqualTo(BATCH_BYTES);

            Map<String, Integer> eight = round(http, ledger, batch, 8, List.of(SIGNER));
            System.out.println("[memory] 8 batches of 16 MiB at once, one key: " + eight);
            assertReady(http, ledger);
            Map<String, Integer> eighty = round(http, ledger, batch, 80, List.of(SIGNER, ADMIN));
            System.out.println("[memory] 80 batches of 16 MiB at once, two keys: " + eighty);
            assertReady(http, ledger);

            assertThat(eight.getOrDefault("200", 0)).as("some batches are signed").isPositive();
            assertThat(eighty.getOrDefault("200", 0)).as("some batches are signed").isPositive();
            assertThat(eighty.getOrDefault("503", 0)).as("bodies beyond the budget are refused, not read").isPositive();
            assertThat(ledger.process.isAlive()).isTrue();
            assertThat(Files.readString(ledger.log)).doesNotContain("OutOfMemoryError");
        }
    }

    /** {@code n} batches at once, spread over {@code keys}: how many got each answer. */
    private static Map<String, Integer> round(HttpClient http, LedgerProcess ledger, byte[] batch, int n, List<String> keys)
            throws Exception {
        Map<String, Integer> outcomes = new ConcurrentHashMap<>();
        AtomicInteger unexplained = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String key = keys.get(i % keys.size());
                sent.add(pool.submit(() -> {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(ledger.url("/v1/macs")))
                            .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofByteArray(batch)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    int status = r.statusCode();
                    boolean refusedWell = (status == 429 || status == 503) && r.headers().firstValue("Retry-After").isPresent()
                            && r.body().contains("\"status\":" + status);
                    if (status != 200 && !refusedWell) {
                        unexplained.incrementAndGet();
                    }
                    outcomes.merge(Integer.toString(status), 1, Integer::sum);
                    return null;
                }));
            }
            for (Future<?> f : sent) {
                f.get();
            }
        }
        assertThat(unexplained.get()).as("answers other than 200, or 429/503 problems with Retry-After: " + outcomes).isZero();
        return outcomes;
    }

    private static void assertReady(HttpClient http, LedgerProcess ledger) throws Exception {
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(ledger.url("/health/ready"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).as("the same process answers ready").isEqualTo(200);
        assertThat(ledger.process.isAlive()).isTrue();
    }

    /** 16 items of a payload of nearly 1 MiB each: as close to 16 MiB as the body bound allows. */
    private static byte[] batch() {
        StringBuilder json = new StringBuilder(BATCH_BYTES).append("{\"items\":[");
        String payload = "a".repeat(1_040_000);
        for (int i = 0; i < 16; i++) {
            json.append(i == 0 ? "" : ",").append("{\"accountId\":\"mem-a\",\"environment\":\"sandbox\",\"payload\":\"")
                    .append(payload).append("\"}");
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
