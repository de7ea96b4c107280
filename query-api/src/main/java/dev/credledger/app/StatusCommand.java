package dev.credledger.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code credledger status}: is the local ledger up, where, ready, which version, for how long. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Whether the local ledger runs: where, ready or not, its version and uptime.",
                "It is found by <data-dir>/credledger.json (written by serve): --data-dir, else ./data, then ./data-demo.",
                "Exit code: 0 up, 3 down."})
final class StatusCommand implements Callable<Integer> {

    static final int DOWN = 3;

    @Option(names = "--data-dir", description = "The ledger's data directory. Default: ./data, then ./data-demo.")
    Path dataDir;

    @Override
    public Integer call() {
        var found = LocalLedger.find(dataDir);
        if (found.isEmpty()) {
            System.out.println("credledger is not running (no " + LocalLedger.FILE_NAME + " in "
                    + (dataDir != null ? dataDir : "./data or ./data-demo") + ")");
            return DOWN;
        }
        LocalLedger ledger = found.get().ledger();
        if (!ledger.running()) {
            System.out.println("credledger is not running (" + found.get().dataDir().resolve(LocalLedger.FILE_NAME)
                    + " is left from process " + ledger.pid() + ", which stopped without removing it)");
            return DOWN;
        }
        String ready = ready(ledger.httpUrl());
        System.out.println("credledger is up" + (ledger.demo() ? " (demo)" : ""));
        System.out.println("  Ready            " + ready);
        System.out.println("  HTTP API         " + ledger.httpUrl());
        System.out.println("  Kafka bootstrap  " + ledger.bootstrapServers());
        System.out.println("  Schema registry  " + ledger.schemaRegistryUrl());
        System.out.println("  Data             " + found.get().dataDir().toAbsolutePath().normalize());
        System.out.println("  Process          " + ledger.pid());
        System.out.println("  Version          " + ledger.version());
        System.out.println("  Uptime           " + uptime(ledger.startedAt()));
        return 0;
    }

    private static String ready(String httpUrl) {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(httpUrl + "/health/ready"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? "yes" : "not yet (" + r.statusCode() + " " + r.body().strip() + ")";
        } catch (java.io.IOException e) {
            return "no answer on " + httpUrl + " (" + e.getClass().getSimpleName() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String uptime(String startedAt) {
        try {
            Duration up = Duration.between(Instant.parse(startedAt), Instant.now());
            return String.format("%dh %02dm %02ds (since %s)", up.toHours(), up.toMinutesPart(), up.toSecondsPart(), startedAt);
        } catch (RuntimeException e) {
            return "unknown";
        }
    }
}
