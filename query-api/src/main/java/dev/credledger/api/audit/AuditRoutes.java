package dev.credledger.api.audit;

import dev.credledger.api.OwnerRouting;
import dev.credledger.api.QueryLimiter;
import dev.credledger.api.Requests;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.model.AccountId;
import dev.credledger.processors.topology.Stores;
import io.javalin.http.Context;

/** The audit trail of an account, page by page, answered by the instance that owns the account. */
public final class AuditRoutes {

    private final OwnerRouting owner;
    private final AuditQuery audit = new AuditQuery();
    private final QueryLimiter queries;

    public AuditRoutes(OwnerRouting owner, QueryLimiter queries) {
        this.owner = owner;
        this.queries = queries;
    }

    public void auditTrail(Context ctx) {
        AccountId account = Requests.account(ctx);
        AuditQuery.Filter filter = audit.filter(ctx);
        queries.run(ctx.attribute("role"), () -> owner.<AuditRecord>answer(ctx, Stores.VIEW_AUDIT, account,
                (store, c) -> OwnerRouting.respond(c, audit.page(store, account, filter))));
    }
}
