package dev.credledger.api;

import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.state.ApiAccessState;
import dev.credledger.events.avro.state.CredentialState;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Environment;
import dev.credledger.processors.topology.Keys;
import dev.credledger.processors.topology.Stores;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads of the views. Each is answered by the instance that owns the account: here, from the local
 * store, or by forwarding; during a rebalance, 503 with {@code Retry-After} rather than a wrong answer.
 */
final class ViewRoutes {

    private final StoreLocator locator;
    private final Forwarder forwarder;
    private final AuditQuery audit;
    /** Audit pages are the expensive reads: at most this many at once per key. */
    static final int AUDIT_QUERIES_PER_KEY = 4;
    private final QueryLimiter queries = new QueryLimiter(AUDIT_QUERIES_PER_KEY);

    ViewRoutes(StoreLocator locator, Forwarder forwarder) {
        this.locator = locator;
        this.forwarder = forwarder;
        this.audit = new AuditQuery();
    }

    void apiAccess(Context ctx) {
        AccountId account = Requests.account(ctx);
        Environment env = Requests.environment(ctx);
        this.<ApiAccessState>onOwner(ctx, Stores.VIEW_API_ACCESS, account, (store, c) -> {
            ApiAccessState a = store.get(Keys.access(account, env));
            Map<String, Object> out = new LinkedHashMap<>();
            boolean enabled = a != null && a.getEnabled();
            out.put("enabled", enabled);
            out.put("tokenId", enabled ? a.getToken().getSecretId() : null);
            out.put("tokenPrefix", enabled ? a.getToken().getPrefix() : null);
            out.put("saltId", enabled ? a.getSalt().getSecretId() : null);
            out.put("saltPrefix", enabled ? a.getSalt().getPrefix() : null);
            out.put("allowedIps", a == null ? List.of() : a.getAllowedIps());
            out.put("enabledAt", a == null || a.getEnabledAt() == null ? null : a.getEnabledAt().toString());
            out.put("updatedAt", a == null ? null : a.getUpdatedAt().toString());
            if (a != null && a.getGraceToken() != null) {
                out.put("graceToken", Map.of("tokenId", a.getGraceToken().getSecretId(),
                        "tokenPrefix", a.getGraceToken().getPrefix(), "graceUntil", a.getGraceUntil().toString()));
            }
            respond(c, out);
        });
    }

    void credentials(Context ctx) {
        AccountId account = Requests.account(ctx);
        Environment env = Requests.environment(ctx);
        boolean includeDeleted = "true".equals(ctx.queryParam("includeDeleted"));
        this.<CredentialState>onOwner(ctx, Stores.VIEW_CREDENTIALS, account, (store, c) -> {
            List<Map<String, Object>> items = new ArrayList<>();
            try (KeyValueIterator<String, CredentialState> it =
                         store.prefixScan(Keys.credentialPrefix(account, env), new StringSerializer())) {
                it.forEachRemaining(kv -> {
                    CredentialState s = kv.value;
                    if (includeDeleted || !"DELETED".equals(s.getStatus().name())) {
                        items.add(credential(s));
                    }
                });
            }
            items.sort((a, b) -> ((String) a.get("createdAt")).compareTo((String) b.get("createdAt")));
            respond(c, Map.of("items", items));
        });
    }

    void auditTrail(Context ctx) {
        AccountId account = Requests.account(ctx);
        AuditQuery.Filter filter = audit.filter(ctx);
        queries.run(ctx.attribute("role"), () -> this.<AuditRecord>onOwner(ctx, Stores.VIEW_AUDIT, account,
                (store, c) -> respond(c, audit.page(store, account, filter))));
    }

    private <V> void onOwner(Context ctx, String storeName, AccountId account,
            BiConsumer<ReadOnlyKeyValueStore<String, V>, Context> answer) {
        StoreLocator.Location<V> location = locator.locate(storeName, account.value());
        switch (location) {
            case StoreLocator.Location.Local<V> local -> answer.accept(local.store(), ctx);
            case StoreLocator.Location.Remote<V> remote -> {
                if (forwarder.alreadyForwarded(ctx)) {
                    throw Problem.unavailable("the account's view is moving between instances; retry");
                }
                forwarder.forward(ctx, remote.host());
            }
            case StoreLocator.Location.Unavailable<V> unavailable -> throw Problem.unavailable(unavailable.why());
        }
    }

    static Map<String, Object> credential(CredentialState s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("credentialId", s.getCredentialId());
        out.put("name", s.getName());
        out.put("clientId", s.getClientId());
        out.put("secretPrefix", s.getSecret().getPrefix());
        out.put("status", s.getStatus().name());
        out.put("createdAt", s.getCreatedAt().toString());
        out.put("updatedAt", s.getUpdatedAt().toString());
        return out;
    }

    static void respond(Context ctx, Object body) {
        ctx.status(200).contentType("application/json").result(Json.write(body));
    }
}
