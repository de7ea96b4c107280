package dev.credledger.api.proofs;

import dev.credledger.api.Forwarder;
import dev.credledger.api.OwnerRouting;
import dev.credledger.api.Problem;
import dev.credledger.api.QueryLimiter;
import dev.credledger.api.Requests;
import dev.credledger.api.StoreLocator;
import dev.credledger.events.avro.AuditCheckpoint;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.model.AccountId;
import dev.credledger.processors.audit.AuditChain;
import dev.credledger.processors.audit.AuditLog;
import dev.credledger.processors.topology.Keys;
import dev.credledger.processors.topology.Stores;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@code GET /v1/audit/verifier-key}, {@code /v1/audit/checkpoints}, {@code /v1/accounts/{account}/audit/{sequence}/proof}
 * and {@code /v1/audit/consistency}: what an auditor needs to check the trail without trusting the ledger. A record's
 * proof is answered by the instance that holds its log (forwarded once otherwise), against the latest checkpoint.
 */
public final class ProofRoutes {

    /** The audit logs' name, their verifier key, and how often they are checkpointed. */
    public record Config(String logName, String verifierKey, Duration checkpointInterval) {}

    private static final Base64.Encoder B64 = Base64.getEncoder();

    private final Config config;
    private final StoreLocator locator;
    private final OwnerRouting owner;
    private final Forwarder forwarder;
    private final QueryLimiter queries;

    /** @param queries the per-key bound of expensive reads (a chain check reads an account's whole trail) */
    public ProofRoutes(Config config, StoreLocator locator, OwnerRouting owner, Forwarder forwarder, QueryLimiter queries) {
        this.config = config;
        this.locator = locator;
        this.owner = owner;
        this.forwarder = forwarder;
        this.queries = queries;
    }

    public void verifierKey(Context ctx) {
        ctx.status(200).contentType("text/plain; charset=utf-8").result(config.verifierKey());
    }

    public void checkpoints(Context ctx) {
        ReadOnlyKeyValueStore<String, AuditCheckpoint> store = global();
        List<Map<String, Object>> items = new ArrayList<>();
        try (KeyValueIterator<String, AuditCheckpoint> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, AuditCheckpoint> c = all.next();
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("origin", c.value.getOrigin());
                item.put("treeSize", c.value.getTreeSize());
                item.put("checkpoint", c.value.getCheckpoint());
                items.add(item);
            }
        }
        OwnerRouting.respond(ctx, Map.of("items", items));
    }

    public void proof(Context ctx) {
        AccountId account = Requests.account(ctx);
        long sequence = positive("sequence", ctx.pathParam("sequence"));
        owner.<byte[]>answer(ctx, Stores.AUDIT_LOG, account, (store, c) -> {
            AuditLog log = new AuditLog(store::get);
            Long leaf = log.leafIndex(account.value(), sequence);
            if (leaf == null) {
                throw Problem.notFound("no audit record " + sequence + " of this account in its audit log");
            }
            // Answered against a checkpoint that is on the topic: the store may hold one of a transaction not yet
            // committed (interactive queries read uncommitted state), which must never be shown.
            long size = Math.min(log.lastCheckpointSize(), published(log));
            if (leaf >= size) {
                throw new Problem(409, "not-yet-checkpointed", "Not yet checkpointed", "the record is in its log, but no "
                        + "checkpoint covers it yet; the next comes within " + config.checkpointInterval())
                        .with("code", "NOT_YET_CHECKPOINTED").retryAfter(retryAfter());
            }
            String note = log.checkpoint(size);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("origin", note.substring(0, note.indexOf('\n')));
            out.put("leafIndex", leaf);
            out.put("treeSize", size);
            out.put("leafHash", B64.encodeToString(log.nodes().node(0, leaf)));
            out.put("inclusionProof", log.inclusionProof(leaf, size).stream().map(B64::encodeToString).toList());
            out.put("checkpoint", note);
            OwnerRouting.respond(c, out);
        });
    }

    public void consistency(Context ctx) {
        String origin = ctx.queryParam("origin");
        if (origin == null || origin.isBlank()) {
            throw Problem.invalidParameter("origin", "give origin=<the log's origin, as in its checkpoints>");
        }
        long from = positive("from", ctx.queryParam("from"));
        long to = positive("to", ctx.queryParam("to"));
        if (from > to) {
            throw Problem.invalidParameter("from", "from must not be larger than to");
        }
        int partition = AuditLog.partitionOf(config.logName(), origin);
        if (partition < 0) {
            throw Problem.notFound("no audit log " + origin + " here (origins are " + config.logName() + "/<partition>)");
        }
        StoreLocator.Location<byte[]> location = locator.locatePartition(Stores.AUDIT_LOG, partition);
        switch (location) {
            case StoreLocator.Location.Local<byte[]> local -> {
                AuditLog log = new AuditLog(local.store()::get);
                if (to > log.size()) {
                    throw Problem.invalidParameter("to", "the log has " + log.size() + " records");
                }
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("origin", origin);
                out.put("from", from);
                out.put("to", to);
                out.put("consistencyProof", log.consistencyProof(from, to).stream().map(B64::encodeToString).toList());
                OwnerRouting.respond(ctx, out);
            }
            case StoreLocator.Location.Remote<byte[]> remote -> {
                if (forwarder.alreadyForwarded(ctx)) {
                    throw Problem.unavailable("the audit log is moving between instances; retry");
                }
                forwarder.forward(ctx, remote.host(), ctx.path() + "?" + ctx.queryString());
            }
            case StoreLocator.Location.Unavailable<byte[]> unavailable -> throw Problem.unavailable(unavailable.why());
        }
    }

    /**
     * {@code GET /v1/accounts/{account}/audit/verify}: the account's hash chain recomputed from its first record, in
     * sequence order. {@code view-audit} is in time order; instants come from the clocks of the instances that
     * decided, so two records may be out of order there by a little: they wait in a bounded buffer for their turn.
     */
    public void verifyChain(Context ctx) {
        AccountId account = Requests.account(ctx);
        queries.run(ctx.attribute("role"), () -> owner.<AuditRecord>answer(ctx, Stores.VIEW_AUDIT, account, (store, c) -> {
            AuditChain.Check check = new AuditChain.Check();
            java.util.TreeMap<Long, AuditRecord> early = new java.util.TreeMap<>();
            boolean any = false;
            String prefix = Keys.auditPrefix(account.value());
            try (KeyValueIterator<String, AuditRecord> it = store.range(prefix, prefix + "~")) {
                while (it.hasNext() && check.broken().isEmpty()) {
                    AuditRecord r = it.next().value;
                    any = true;
                    early.put(r.getSequence(), r);
                    while (!early.isEmpty() && (early.firstKey() == check.records() + 1 || early.size() > MAX_OUT_OF_ORDER)) {
                        if (!check.accept(early.pollFirstEntry().getValue())) {
                            break;
                        }
                    }
                }
            }
            while (!early.isEmpty() && check.accept(early.pollFirstEntry().getValue())) {
                // the rest, in sequence order: a gap breaks the chain here
            }
            if (!any) {
                throw Problem.notFound("no audit record of this account");
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("intact", check.broken().isEmpty());
            out.put("records", check.records());
            check.broken().ifPresentOrElse(b -> out.put("firstBroken", Map.of("sequence", b.sequence(), "expected", b.expected(),
                    "found", b.found())), () -> out.put("head", check.head()));
            OwnerRouting.respond(c, out);
        }));
    }

    /** How far apart in {@code view-audit}'s time order an account's records may be before a gap is declared. */
    private static final int MAX_OUT_OF_ORDER = 1_000;

    /** The size of the latest checkpoint of this log on the topic (0 if none yet). */
    private long published(AuditLog log) {
        String note = log.checkpoint(log.lastCheckpointSize());
        if (note == null) {
            return 0;
        }
        AuditCheckpoint latest = global().get(note.substring(0, note.indexOf('\n')));
        return latest == null ? 0 : latest.getTreeSize();
    }

    private ReadOnlyKeyValueStore<String, AuditCheckpoint> global() {
        try {
            return locator.global(Stores.VIEW_AUDIT_CHECKPOINTS);
        } catch (RuntimeException e) {
            throw Problem.unavailable("the checkpoints are being loaded; retry");
        }
    }

    private int retryAfter() {
        return (int) Math.max(1, Math.min(3600, config.checkpointInterval().toSeconds()));
    }

    private static long positive(String name, String value) {
        try {
            long v = Long.parseLong(value == null ? "" : value);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw Problem.invalidParameter(name, name + " is a whole number from 1");
    }
}
