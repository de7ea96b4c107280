package dev.credledger.app;

import dev.credledger.embedded.EmbeddedKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real KRaft broker in a process of its own (the project's {@link EmbeddedKafkaBroker}, started by {@link #main}), so
 * that a test can kill it as an operating system kills a process — SIGKILL: no shutdown, no flush, no controlled
 * anything — and start it again on the same data and port.
 */
final class BrokerProcess implements AutoCloseable {

    private final Process process;
    final String bootstrapServers;

    private BrokerProcess(Process process, int port) {
        this.process = process;
        this.bootstrapServers = "127.0.0.1:" + port;
    }

    /** Starts a broker on {@code dataDir} and {@code port} and returns once it says it is ready (at most 90 s). */
    static BrokerProcess start(Path dataDir, int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = dataDir.resolveSibling(dataDir.getFileName() + "-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), BrokerProcess.class.getName(), dataDir.toString(),
                Integer.toString(port))).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!Files.readString(log, StandardCharsets.UTF_8).contains("BROKER READY")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                String out = Files.readString(log, StandardCharsets.UTF_8);
                throw new AssertionError("the broker process did not start; its output ends: "
                        + out.substring(Math.max(0, out.length() - 3000)));
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos()); // polling the process's own output
        }
        return new BrokerProcess(p, port);
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** The broker process: starts, says so on stdout, and runs until it is killed. */
    public static void main(String[] args) throws Exception {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(new EmbeddedKafkaBroker.Settings(Path.of(args[0]),
                Integer.parseInt(args[1])));
        // Never outlive the test that started it: a killed test JVM leaves no broker holding its port.
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(0)));
        System.out.println("BROKER READY");
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
        new java.util.concurrent.CountDownLatch(1).await(); // nothing to wait for: this process runs until stopped or killed
    }
}
