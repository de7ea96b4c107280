package dev.credledger.api.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.credledger.events.avro.AuditRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes audit records as they are read, one at a time, so an export of any size takes constant memory:
 * {@code ndjson} (the audit record shape, one per line), {@code csv} (RFC 4180: a header row, CRLF line
 * ends, fields quoted when they hold a comma, quote or line break, quotes doubled) or {@code ocsf} (one
 * OCSF Account Change event per line, {@link OcsfMapping}).
 */
public final class AuditExport {

    public enum Format {
        ndjson("application/x-ndjson"), csv("text/csv; charset=utf-8"), ocsf("application/x-ndjson");

        public final String contentType;

        Format(String contentType) {
            this.contentType = contentType;
        }
    }

    static final List<String> CSV_COLUMNS = List.of("accountId", "sequence", "eventId", "type", "environment", "time",
            "actorId", "sourceIp", "userAgent", "channel", "outcome", "reason", "detail", "credentialId", "commandId",
            "correlationId", "prevHash", "hash");

    /** Without flush-after-write: records are flushed a thousand at a time, not one chunk each. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(com.fasterxml.jackson.databind.SerializationFeature.FLUSH_AFTER_WRITE_VALUE);

    private AuditExport() {}

    /** Writes every record the iterator yields; returns how many. The stream is flushed, not closed. */
    public static long write(Iterator<AuditRecord> records, Format format, OutputStream out) throws IOException {
        long count = 0;
        if (format == Format.csv) {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            w.write(String.join(",", CSV_COLUMNS) + "\r\n");
            while (records.hasNext()) {
                csvRow(w, records.next());
                count++;
                if ((count & 1023) == 0) {
                    w.flush();
                }
            }
            w.flush();
            return count;
        }
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            g.setRootValueSeparator(null);
            while (records.hasNext()) {
                AuditRecord r = records.next();
                Map<String, Object> doc = format == Format.ocsf ? OcsfMapping.event(r) : withAccount(r);
                JSON.writeValue(g, doc);
                g.writeRaw('\n');
                count++;
                if ((count & 1023) == 0) {
                    g.flush();
                }
            }
            g.flush();
        }
        return count;
    }

    private static Map<String, Object> withAccount(AuditRecord r) {
        Map<String, Object> item = new java.util.LinkedHashMap<>();
        item.put("accountId", r.getAccountId());
        item.putAll(AuditQuery.item(r));
        return item;
    }

    private static void csvRow(Writer w, AuditRecord r) throws IOException {
        Object[] values = {r.getAccountId(), r.getSequence(), r.getEventId(), r.getType(),
                r.getEnvironment() == null ? null : r.getEnvironment().name().toLowerCase(Locale.ROOT),
                r.getOccurredAt().toString(), noFormula(r.getActor().getActorId()), r.getActor().getSourceIp(),
                noFormula(r.getActor().getUserAgent()), r.getActor().getChannel().name(), r.getOutcome().name(),
                r.getReasonCode(), noFormula(r.getDetail()), r.getSubjectId(), r.getCommandId(), r.getCorrelationId(), r.getPrevHash(), r.getHash()};
        StringBuilder row = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                row.append(',');
            }
            row.append(csvField(values[i]));
        }
        w.write(row.append("\r\n").toString());
    }

    /**
     * Caller-controlled text (actor, user agent, detail) that a spreadsheet would run as a formula gets a
     * leading apostrophe (OWASP's advice against CSV injection); the JSON formats carry it unchanged.
     */
    public static String noFormula(String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        char c = value.charAt(0);
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' ? "'" + value : value;
    }

    /** RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled. */
    public static String csvField(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
