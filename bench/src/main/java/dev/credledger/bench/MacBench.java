package dev.credledger.bench;

import dev.credledger.events.sealing.Envelope;
import dev.credledger.events.sealing.FileKeyring;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook MACs (issue 11): in-process, the work of one MAC as the ledger does it (open the sealed salt with
 * a cached data key, HMAC, overwrite the salt) against a baseline HMAC of the same payload in a plain loop; and
 * over HTTP, {@code POST .../mac} with a 1 KiB payload under wrk against {@code GET /health/live}, which does no
 * work, at the same load.
 */
final class MacBench {

    private static final int PAYLOAD_BYTES = 1024;
    private final Benchmarks b;
    private final Report report;

    MacBench(Benchmarks b, Report report) {
        this.b = b;
        this.report = report;
    }

    void run(int seconds) throws Exception {
        inProcess();
        overHttp(seconds);
    }

    private void inProcess() throws Exception {
        byte[] payload = new byte[PAYLOAD_BYTES];
        Arrays.fill(payload, (byte) 'x');
        String salt = "clps_sbx_0123456789abcdefghijABCDEFGHIJKLMNOP";
        Path dir = Files.createTempDirectory("bench-mac-");
        FileKeyring kek = FileKeyring.loadOrCreate(dir.resolve("sealing.key"));
        Envelope.NewDataKey created = Envelope.newDataKey(kek, "bench", "SANDBOX");
        UUID saltId = UUID.randomUUID();
        byte[] sealed = Envelope.seal(created.key(), salt.getBytes(StandardCharsets.US_ASCII), "bench", "SANDBOX", saltId);
        byte[] cachedKey = created.key().copy();
        int n = 300_000;
        long sink = 0;
        Mac mac = Mac.getInstance("HmacSHA1"); // one per thread, as the ledger keeps them
        for (int round = 0; round < 2; round++) { // the first round warms up
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                mac.init(new SecretKeySpec(salt.getBytes(StandardCharsets.US_ASCII), "HmacSHA1"));
                sink += mac.doFinal(payload)[0];
            }
            double plain = n / ((System.nanoTime() - start) / 1e9);
            start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                byte[] key;
                try (Envelope.DataKey k = Envelope.DataKey.of(created.key().id(), cachedKey)) {
                    key = Envelope.open(k, sealed, "bench", "SANDBOX", saltId);
                }
                mac.init(new SecretKeySpec(key, "HmacSHA1"));
                sink += mac.doFinal(payload)[0];
                Arrays.fill(key, (byte) 0);
            }
            double ledger = n / ((System.nanoTime() - start) / 1e9);
            if (round == 1) {
                report.line(String.format("webhook MAC in-process (HMAC-SHA1 of 1 KiB, salt unsealed for each): %,.0f MACs/s",
                        ledger));
                report.line(String.format("  baseline, same run: HMAC-SHA1 of the same payload in a plain loop: %,.0f MACs/s"
                        + " (sink %d)", plain, sink & 1));
            }
        }
    }

    private void overHttp(int seconds) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/wrk"))) {
            report.line("webhook MAC over HTTP: not measured (wrk is not installed: apt-get install wrk)");
            return;
        }
        String account = "bench-mac";
        HttpResponse<String> enabled = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                b.app.httpUrl() + "/v1/accounts/" + account + "/environments/sandbox/api/enable"))
                .header("Authorization", "Bearer " + Benchmarks.ADMIN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (enabled.statusCode() != 201) {
            throw new IllegalStateException("enable failed: " + enabled.statusCode());
        }
        Path script = Files.createTempFile("mac", ".lua");
        Files.writeString(script, "wrk.method = \"POST\"\n"
                + "wrk.headers[\"Authorization\"] = \"Bearer " + Benchmarks.SIGNER + "\"\n"
                + "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
                + "wrk.body = '{\"payload\":\"" + "x".repeat(PAYLOAD_BYTES) + "\"}'\n");
        String url = b.app.httpUrl() + "/v1/accounts/" + account + "/environments/sandbox/mac";
        VerifyOverHttp.wrk(16, seconds, "-s", script.toString(), url); // warm-up, discarded
        for (int connections : new int[] {4, 16}) {
            String mac = VerifyOverHttp.wrk(connections, seconds, "-s", script.toString(), url);
            report.line("webhook MAC over HTTP (POST …/mac, 1 KiB payload, wrk -t2 -c" + connections + ", " + seconds + " s): "
                    + VerifyOverHttp.summary(mac) + " (target: >= 0.8 x the no-op endpoint)");
            report.line("  baseline, same run: GET /health/live, same load: "
                    + VerifyOverHttp.summary(VerifyOverHttp.wrk(connections, seconds, b.app.httpUrl() + "/health/live")));
        }
    }
}
