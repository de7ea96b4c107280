package dev.credledger.api.audit;

import dev.credledger.api.Problem;
import dev.credledger.api.Requests;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Environment;
import dev.credledger.processors.topology.Keys;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * One page of an account's audit trail, oldest first: a range scan of {@code view-audit} between the
 * time bounds (or after the cursor), filtered, at most {@code limit} records. A scan stops after
 * {@link #MAX_SCANNED} records or {@link #MAX_SCAN_NANOS} even if the page is not full, and says where to
 * continue: a selective filter on a large account costs many cheap pages, never one expensive one.
 */
public final class AuditQuery {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    /** The work one page may do: records read and time spent, whichever ends first; the cursor continues. */
    public static final int MAX_SCANNED = 10_000;
    public static final long MAX_SCAN_NANOS = 100_000_000L;
    /** The instants a time bound may name; beyond these no record can exist, and arithmetic on them overflows. */
    public static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    public record Filter(Environment environment, UUID credentialId, String type, String actor, Instant from, Instant to,
                  int limit, String cursor) {}

    public Filter filter(Context ctx) {
        String env = ctx.queryParam("environment");
        String credentialId = ctx.queryParam("credentialId");
        return new Filter(
                env == null ? null : Requests.environment("environment", env),
                credentialId == null ? null : Requests.uuid("credentialId", credentialId),
                ctx.queryParam("type"),
                ctx.queryParam("actor"),
                instant(ctx, "from"),
                instant(ctx, "to"),
                limit(ctx.queryParam("limit")),
                cursor(ctx.queryParam("cursor")));
    }

    public Map<String, Object> page(ReadOnlyKeyValueStore<String, AuditRecord> store, AccountId account, Filter f) {
        String prefix = Keys.auditPrefix(account.value());
        if (f.cursor() != null && !f.cursor().startsWith(prefix)) {
            throw Problem.invalidParameter("cursor", "this cursor belongs to another query");
        }
        String from = f.cursor() != null ? f.cursor() + "\u0000"
                : prefix + (f.from() == null ? "" : Keys.auditTime(f.from()));
        String to = prefix + (f.to() == null ? "~" : Keys.auditTime(f.to()) + "|~");
        List<Map<String, Object>> items = new ArrayList<>();
        String last = null;
        int scanned = 0;
        boolean more = false;
        long deadline = System.nanoTime() + MAX_SCAN_NANOS;
        if (from.compareTo(to) <= 0) {
            try (KeyValueIterator<String, AuditRecord> it = store.range(from, to)) {
                while (it.hasNext()) {
                    if (items.size() == f.limit() || scanned == MAX_SCANNED
                            || ((scanned & 255) == 255 && System.nanoTime() > deadline)) {
                        more = true;
                        break;
                    }
                    KeyValue<String, AuditRecord> kv = it.next();
                    scanned++;
                    last = kv.key;
                    if (matches(kv.value, f)) {
                        items.add(item(kv.value));
                    }
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", items);
        out.put("nextCursor", more && last != null
                ? Base64.getUrlEncoder().withoutPadding().encodeToString(last.getBytes(StandardCharsets.UTF_8)) : null);
        return out;
    }

    static boolean matches(AuditRecord r, Filter f) {
        return (f.environment() == null || (r.getEnvironment() != null && r.getEnvironment().name().equals(f.environment().name())))
                && (f.credentialId() == null || f.credentialId().equals(r.getSubjectId()))
                && (f.type() == null || f.type().equals(r.getType()))
                && (f.actor() == null || f.actor().equals(r.getActor().getActorId()));
    }

    public static Map<String, Object> item(AuditRecord r) {
        Map<String, Object> actor = new LinkedHashMap<>();
        actor.put("id", r.getActor().getActorId());
        actor.put("sourceIp", r.getActor().getSourceIp());
        actor.put("userAgent", r.getActor().getUserAgent());
        actor.put("channel", r.getActor().getChannel().name());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sequence", r.getSequence());
        out.put("eventId", r.getEventId());
        out.put("type", r.getType());
        out.put("environment", r.getEnvironment() == null ? null : r.getEnvironment().name().toLowerCase(java.util.Locale.ROOT));
        out.put("time", r.getOccurredAt().toString());
        out.put("actor", actor);
        out.put("sourceIp", r.getActor().getSourceIp());
        out.put("outcome", r.getOutcome().name());
        out.put("reason", r.getReasonCode());
        out.put("detail", r.getDetail());
        out.put("credentialId", r.getSubjectId());
        out.put("commandId", r.getCommandId());
        out.put("correlationId", r.getCorrelationId());
        out.put("prevHash", r.getPrevHash());
        out.put("hash", r.getHash());
        return out;
    }

    private static Instant instant(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null) {
            return null;
        }
        Instant instant;
        try {
            instant = Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw Problem.invalidParameter(name, name + " is an ISO-8601 instant such as 2026-11-26T14:02:00Z");
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw Problem.invalidParameter(name, name + " is an instant between " + EARLIEST + " and " + LATEST);
        }
        return instant;
    }

    private static int limit(String value) {
        if (value == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw Problem.invalidParameter("limit", "limit is 1 to " + MAX_LIMIT);
    }

    /** The key a {@code nextCursor} stands for, or {@code null} for none. */
    public static String decodeCursor(String nextCursor) {
        return cursor(nextCursor);
    }

    private static String cursor(String value) {
        if (value == null) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw Problem.invalidParameter("cursor", "cursor is the nextCursor of an earlier page");
        }
    }
}
