package dev.credledger.api.views;

import dev.credledger.api.OwnerRouting;
import dev.credledger.api.Requests;
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
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;

/** API access and the credential list of an account+environment, answered by the instance that owns the account. */
public final class ViewRoutes {

    private final OwnerRouting owner;
    private final java.util.function.Function<java.util.UUID, java.time.Instant> lastUse;

    /** {@code lastUse}: a secret's last successful verification (or MAC, for a salt), or {@code null} if never. */
    public ViewRoutes(OwnerRouting owner, java.util.function.Function<java.util.UUID, java.time.Instant> lastUse) {
        this.owner = owner;
        this.lastUse = lastUse;
    }

    private String lastUsed(java.util.UUID secretId) {
        java.time.Instant at = lastUse.apply(secretId);
        return at == null ? null : at.toString();
    }

    public void apiAccess(Context ctx) {
        AccountId account = Requests.account(ctx);
        Environment env = Requests.environment(ctx);
        owner.<ApiAccessState>answer(ctx, Stores.COMMAND_API_ACCESS, account, (store, c) -> {
            ApiAccessState a = store.get(Keys.access(account, env));
            Map<String, Object> out = new LinkedHashMap<>();
            boolean enabled = a != null && a.getEnabled();
            out.put("enabled", enabled);
            out.put("tokenId", enabled ? a.getToken().getSecretId() : null);
            out.put("tokenPrefix", enabled ? a.getToken().getPrefix() : null);
            out.put("tokenExpiresAt", enabled && a.getTokenExpiresAt() != null ? a.getTokenExpiresAt().toString() : null);
            out.put("tokenExpired", enabled && a.getTokenExpired());
            out.put("saltId", enabled ? a.getSalt().getSecretId() : null);
            out.put("saltPrefix", enabled ? a.getSalt().getPrefix() : null);
            out.put("lastUsedAt", enabled ? lastUsed(a.getToken().getSecretId()) : null);
            out.put("saltLastUsedAt", enabled ? lastUsed(a.getSalt().getSecretId()) : null);
            out.put("allowedIps", a == null ? List.of() : a.getAllowedIps());
            out.put("enabledAt", a == null || a.getEnabledAt() == null ? null : a.getEnabledAt().toString());
            out.put("updatedAt", a == null ? null : a.getUpdatedAt().toString());
            if (a != null && a.getGraceToken() != null) {
                Map<String, Object> grace = new LinkedHashMap<>();
                grace.put("tokenId", a.getGraceToken().getSecretId());
                grace.put("tokenPrefix", a.getGraceToken().getPrefix());
                grace.put("graceUntil", a.getGraceUntil().toString());
                grace.put("lastUsedAt", lastUsed(a.getGraceToken().getSecretId()));
                out.put("graceToken", grace);
            }
            OwnerRouting.respond(c, out);
        });
    }

    public void credentials(Context ctx) {
        AccountId account = Requests.account(ctx);
        Environment env = Requests.environment(ctx);
        boolean includeDeleted = "true".equals(ctx.queryParam("includeDeleted"));
        owner.<CredentialState>answer(ctx, Stores.COMMAND_CREDENTIALS, account, (store, c) -> {
            List<Map<String, Object>> items = new ArrayList<>();
            try (KeyValueIterator<String, CredentialState> it =
                         store.prefixScan(Keys.credentialPrefix(account, env), new StringSerializer())) {
                it.forEachRemaining(kv -> {
                    CredentialState s = kv.value;
                    if (includeDeleted || !"DELETED".equals(s.getStatus().name())) {
                        Map<String, Object> item = credential(s);
                        item.put("lastUsedAt", lastUsed(s.getSecret().getSecretId()));
                        items.add(item);
                    }
                });
            }
            items.sort((a, b) -> ((String) a.get("createdAt")).compareTo((String) b.get("createdAt")));
            OwnerRouting.respond(c, Map.of("items", items));
        });
    }

    public static Map<String, Object> credential(CredentialState s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("credentialId", s.getCredentialId());
        out.put("name", s.getName());
        out.put("clientId", s.getClientId());
        out.put("secretPrefix", s.getSecret().getPrefix());
        out.put("status", s.getStatus().name());
        out.put("createdAt", s.getCreatedAt().toString());
        out.put("updatedAt", s.getUpdatedAt().toString());
        out.put("expiresAt", s.getExpiresAt() == null ? null : s.getExpiresAt().toString());
        out.put("scopes", s.getScopes());
        return out;
    }
}
