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
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.streams.state.HostInfo;

/**
 * {@code GET /v1/reports/credentials?environment=&olderThanDays=&unusedForDays=&neverUsed=&format=json|csv}
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

    /** A place rows go, in one format. */
    private interface RowWriter extends AutoCloseable {
        void row(Map<String, Object> row) throws IOException;

        @Override
        void close() throws IOException;
    }

    public void credentials(Context ctx) {
        String format = ctx.queryParamAsClass("format", String.class).getOrDefault("json");
        if (!format.equals("json") && !format.equals("csv")) {
            throw Problem.invalidParameter("format", "format is json or csv");
        }
        CredentialReport.Filter filter = CredentialReport.Filter.of(ctx);
        Instant now = Instant.now();
        queries.run(ctx.attribute("role"), () -> {
            StoreLocator.Placement placement = locator.placement(Stores.VIEW_API_ACCESS, Topics.EVENTS);
            // The same instant for every part, so a row's age does not depend on which instance wrote it.
            String slice = SLICE_PATH + "?" + (ctx.queryString() == null ? "" : ctx.queryString() + "&") + "asOf=" + now.toEpochMilli();
            ctx.status(200).contentType(format.equals("csv") ? "text/csv; charset=utf-8" : "application/json");
            ctx.header("Cache-Control", "no-store");
            Streaming.write(ctx, out -> {
                try (RowWriter rows = format.equals("csv") ? csv(out) : json(out, now)) {
                    local(placement, filter, now, row -> {
                        try {
                            rows.row(row);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                    for (HostInfo other : placement.others()) {
                        relay(ctx, other, slice, rows);
                    }
                }
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
        StoreLocator.Placement placement = locator.placement(Stores.VIEW_API_ACCESS, Topics.EVENTS);
        ctx.status(200).contentType("application/x-ndjson");
        Streaming.write(ctx, out -> {
            try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
                g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
                g.setRootValueSeparator(null);
                local(placement, filter, now, row -> {
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

    private void local(StoreLocator.Placement placement, CredentialReport.Filter filter, Instant now,
            Consumer<Map<String, Object>> rows) {
        CredentialReport report = new CredentialReport(usage::lastUsedAt, filter, now);
        for (int p : placement.localPartitions()) {
            report.partition(locator.<ApiAccessState>partition(Stores.VIEW_API_ACCESS, p),
                    locator.<CredentialState>partition(Stores.VIEW_CREDENTIALS, p), rows);
        }
    }

    /** Another instance's rows, read line by line and written on in this answer's format. */
    private void relay(Context ctx, HostInfo other, String slice, RowWriter rows) throws IOException {
        try (InputStream in = forwarder.open(ctx, other, slice);
             BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.isBlank()) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> row = JSON.readValue(line, java.util.LinkedHashMap.class);
                    rows.row(row);
                }
            }
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
            public void close() throws IOException {
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
                    // Names and actors are the callers' text: no spreadsheet formula (as in the audit export).
                    Object safe = v instanceof String s && (column.equals("name") || column.equals("createdBy"))
                            ? AuditExport.noFormula(s) : v;
                    line.append(i == 0 ? "" : ",")
                            .append(column.equals("lastUsedAt") && v == null ? "never" : AuditExport.csvField(safe));
                }
                w.write(line.append("\r\n").toString());
                if ((++count & 1023) == 0) {
                    w.flush();
                }
            }

            @Override
            public void close() throws IOException {
                w.flush();
            }
        };
    }
}
