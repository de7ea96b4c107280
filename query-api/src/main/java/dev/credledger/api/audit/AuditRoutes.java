package dev.credledger.api.audit;

import dev.credledger.api.OwnerRouting;
import dev.credledger.api.Problem;
import dev.credledger.api.QueryLimiter;
import dev.credledger.api.Requests;
import dev.credledger.api.Streaming;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.model.AccountId;
import dev.credledger.processors.topology.Stores;
import dev.credledger.processors.topology.Keys;
import io.javalin.http.Context;
import java.util.Iterator;
import org.apache.kafka.streams.state.KeyValueIterator;

/** The audit trail of an account, page by page, answered by the instance that owns the account. */
public final class AuditRoutes {

    private final OwnerRouting owner;
    private final AuditQuery audit = new AuditQuery();
    private final QueryLimiter queries;

    public AuditRoutes(OwnerRouting owner, QueryLimiter queries) {
        this.owner = owner;
        this.queries = queries;
    }

    /**
     * {@code GET /v1/accounts/{account}/audit/export?from=&to=&format=ndjson|csv|ocsf}: the trail streamed as it
     * is read from the store, in constant memory, whatever its size.
     */
    public void export(Context ctx) {
        AccountId account = Requests.account(ctx);
        AuditExport.Format format = format(ctx.queryParam("format"));
        AuditQuery.Filter bounds = audit.filter(ctx);
        queries.run(ctx.attribute("role"), () -> owner.<AuditRecord>answer(ctx, Stores.VIEW_AUDIT, account, (store, c) -> {
            String prefix = Keys.auditPrefix(account.value());
            String from = prefix + (bounds.from() == null ? "" : Keys.auditTime(bounds.from()));
            String to = prefix + (bounds.to() == null ? "~" : Keys.auditTime(bounds.to()) + "|~");
            c.status(200).contentType(format.contentType);
            c.header("Content-Disposition", "attachment; filename=\"" + account.value() + "-audit."
                    + (format == AuditExport.Format.csv ? "csv" : "ndjson") + "\"");
            c.header("Cache-Control", "no-store");
            Streaming.write(c, out -> {
                try (KeyValueIterator<String, AuditRecord> it = store.range(from, to)) {
                    // The same filters as an audit page (environment, credentialId, type, actor), applied as records stream by.
                    AuditExport.write(filtered(it, bounds), format, out);
                }
            });
        }));
    }

    private static Iterator<AuditRecord> filtered(KeyValueIterator<String, AuditRecord> it, AuditQuery.Filter filter) {
        return new Iterator<>() {
            private AuditRecord next = advance();

            private AuditRecord advance() {
                while (it.hasNext()) {
                    AuditRecord r = it.next().value;
                    if (AuditQuery.matches(r, filter)) {
                        return r;
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public AuditRecord next() {
                AuditRecord current = next;
                next = advance();
                return current;
            }
        };
    }

    private static AuditExport.Format format(String value) {
        if (value == null) {
            return AuditExport.Format.ndjson;
        }
        try {
            return AuditExport.Format.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw Problem.invalidParameter("format", "format is ndjson, csv or ocsf");
        }
    }

    public void auditTrail(Context ctx) {
        AccountId account = Requests.account(ctx);
        AuditQuery.Filter filter = audit.filter(ctx);
        queries.run(ctx.attribute("role"), () -> owner.<AuditRecord>answer(ctx, Stores.VIEW_AUDIT, account,
                (store, c) -> OwnerRouting.respond(c, audit.page(store, account, filter))));
    }
}
