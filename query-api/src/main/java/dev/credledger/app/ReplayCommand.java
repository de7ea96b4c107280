package dev.credledger.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.processors.history.AccountReplay;
import dev.credledger.processors.history.Timeline;
import dev.credledger.processors.topology.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code credledger replay}: the event log, folded, without the running ledger. Reads
 * {@code credential-events} with its own consumer ({@link EventLogReader}), decodes with the registry and
 * folds with the processors' own {@code Evolver} ({@link AccountReplay}). Data on stdout, progress on
 * stderr; exit 0 on success, 2 for bad options, 1 when Kafka or the registry cannot be reached.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Replay credential-events: every event as a timeline line, or each account's state as of an instant.",
                "Reads the log itself (read_committed, no consumer group), never the ledger's stores or HTTP API."})
final class ReplayCommand implements Callable<Integer> {

    enum Output { timeline, state }

    enum Format { json, table }

    @CommandLine.Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Option(names = "--account", description = "Only this account (repeatable). Default: every account.")
    List<String> accounts = new ArrayList<>();

    @Option(names = "--from", description = "Timeline from this ISO-8601 instant (by offsetsForTimes).")
    String from;

    @Option(names = "--until", description = "Up to this ISO-8601 instant (each account stops at its first event after it). Default: the end.")
    String until;

    @Option(names = "--output", description = "timeline (one line per event) or state (one document per account). Default: ${DEFAULT-VALUE}")
    Output output = Output.timeline;

    @Option(names = "--format", description = "json (one object per line) or table. Default: ${DEFAULT-VALUE}")
    Format format = Format.json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Instant fromInstant;
        Instant untilInstant;
        Duration wait;
        try {
            fromInstant = instant("--from", from);
            untilInstant = instant("--until", until);
            cluster.resolve();
            wait = cluster.timeout();
            for (String a : accounts) {
                if (!AccountId.isValid(a)) {
                    throw new IllegalArgumentException("--account " + "is 1-64 characters of A-Z a-z 0-9 _ -");
                }
            }
            if (output == Output.state && fromInstant != null) {
                throw new IllegalArgumentException("--from applies to --output timeline: a state is folded from the account's first event");
            }
        } catch (IllegalArgumentException e) {
            err.println("credledger replay: " + e.getMessage());
            return 2;
        }
        // One deadline for both: --timeout bounds the whole wait, not each step of it.
        long deadline = System.nanoTime() + wait.toNanos();
        SchemaRegistryClient registry = cluster.registry(wait);
        try {
            registry.subjects();
        } catch (RuntimeException e) {
            err.println("credledger replay: the schema registry at " + cluster.schemaRegistryUrl + " cannot be reached within "
                    + cluster.timeout + " (" + oneLine(e) + ")");
            return 1;
        }
        PrintWriter out = spec.commandLine().getOut();
        Map<String, AccountReplay> states = new TreeMap<>();
        Progress progress = new Progress(err, Terminal.stderr());
        TableWriter table = new TableWriter(out);
        // At least a second for Kafka: a registry that took nearly all of it must not make the read fail at once.
        Duration left = Duration.ofNanos(Math.max(Duration.ofSeconds(1).toNanos(), deadline - System.nanoTime()));
        try (EventLogReader reader = new EventLogReader(cluster.bootstrapServers, new Topics(registry), left, cluster.clients().extra())) {
            reader.read(Set.copyOf(new LinkedHashSet<>(accounts)), fromInstant, untilInstant, event -> {
                if (output == Output.state) {
                    states.computeIfAbsent(event.metadata().accountId().value(),
                            a -> new AccountReplay(event.metadata().accountId())).apply(event);
                } else {
                    emitTimeline(out, table, event);
                }
            }, progress::report);
        } catch (dev.credledger.processors.history.HistoryIncomplete e) {
            err.println("credledger replay: " + e.getMessage());
            return 1;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            err.println("credledger replay: Kafka at " + cluster.bootstrapServers + " cannot be reached within " + cluster.timeout);
            return 1;
        } catch (RuntimeException e) {
            err.println("credledger replay: " + oneLine(e));
            return 1;
        }
        if (output == Output.state) {
            Instant asOf = untilInstant != null ? untilInstant : Instant.now();
            for (String account : accounts) {
                states.computeIfAbsent(account, a -> new AccountReplay(new AccountId(a)));
            }
            for (AccountReplay replay : states.values()) {
                Map<String, Object> state = replay.state(asOf);
                if (format == Format.json) {
                    out.println(write(state));
                } else {
                    table.state(state);
                }
            }
        }
        out.flush();
        progress.done();
        return 0;
    }

    private void emitTimeline(PrintWriter out, TableWriter table, CredentialEvent event) {
        Map<String, Object> line = Timeline.line(event);
        if (format == Format.json) {
            out.println(write(line));
        } else {
            table.timeline(line);
        }
    }

    static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static Instant instant(String option, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " is an ISO-8601 instant such as 2026-11-26T14:02:00Z");
        }
    }

    private static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s+", " ");
    }

    /** Progress on stderr, at most once a second, only on reads that take longer than that. */
    private static final class Progress {
        private final PrintWriter err;
        private final boolean shown;
        private final long started = System.nanoTime();
        private long lastReport = System.nanoTime();
        private boolean reported;

        Progress(PrintWriter err, boolean shown) {
            this.err = err;
            this.shown = shown;
        }

        void report(EventLogReader.Progress p) {
            long now = System.nanoTime();
            if (!shown || now - lastReport < 1_000_000_000L) {
                return;
            }
            lastReport = now;
            reported = true;
            double seconds = (now - started) / 1e9;
            double perSecond = p.events() / Math.max(seconds, 1e-9);
            double done = p.end() == 0 ? 1 : (double) p.position() / p.end();
            long eta = done <= 0 ? -1 : Math.round(seconds / done - seconds);
            err.printf("replay: %,d events read, %,.0f events/s, offsets %,d of %,d (%.0f%%), ETA %s%n", p.events(), perSecond,
                    p.position(), p.end(), done * 100, eta < 0 ? "?" : eta + " s");
            err.flush();
        }

        void done() {
            if (reported) {
                err.printf("replay: done in %.1f s%n", (System.nanoTime() - started) / 1e9);
                err.flush();
            }
        }
    }
}
