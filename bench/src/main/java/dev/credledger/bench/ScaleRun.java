package dev.credledger.bench;

import java.time.Duration;
import java.util.List;

/**
 * Issue 25's figures in one run, each with its baseline: what a command costs the broker, peak throughput against an
 * exactly-once pass-through, the latency bars under a background load of half that peak, commands over HTTP at 1, 32
 * and 256 clients, the scale-out design's edge filter and routed hop, replay of 10M events against a bare consumer,
 * and a million active credentials (last: it restarts the ledger). {@code quick}: the same at sizes that take under three minutes.
 */
final class ScaleRun {

    private ScaleRun() {}

    static void run(Benchmarks b, Report report, boolean quick) throws Exception {
        new RecordsPerCommand(b, report).run();
        double peak = new Throughput(b, report).run();
        try (BackgroundLoad background = new BackgroundLoad(b, peak / 2).start()) {
            new CommandLatency(b, report).run(List.of(1), Duration.ofSeconds(quick ? 5 : 10));
            new RevocationLatency(b, report).run(quick ? 100 : 300, true);
            report.line(String.format("  both while a background load ran: %,.0f commands/s straight to the topic"
                    + " (half the peak of %,.0f/s)", background.rate(), peak));
        }
        new CommandLatency(b, report).run(List.of(1, 32, 256), Duration.ofSeconds(quick ? 3 : 8));
        new ScaleOutSimulation(report).run(quick ? 1_000_000 : 10_000_000);
        new LargeReplay(b, report).run(quick ? 1_000_000 : 10_000_000);
        new MillionCredentials(b, report).run(quick ? 20_000 : 500_000);
    }
}
