package dev.credledger.api.history;

import dev.credledger.api.OwnerRouting;
import dev.credledger.api.Problem;
import dev.credledger.api.QueryLimiter;
import dev.credledger.api.Requests;
import dev.credledger.api.audit.AuditQuery;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.CredentialEvent;
import dev.credledger.events.model.AccountId;
import dev.credledger.processors.history.AccountReplay;
import dev.credledger.processors.topology.Stores;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code GET /v1/accounts/{account}/state?asOf=} — the account folded from its events up to an instant by
 * the processors' own {@code Evolver}, never read from the current views — and
 * {@code GET /v1/accounts/{account}/credentials/{credentialId}/history}.
 */
public final class HistoryRoutes {

    /** How far ahead of this instance's clock an {@code asOf} may be (clock skew), before it is "the future". */
    private static final Duration CLOCK_SKEW = Duration.ofSeconds(1);
    private static final int MAX_PAGES = 10;

    private final OwnerRouting owner;
    private final QueryLimiter queries;
    private final StateSnapshots snapshots = new StateSnapshots();

    public HistoryRoutes(OwnerRouting owner, QueryLimiter queries) {
        this.owner = owner;
        this.queries = queries;
    }

    public void state(Context ctx) {
        AccountId account = Requests.account(ctx);
        Instant asOf = asOf(ctx.queryParam("asOf"));
        queries.run(ctx.attribute("role"), () -> owner.<CredentialEvent>answer(ctx, Stores.VIEW_ACCOUNT_EVENTS, account,
                (store, c) -> {
                    AccountReplay replay = snapshots.stateAt(store, account, asOf);
                    if (replay == null) {
                        throw Problem.notFound("no account " + account.value());
                    }
                    OwnerRouting.respond(c, replay.state(asOf));
                }));
    }

    public void credentialHistory(Context ctx) {
        AccountId account = Requests.account(ctx);
        UUID credentialId = Requests.credentialId(ctx);
        AuditQuery audit = new AuditQuery();
        queries.run(ctx.attribute("role"), () -> owner.<AuditRecord>answer(ctx, Stores.VIEW_AUDIT, account, (store, c) -> {
            List<Object> items = new ArrayList<>();
            String cursor = AuditQuery.decodeCursor(ctx.queryParam("cursor"));
            String next;
            int pages = 0;
            // Bounded like every audit read: at most MAX_PAGES budgeted pages, then a cursor to continue.
            do {
                Map<String, Object> page = audit.page(store, account, new AuditQuery.Filter(null, credentialId, null, null,
                        null, null, AuditQuery.MAX_LIMIT, cursor));
                items.addAll((List<?>) page.get("items"));
                next = (String) page.get("nextCursor");
                cursor = AuditQuery.decodeCursor(next);
            } while (cursor != null && ++pages < MAX_PAGES);
            if (items.isEmpty() && next == null) {
                throw Problem.notFound("no credential " + credentialId + " in account " + account.value());
            }
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            out.put("items", items);
            out.put("nextCursor", next);
            OwnerRouting.respond(c, out);
        }));
    }

    private static Instant asOf(String value) {
        if (value == null) {
            return Instant.now();
        }
        Instant asOf;
        try {
            asOf = Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw Problem.invalidParameter("asOf", "asOf is an ISO-8601 instant such as 2026-11-26T14:02:00Z");
        }
        if (asOf.isAfter(Instant.now().plus(CLOCK_SKEW))) {
            throw Problem.invalidParameter("asOf", "asOf is in the future: the ledger knows the past and the present");
        }
        return asOf;
    }
}
