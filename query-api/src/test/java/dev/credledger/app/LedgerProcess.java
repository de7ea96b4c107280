package dev.credledger.app;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The packaged ledger ({@code target/credledger.jar}) as its own process, on a broker and registry the test runs:
 * for the checks that need a real process (a {@code kill -9}, a heap of a given size). Failsafe runs them after
 * {@code package}.
 */
final class LedgerProcess implements AutoCloseable {

    final Process process;
    final int port;
    final Path log;

    private LedgerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts {@code serve} with a 512 MiB heap, the test keys, and {@code extra} options; roles' keys in {@code env}. */
    static LedgerProcess start(String bootstrap, String registryUrl, Path dataDir, int port, Map<String, String> env,
            String... extra) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Xmx512m", "-jar", new File("target/credledger.jar").getAbsolutePath(),
                "serve", "--bootstrap-servers", bootstrap, "--schema-registry-url", registryUrl,
                "--data-dir", dataDir.toString(), "--http-port", Integer.toString(port),
                "--sealing-key-file", TestLedger.sealingKeyFile().toString(),
                "--audit-signing-key", TestLedger.auditSigningKeyFile().toString()));
        command.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Path log = dataDir.resolve("ledger-" + System.nanoTime() + ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return new LedgerProcess(pb.start(), port, log);
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Polls {@code /health/ready} until it answers 200, or fails after {@link ExactlyOnce#DEADLINE}. */
    void awaitReady() {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + ExactlyOnce.DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the ledger process exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url("/health/ready"))).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        throw new AssertionError("the ledger process did not become ready; see " + log);
    }

    /** SIGKILL: no shutdown hook, no commit, no flush. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
