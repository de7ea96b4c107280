package dev.credledger.api.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.credledger.api.Forwarder;
import dev.credledger.api.Json;
import dev.credledger.api.OwnerRouting;
import dev.credledger.api.Problem;
import dev.credledger.api.QueryLimiter;
import dev.credledger.api.StoreLocator;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.model.Cidr;
import dev.credledger.processors.topology.Keys;
import dev.credledger.processors.topology.Stores;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import org.apache.kafka.streams.state.HostInfo;

/**
 * {@code GET /v1/audit?actor=&sourceIp=&from=&to=&limit=&cursor=}: what one actor, or one address, did across
 * every account, oldest first. Each instance scans the partitions it holds ({@link PartyActivity#scan}); the
 * instance asked gathers the others' slices over {@value #SLICE_PATH} and merges them into one page.
 */
public final class ActivityRoutes {

    /** The part of a cross-account page one instance answers from its own partitions (role auditor). */
    public static final String SLICE_PATH = "/internal/v1/audit-slice";

    private final AuditQuery audit = new AuditQuery();
    private final StoreLocator locator;
    private final Forwarder forwarder;
    private final QueryLimiter queries;
    /** Slices have permits of their own: pages waiting on other instances must not starve those instances' slices. */
    private final QueryLimiter slices;

    public ActivityRoutes(StoreLocator locator, Forwarder forwarder, QueryLimiter queries, QueryLimiter slices) {
        this.locator = locator;
        this.forwarder = forwarder;
        this.queries = queries;
        this.slices = slices;
    }

    /** A query: which index to read between which keys, and what each record must also match. */
    private record Query(String fromKey, String toKey, Predicate<AuditRecord> wanted, int limit) {}

    public void activity(Context ctx) {
        Query q = query(ctx);
        queries.run(ctx.attribute("role"), () -> {
            StoreLocator.Placement placement = locator.placement(Stores.VIEW_AUDIT_BY_PARTY);
            String sliceQuery = SLICE_PATH + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
            List<CompletableFuture<String>> asked = new ArrayList<>();
            for (HostInfo other : placement.others()) {
                asked.add(forwarder.ask(ctx, other, sliceQuery));
            }
            List<PartyActivity.Slice> parts = new ArrayList<>();
            parts.add(localSlice(placement, q));
            for (CompletableFuture<String> answer : asked) {
                parts.add(slice(join(answer)));
            }
            PartyActivity.Page page = PartyActivity.merge(parts, q.limit());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("items", page.items());
            out.put("nextCursor", page.nextKey() == null ? null
                    : Base64.getUrlEncoder().withoutPadding().encodeToString(page.nextKey().getBytes(StandardCharsets.UTF_8)));
            OwnerRouting.respond(ctx, out);
        });
    }

    /** {@value #SLICE_PATH}: the same query, answered from this instance's partitions only. */
    public void slice(Context ctx) {
        Query q = query(ctx);
        slices.run(ctx.attribute("role"), () -> OwnerRouting.respond(ctx,
                localSlice(locator.placement(Stores.VIEW_AUDIT_BY_PARTY), q)));
    }

    private PartyActivity.Slice localSlice(StoreLocator.Placement placement, Query q) {
        List<PartyActivity.Partition> partitions = new ArrayList<>();
        for (int p : placement.localPartitions()) {
            partitions.add(new PartyActivity.Partition(locator.partition(Stores.VIEW_AUDIT_BY_PARTY, p),
                    locator.partition(Stores.VIEW_AUDIT, p)));
        }
        return PartyActivity.scan(partitions, q.fromKey(), q.toKey(), q.wanted(), q.limit());
    }

    private Query query(Context ctx) {
        String actor = ctx.queryParam("actor");
        String sourceIp = ctx.queryParam("sourceIp");
        if (actor == null && sourceIp == null) {
            throw Problem.badRequest("name an actor (actor=), a source address (sourceIp=), or both");
        }
        if (actor != null && (actor.isEmpty() || actor.length() > 128 || !actor.chars().allMatch(c -> c >= 0x20 && c < 0x7f))) {
            throw Problem.invalidParameter("actor", "actor is 1 to 128 printable ASCII characters, as X-Actor");
        }
        String address = null;
        if (sourceIp != null) {
            address = Cidr.canonicalAddress(sourceIp).orElseThrow(() -> Problem.invalidParameter("sourceIp",
                    "sourceIp is one IPv4 or IPv6 address, such as 203.0.113.7 or 2001:db8::7"));
        }
        AuditQuery.Filter filter = audit.filter(ctx);
        // The actor index when an actor is named (an address is then checked on each record), else the address index.
        String prefix = actor != null ? Keys.actorPrefix(actor) : Keys.sourceIpPrefix(address);
        String cursor = filter.cursor();
        if (cursor != null && !cursor.startsWith(prefix)) {
            throw Problem.invalidParameter("cursor", "this cursor belongs to another query");
        }
        String fromKey = cursor != null ? cursor + "\u0000"
                : prefix + (filter.from() == null ? "" : Keys.auditTime(filter.from()));
        String toKey = prefix + (filter.to() == null ? "~" : Keys.auditTime(filter.to()) + "|~");
        String wantedAddress = actor != null ? address : null;
        Predicate<AuditRecord> wanted = r -> AuditQuery.matches(r, filter) && (wantedAddress == null
                || wantedAddress.equals(Cidr.canonicalAddress(r.getActor().getSourceIp()).orElse(null)));
        return new Query(fromKey, toKey, wanted, filter.limit());
    }

    private static String join(CompletableFuture<String> answer) {
        try {
            return answer.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof Problem p ? p : Problem.unavailable("another instance did not answer its part; retry");
        }
    }

    private static PartyActivity.Slice slice(String json) {
        try {
            return Json.MAPPER.readValue(json, PartyActivity.Slice.class);
        } catch (JsonProcessingException e) {
            throw Problem.unavailable("another instance answered its part in a form this one does not read; retry");
        }
    }
}
