package dev.credledger.api.commands;

import dev.credledger.api.Json;
import dev.credledger.api.Problem;
import dev.credledger.api.Requests;
import dev.credledger.events.avro.command.CommandResult;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Environment;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.domain.CredentialPolicy;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Credential policies: {@code PUT .../credential-policy} (maximum age, rotation notice, expiry required) and
 * {@code PUT .../credentials/{id}/scopes}. Each is a command through the account's single writer, so each change is
 * an event: audited, replayed and delivered like the rest.
 */
public final class PolicyRoutes {

    public record PolicyBody(Integer maxAgeDays, Integer expiryWarningDays, Boolean requireExpiry, Long expectedVersion) {}

    public record ScopesBody(List<String> scopes, Long expectedVersion) {}

    private final CommandRoutes commands;

    public PolicyRoutes(CommandRoutes commands) {
        this.commands = commands;
    }

    /** {@code PUT /v1/accounts/{account}/credential-policy}: the same policy again is accepted and records nothing. */
    public void changePolicy(Context ctx) {
        AccountId account = Requests.account(ctx);
        PolicyBody body = Json.body(ctx, PolicyBody.class, new PolicyBody(null, null, null, null));
        Integer maxAge = body.maxAgeDays();
        if (maxAge != null && (maxAge < 1 || maxAge > CredentialPolicy.MAX_AGE_DAYS_LIMIT)) {
            throw Problem.invalidParameter("maxAgeDays", "maxAgeDays is 1 to " + CredentialPolicy.MAX_AGE_DAYS_LIMIT
                    + ", or null for no maximum");
        }
        int warning = body.expiryWarningDays() == null ? CredentialPolicy.DEFAULT.expiryWarningDays() : body.expiryWarningDays();
        if (warning < 1 || warning > CredentialPolicy.WARNING_DAYS_LIMIT) {
            throw Problem.invalidParameter("expiryWarningDays", "expiryWarningDays is 1 to " + CredentialPolicy.WARNING_DAYS_LIMIT);
        }
        CredentialPolicy policy = new CredentialPolicy(maxAge, warning, Boolean.TRUE.equals(body.requireExpiry()));
        CommandResult result = commands.execute(ctx,
                new Command.SetCredentialPolicy(commands.meta(ctx, account, body.expectedVersion()), policy));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("maxAgeDays", policy.maxAgeDays());
        out.put("expiryWarningDays", policy.expiryWarningDays());
        out.put("requireExpiry", policy.requireExpiry());
        out.put("version", result.getStateVersion());
        CommandRoutes.respond(ctx, 200, out);
    }

    /** {@code PUT .../credentials/{credentialId}/scopes} {@code {"scopes":[...]|null}}: null makes it unrestricted. */
    public void changeScopes(Context ctx) {
        AccountId account = Requests.account(ctx);
        Environment env = Requests.environment(ctx);
        UUID id = Requests.credentialId(ctx);
        // Absent and null differ here: null is a choice (unrestricted), absent a mistake.
        @SuppressWarnings("unchecked")
        Map<String, Object> raw = Json.body(ctx, Map.class, Map.of());
        if (!raw.containsKey("scopes")) {
            throw Problem.badRequest("field 'scopes' is required: a list, or null for unrestricted");
        }
        ScopesBody body = Json.body(ctx, ScopesBody.class, new ScopesBody(null, null));
        List<String> scopes = Lifetimes.scopes("scopes", body.scopes());
        CommandResult result = commands.execute(ctx,
                new Command.SetCredentialScopes(commands.meta(ctx, account, body.expectedVersion()), env, id, scopes));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("credentialId", id);
        out.put("scopes", scopes);
        out.put("version", result.getStateVersion());
        CommandRoutes.respond(ctx, 200, out);
    }
}
