package dev.credledger.api.reports;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.credledger.api.Forwarder;
import dev.credledger.api.Problem;
import dev.credledger.api.QueryLimiter;
import dev.credledger.api.StoreLocator;
import dev.credledger.api.Streaming;
import dev.credledger.api.audit.AuditExport;
import dev.credledger.events.avro.state.ApiAccessState;
import dev.credledger.events.avro.state.CredentialState;
import dev.credledger.processors.topology.Stores;
import dev.credledger.processors.topology.Topics;
import io.javalin.http.Context;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.streams.state.HostInfo;

/**
 * {@code GET /v1/reports/credentials?environment=&olderThanDays=&unusedForDays=&neverUsed=&expiringWithinDays=&expired=&format=json|csv}
 * (auditor): the credential report of every account ({@link CredentialReport}), streamed as it is read — this
 * instance's partitions, then each other instance's part, relayed row by row from {@value #SLICE_PATH} (NDJSON) — so
 * neither this instance nor the client holds the whole report. {@code json}: {@code {"generatedAt","items":[...]}};
 * {@code csv}: RFC 4180 with a header row, {@code never} for a credential never used.
 */
public final class ReportRoutes {

    /** The rows one instance holds, as NDJSON (role auditor). */
    public static final String SLICE_PATH = "/internal/v1/credential-report-slice";

    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);

    private final StoreLocator locator;
    private final Forwarder forwarder;
    private final UsageRecorder usage;
    private final QueryLimiter queries;

    public ReportRoutes(StoreLocator locator, Forwarder forwarder, UsageRecorder usage, QueryLimiter queries) {
        this.locator = locator;
        this.forwarder = forwarder;
        this.usage = usage;
        this.queries = queries;
    }

    /** A relayed part that sends nothing for this long is given up: the answer is aborted, not left hanging. */
    private static final long RELAY_IDLE_MILLIS = 30_000;
    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("credledger-report-relay-watchdog").daemon().factory());

    /**
     * A place rows go, in one format. {@link #finish} ends the document and is called only when every row was
     * written: a report that fails midway is never closed into one that looks whole.
     */
    private interface RowWriter {
        void row(Map<String, Object> row) throws IOException;

        void finish() throws IOException;
    }

    public void credentials(Context ctx) {
        String format = ctx.queryParamAsClass("format", String.class).getOrDefault("json");
        if (!format.equals("json") && !format.equals("csv")) {
            throw Problem.invalidParameter("format", "format is json or csv");
        }
        CredentialReport.Filter filter = CredentialReport.Filter.of(ctx);
        Instant now = Instant.now();
        queries.run(ctx.attribute("role"), () -> {
            StoreLocator.Placement placement = locator.placement(Stores.COMMAND_API_ACCESS);
            // The same instant for every part, so a row's age does not depend on which instance wrote it.
            ctx.status(200).contentType(format.equals("csv") ? "text/csv; charset=utf-8" : "application/json");
            ctx.header("Cache-Control", "no-store");
            Streaming.write(ctx, out -> {
                RowWriter rows = format.equals("csv") ? csv(out) : json(out, now);
                local(placement.localPartitions(), filter, now, row -> {
                    try {
                        rows.row(row);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                for (HostInfo other : placement.others()) {
                    // The partitions this instance saw it hold, and this instance's instant: the part is refused if the
                    // partitions moved meanwhile, and every row's age is counted from the same moment.
                    String slice = SLICE_PATH + "?" + filter.query() + "asOf=" + now.toEpochMilli() + "&partitions="
                            + String.join(",", placement.partitionsOf().get(other).stream().map(String::valueOf).toList());
                    relay(ctx, other, slice, rows);
                }
                rows.finish();
            });
        });
    }

    /** {@value #SLICE_PATH}: this instance's rows, one JSON object per line. */
    public void slice(Context ctx) {
        CredentialReport.Filter filter = CredentialReport.Filter.of(ctx);
        String asOf = ctx.queryParam("asOf");
        Instant now;
        try {
            now = asOf == null ? Instant.now() : Instant.ofEpochMilli(Long.parseLong(asOf));
        } catch (NumberFormatException e) {
            throw Problem.invalidParameter("asOf", "asOf is epoch milliseconds");
        }
        List<Integer> partitions = partitions(ctx.queryParam("partitions"));
        StoreLocator.Placement placement = locator.placement(Stores.COMMAND_API_ACCESS);
        List<Integer> held = placement.localPartitions();
        java.util.Set<Integer> all = new java.util.HashSet<>(held);
        placement.partitionsOf().values().forEach(all::addAll);
        if (!all.containsAll(partitions)) {
            throw Problem.invalidParameter("partitions", "no such partition of " + Topics.EVENTS);
        }
        if (!held.containsAll(partitions)) {
            throw Problem.unavailable("the view's partitions are moving between instances; retry");
        }
        ctx.status(200).contentType("application/x-ndjson");
        Streaming.write(ctx, out -> {
            try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
                g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
                g.setRootValueSeparator(null);
                local(partitions, filter, now, row -> {
                    try {
                        JSON.writeValue(g, row);
                        g.writeRaw('\n');
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                g.flush();
            }
        });
    }

    private static List<Integer> partitions(String value) {
        if (value == null || value.isBlank()) {
            throw Problem.invalidParameter("partitions", "name the partitions to answer for: partitions=0,1,2");
        }
        if (value.length() > 8 * 1024) {
            throw Problem.invalidParameter("partitions", "partitions names each partition once; this list is too long");
        }
        List<Integer> out;
        try {
            out = java.util.Arrays.stream(value.split(",")).map(String::strip).map(Integer::valueOf).toList();
        } catch (NumberFormatException e) {
            throw Problem.invalidParameter("partitions", "partitions is a comma-separated list of partition numbers");
        }
        // Each partition once: a repeated one would be answered again, as many times as it is named.
        if (new java.util.HashSet<>(out).size() != out.size()) {
            throw Problem.invalidParameter("partitions", "partitions names each partition once");
        }
        return out;
    }

    private void local(List<Integer> partitions, CredentialReport.Filter filter, Instant now,
            Consumer<Map<String, Object>> rows) {
        CredentialReport report = new CredentialReport(usage::lastUsedAt, filter, now);
        for (int p : partitions) {
            report.partition(locator.<ApiAccessState>partition(Stores.COMMAND_API_ACCESS, p),
                    locator.<CredentialState>partition(Stores.COMMAND_CREDENTIALS, p),
                    locator.<dev.credledger.events.avro.VerificationCounts>windowPartition(Stores.USAGE_WINDOWS, p), rows);
        }
    }

    /** Another instance's rows, read line by line and written on in this answer's format. */
    private void relay(Context ctx, HostInfo other, String slice, RowWriter rows) throws IOException {
        InputStream in = forwarder.open(ctx, other, slice);
        java.util.concurrent.atomic.AtomicLong progress = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
        // Reading an HTTP body has no timeout of its own: an instance that stops sending midway is cut off.
        var watchdog = WATCHDOG.scheduleWithFixedDelay(() -> {
            if (System.nanoTime() - progress.get() > RELAY_IDLE_MILLIS * 1_000_000) {
                try {
                    in.close();
                } catch (IOException e) {
                    // closing is all that is wanted
                }
            }
        }, 5, 5, java.util.concurrent.TimeUnit.SECONDS);
        try (in; BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                progress.set(System.nanoTime());
                if (!line.isBlank()) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> row = JSON.readValue(line, java.util.LinkedHashMap.class);
                    rows.row(row);
                }
            }
        } finally {
            watchdog.cancel(false);
        }
    }

    private static RowWriter json(OutputStream out, Instant generatedAt) throws IOException {
        JsonGenerator g = JSON.getFactory().createGenerator(out);
        g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
        g.writeStartObject();
        g.writeStringField("generatedAt", generatedAt.toString());
        g.writeArrayFieldStart("items");
        return new RowWriter() {
            long count;

            @Override
            public void row(Map<String, Object> row) throws IOException {
                JSON.writeValue(g, row);
                if ((++count & 1023) == 0) {
                    g.flush();
                }
            }

            @Override
            public void finish() throws IOException {
                g.writeEndArray();
                g.writeEndObject();
                g.close();
            }
        };
    }

    private static RowWriter csv(OutputStream out) throws IOException {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        w.write(String.join(",", CredentialReport.COLUMNS) + "\r\n");
        return new RowWriter() {
            long count;

            @Override
            public void row(Map<String, Object> row) throws IOException {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < CredentialReport.COLUMNS.size(); i++) {
                    String column = CredentialReport.COLUMNS.get(i);
                    Object v = row.get(column);
                    if (v instanceof List<?> list) {
                        v = list.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(" "));
                    }
                    // Names and actors are the callers' text: no spreadsheet formula (as in the audit export).
                    Object safe = v instanceof String s && (column.equals("accountId") || column.equals("name")
                            || column.equals("createdBy")) ? AuditExport.noFormula(s) : v;
                    line.append(i == 0 ? "" : ",")
                            .append(column.equals("lastUsedAt") && v == null ? "never" : AuditExport.csvField(safe));
                }
                w.write(line.append("\r\n").toString());
                if ((++count & 1023) == 0) {
                    w.flush();
                }
            }

            @Override
            public void finish() throws IOException {
                w.flush();
            }
        };
    }
}
