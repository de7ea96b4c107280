package dev.credledger.bench;

import dev.credledger.embedded.BrokerFootprint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * What one command costs the broker, in records (transaction markers and the broker's own topics included) and in
 * log bytes, for enable, refresh, credential create and disable: one client, one command at a time over HTTP, the
 * broker's footprint taken once settled before and after each. The same count as {@code RecordBudgetTest}, which
 * fails a build over budget; here with the bytes and per topic.
 */
final class RecordsPerCommand {

    private final Benchmarks b;
    private final Report report;
    private final HttpClient client = HttpClient.newHttpClient();

    RecordsPerCommand(Benchmarks b, Report report) {
        this.b = b;
        this.report = report;
    }

    void run() throws Exception {
        try (BrokerFootprint footprint = new BrokerFootprint(b.app.bootstrapServers(), true)) {
            for (String account : new String[] {"records-warm-up", "records"}) {
                boolean measured = account.equals("records");
                String env = "/v1/accounts/" + account + "/environments/sandbox";
                step(footprint, measured, "plan", "PUT", "/v1/accounts/" + account + "/plan", "{\"plan\":\"PROFESSIONAL\"}");
                step(footprint, measured, "enable", "POST", env + "/api/enable", null);
                step(footprint, measured, "refresh", "POST", env + "/api/refresh", "{\"reason\":\"ROUTINE\"}");
                step(footprint, measured, "credential create", "POST", env + "/credentials", "{\"name\":\"records-cred\"}");
                step(footprint, measured, "disable", "POST", env + "/api/disable", null);
            }
        }
    }

    private void step(BrokerFootprint footprint, boolean measured, String name, String method, String path, String body)
            throws Exception {
        BrokerFootprint.Snapshot before = footprint.settled(Duration.ofMillis(1500), Duration.ofSeconds(60));
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(b.app.httpUrl() + path))
                .header("Authorization", "Bearer " + Benchmarks.ADMIN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(name + " answered " + r.statusCode() + ": " + r.body());
        }
        if (!measured) {
            return;
        }
        BrokerFootprint.Snapshot after = footprint.settled(Duration.ofMillis(1500), Duration.ofSeconds(60));
        Map<String, Long> records = after.recordsSince(before);
        Map<String, Long> bytes = after.bytesSince(before);
        report.line(String.format("records per command, %s: %d records and markers, %,d bytes of log, on %d topics",
                name, records.values().stream().mapToLong(Long::longValue).sum(),
                bytes.values().stream().mapToLong(Long::longValue).sum(), records.size()));
        report.line("  by topic: " + records);
    }
}
