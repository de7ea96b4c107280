package dev.credledger.app;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code credledger stop}: stops the local ledger gracefully (as Ctrl-C does) and waits until it has exited. */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = {"Stop the local ledger gracefully (commands in flight get their answers) and wait for it to exit.",
                "It is found by <data-dir>/credledger.json (written by serve): --data-dir, else ./data, then ./data-demo.",
                "Exit code: 0 stopped, 3 not running, 1 still running after --wait."})
final class StopCommand implements Callable<Integer> {

    @Option(names = "--data-dir", description = "The ledger's data directory. Default: ./data, then ./data-demo.")
    Path dataDir;

    @Option(names = "--wait", description = "How long to wait for it to exit. Default: ${DEFAULT-VALUE}")
    String wait = "60s";

    @Override
    public Integer call() throws InterruptedException {
        Duration timeout = ServeCommand.duration("--wait", wait);
        var found = LocalLedger.find(dataDir);
        if (found.isEmpty() || !found.get().ledger().running()) {
            System.err.println("credledger stop: no local ledger is running"
                    + found.map(f -> " (" + f.dataDir().resolve(LocalLedger.FILE_NAME) + " is stale)").orElse(""));
            return StatusCommand.DOWN;
        }
        LocalLedger ledger = found.get().ledger();
        ProcessHandle process = ProcessHandle.of(ledger.pid()).orElseThrow();
        System.err.println("Stopping credledger (process " + ledger.pid() + ", " + ledger.httpUrl() + ")...");
        process.destroy(); // SIGTERM: the ledger's shutdown hook drains and closes everything
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            System.err.println("credledger stop: still running after " + wait + " (process " + ledger.pid() + ")");
            return 1;
        } catch (java.util.concurrent.ExecutionException e) {
            // onExit does not fail
        }
        System.out.println("credledger stopped");
        return 0;
    }
}
