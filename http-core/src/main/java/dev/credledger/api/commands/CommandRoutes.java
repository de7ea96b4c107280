package dev.credledger.api.commands;

import dev.credledger.api.ClientAddress;
import dev.credledger.api.Json;
import dev.credledger.api.Problem;
import dev.credledger.api.Requests;
import dev.credledger.api.SecretInput;
import dev.credledger.api.keys.DataKeys;
import dev.credledger.events.avro.Outcome;
import dev.credledger.events.avro.SecretRef;
import dev.credledger.events.avro.command.CommandResult;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Actor;
import dev.credledger.events.model.Channel;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.LeakMode;
import dev.credledger.events.model.Plan;
import dev.credledger.events.model.RefreshReason;
import dev.credledger.events.model.SealedSecret;
import dev.credledger.events.secret.IssuedSecret;
import dev.credledger.events.secret.SecretFormat;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.domain.CommandMetadata;
import dev.credledger.processors.domain.RejectionReason;
import dev.credledger.processors.topology.Keys;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The command endpoints. Secrets are generated here, at the edge; only their references travel in the
 * command; the plaintext goes back in this response once the command is accepted, and is then forgotten.
 */
public final class CommandRoutes {

    /** Body of commands that take no parameters: only the optional expected version. */
    public record Versioned(Long expectedVersion) {}

    public record EnableBody(Long tokenTtlSeconds, Long expectedVersion) {}

    public record RefreshBody(RefreshReason reason, Long graceSeconds, Long tokenTtlSeconds, Long expectedVersion) {}

    public record CidrBody(String cidr, Long expectedVersion) {}

    public record CreateBody(String name, String expiresAt, Long ttlSeconds, List<String> scopes, Long expectedVersion) {}

    public record PlanBody(Plan plan, Long expectedVersion) {}

    public record LeakPolicyBody(String mode, Long expectedVersion) {}

    private static final Versioned NONE = new Versioned(null);

    /** Response header of accepted commands: {@code current} (read-your-writes holds) or {@code catching-up}. */
    public static final String VIEWS_HEADER = "Credledger-Views";

    private final CommandGateway gateway;
    private final SecretFormat secrets;
    private final ClientAddress clientAddress;
    private final LocalLookups lookups;
    private final DataKeys dataKeys;

    public CommandRoutes(CommandGateway gateway, SecretFormat secrets, ClientAddress clientAddress, LocalLookups lookups,
            DataKeys dataKeys) {
        this.dataKeys = dataKeys;
        this.gateway = gateway;
        this.secrets = secrets;
        this.clientAddress = clientAddress;
        this.lookups = lookups;
    }

    public void enable(Context ctx) {
        AccountId account = Requests.account(ctx);
        Environment env = Requests.environment(ctx);
        EnableBody body = Json.body(ctx, EnableBody.class, new EnableBody(null, null));
        CommandMetadata meta = meta(ctx, account, body.expectedVersion());
        Instant expiresAt = Lifetimes.expiry("tokenExpiresAt", null, "tokenTtlSeconds", body.tokenTtlSeconds(), meta.issuedAt());
        IssuedSecret token = secrets.issue(CredentialKind.AUTH_TOKEN, env);
        IssuedSecret salt = secrets.issue(CredentialKind.PRIVATE_SALT, env);
        SealedSecret sealedSalt;
        try {
            // Sealed under a new data key, stored before the command is sent: the ledger can sign with the salt.
            sealedSalt = dataKeys.sealNew(account, env, salt);
        } catch (DataKeys.NotStored e) {
            throw Problem.unavailable(e.getMessage() + "; nothing was changed");
        }
        CommandResult result = execute(ctx, new Command.EnableApi(meta, env, token.ref(), salt.ref(), sealedSalt, expiresAt));
        if (!result.getReplayed()) {
            catchingUpUnless(ctx, lookups.awaitSigningSalt(Keys.access(account, env), salt.ref().secretId()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("authToken", token.plaintext());
        out.put("privateSalt", salt.plaintext());
        out.put("tokenId", token.ref().secretId());
        out.put("saltId", salt.ref().secretId());
        out.put("expiresAt", text(result.getExpiresAt()));
        respondWithSecret(ctx, 201, out);
    }

    public void refresh(Context ctx) {
        AccountId account = Requests.account(ctx);
        Environment env = Requests.environment(ctx);
        RefreshBody body = Json.body(ctx, RefreshBody.class, new RefreshBody(null, null, null, null));
        RefreshReason reason = body.reason() == null ? RefreshReason.ROUTINE : body.reason();
        long grace = body.graceSeconds() == null ? 0 : body.graceSeconds();
        CommandMetadata meta = meta(ctx, account, body.expectedVersion());
        Instant expiresAt = Lifetimes.expiry("tokenExpiresAt", null, "tokenTtlSeconds", body.tokenTtlSeconds(), meta.issuedAt());
        IssuedSecret token = secrets.issue(CredentialKind.AUTH_TOKEN, env);
        CommandResult result = execute(ctx, new Command.RefreshAuthToken(meta, env, token.ref(), reason,
                Duration.ofSeconds(grace), expiresAt));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("authToken", token.plaintext());
        out.put("tokenId", token.ref().secretId());
        out.put("expiresAt", text(result.getExpiresAt()));
        // As decided: a grace period ends no later than the previous token's expiry (results from before it was recorded
        // have none: then the grace asked for).
        out.put("graceUntil", grace == 0 ? null : result.getGraceUntil() != null ? result.getGraceUntil().toString()
                : result.getDecidedAt().plusSeconds(grace).toString());
        out.put("revoked", revoked(result));
        respondWithSecret(ctx, 200, out);
    }

    public void disable(Context ctx) {
        AccountId account = Requests.account(ctx);
        Environment env = Requests.environment(ctx);
        Versioned body = Json.body(ctx, Versioned.class, NONE);
        CommandResult result = execute(ctx, new Command.DisableApi(meta(ctx, account, body.expectedVersion()), env));
        if (!result.getReplayed()) {
            // This instance signs nothing more with the salt once the answer is out.
            catchingUpUnless(ctx, lookups.awaitSigningSaltGone(Keys.access(account, env)));
        }
        respond(ctx, 200, Map.of("enabled", false, "revoked", revoked(result)));
    }

    public void allowIp(Context ctx) {
        AccountId account = Requests.account(ctx);
        Environment env = Requests.environment(ctx);
        CidrBody body = Json.body(ctx, CidrBody.class, new CidrBody(null, null));
        String cidr = noSecret("cidr", required("cidr", body.cidr()));
        execute(ctx, new Command.AllowIp(meta(ctx, account, body.expectedVersion()), env, cidr));
        String normalised = dev.credledger.events.model.Cidr.parse(cidr).map(Object::toString).orElse(cidr);
        catchingUpUnless(ctx, lookups.awaitAllowList(Keys.access(account, env), normalised, true));
        respond(ctx, 201, Map.of("cidr", normalised));
    }

    public void removeIp(Context ctx) {
        AccountId account = Requests.account(ctx);
        Environment env = Requests.environment(ctx);
        String cidr = ctx.queryParam("cidr");
        if (cidr == null || cidr.isBlank()) {
            throw Problem.invalidParameter("cidr", "give the address or block to remove as ?cidr=");
        }
        noSecret("cidr", cidr);
        execute(ctx, new Command.RemoveIp(meta(ctx, account, ifMatch(ctx)), env, cidr));
        catchingUpUnless(ctx, lookups.awaitAllowList(Keys.access(account, env),
                dev.credledger.events.model.Cidr.parse(cidr).map(Object::toString).orElse(cidr), false));
        ctx.status(204);
    }

    public void createCredential(Context ctx) {
        AccountId account = Requests.account(ctx);
        Environment env = Requests.environment(ctx);
        CreateBody body = Json.body(ctx, CreateBody.class, new CreateBody(null, null, null, null, null));
        String name = noSecret("name", required("name", body.name()));
        CommandMetadata meta = meta(ctx, account, body.expectedVersion());
        Instant expiresAt = Lifetimes.expiry("expiresAt", body.expiresAt(), "ttlSeconds", body.ttlSeconds(), meta.issuedAt());
        List<String> scopes = Lifetimes.scopes("scopes", body.scopes());
        IssuedSecret secret = secrets.issue(CredentialKind.CLIENT_SECRET, env);
        UUID credentialId = IdempotencyKeys.credentialId(ctx, meta.commandId());
        String clientId = secrets.newClientId(env);
        CommandResult result = execute(ctx, new Command.CreateClientCredential(meta, env,
                credentialId, name, clientId, secret.ref(), expiresAt, scopes));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("credentialId", credentialId);
        out.put("clientId", clientId);
        out.put("clientSecret", secret.plaintext());
        out.put("name", name);
        out.put("status", "ACTIVE");
        out.put("createdAt", result.getDecidedAt().toString());
        out.put("expiresAt", text(result.getExpiresAt()));
        out.put("scopes", scopes);
        respondWithSecret(ctx, 201, out);
    }

    public void deactivate(Context ctx) {
        statusChange(ctx, "INACTIVE", (meta, env, id) -> new Command.DeactivateCredential(meta, env, id));
    }

    public void activate(Context ctx) {
        statusChange(ctx, "ACTIVE", (meta, env, id) -> new Command.ReactivateCredential(meta, env, id));
    }

    public void deleteCredential(Context ctx) {
        AccountId account = Requests.account(ctx);
        Environment env = Requests.environment(ctx);
        UUID id = Requests.credentialId(ctx);
        execute(ctx, new Command.DeleteCredential(meta(ctx, account, ifMatch(ctx)), env, id));
        ctx.status(204);
    }

    public void changePlan(Context ctx) {
        AccountId account = Requests.account(ctx);
        PlanBody body = Json.body(ctx, PlanBody.class, new PlanBody(null, null));
        Plan plan = required("plan", body.plan());
        CommandResult result = execute(ctx, new Command.ChangePlan(meta(ctx, account, body.expectedVersion()), plan));
        respond(ctx, 200, Map.of("plan", plan.name(), "version", result.getStateVersion()));
    }

    /** {@code PUT .../leak-policy} {@code {"mode":"revoke"|"notify"}}: what a leak report of an active secret does. */
    public void changeLeakPolicy(Context ctx) {
        AccountId account = Requests.account(ctx);
        LeakPolicyBody body = Json.body(ctx, LeakPolicyBody.class, new LeakPolicyBody(null, null));
        String mode = required("mode", body.mode());
        LeakMode leakMode = switch (mode) {
            case "revoke" -> LeakMode.REVOKE;
            case "notify" -> LeakMode.NOTIFY;
            default -> throw Problem.invalidParameter("mode", "mode is \"revoke\" or \"notify\"");
        };
        CommandResult result = execute(ctx, new Command.SetLeakPolicy(meta(ctx, account, body.expectedVersion()), leakMode));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mode", mode);
        out.put("version", result.getStateVersion());
        respond(ctx, 200, out);
    }

    private interface StatusCommand {
        Command of(CommandMetadata meta, Environment env, UUID credentialId);
    }

    private void statusChange(Context ctx, String status, StatusCommand command) {
        AccountId account = Requests.account(ctx);
        Environment env = Requests.environment(ctx);
        UUID id = Requests.credentialId(ctx);
        Versioned body = Json.body(ctx, Versioned.class, NONE);
        CommandResult result = execute(ctx, command.of(meta(ctx, account, body.expectedVersion()), env, id));
        respond(ctx, 200, Map.of("credentialId", id, "status", status, "revoked", revoked(result)));
    }

    /**
     * Executes the command; an accepted one's answer says in {@code Credledger-Views} whether this instance's
     * views already show it ({@code current}) or are still catching up ({@code catching-up}). Once accepted,
     * nothing here may fail the request: the answer may carry the only copy of a new secret.
     */
    CommandResult execute(Context ctx, Command command) {
        CommandResult result;
        try {
            result = gateway.execute(command, IdempotencyKeys.sentFingerprint(ctx));
        } catch (CommandGateway.Timeout e) {
            throw Problem.unavailable("the command was sent but its result did not arrive in time; it may still be "
                    + "applied: look for commandId " + e.commandId() + " in the audit trail").with("commandId", e.commandId());
        }
        if (result.getOutcome() == Outcome.ACCEPTED) {
            // A replay was decided long ago: what it activated may have been revoked since, so no lookup wait.
            boolean current = result.getReplayed() || lookups.awaitSecrets(result);
            ctx.header(VIEWS_HEADER, current ? "current" : "catching-up");
        }
        IdempotencyKeys.checkRepeat(ctx, command, result);
        if (result.getOutcome() == Outcome.ACCEPTED) {
            return result;
        }
        RejectionReason reason = RejectionReason.valueOf(result.getReasonCode());
        int status = reason == RejectionReason.CREDENTIAL_NOT_FOUND ? 404 : reason.isConflict() ? 409
                : reason.isPolicyViolation() ? 400 : 422;
        throw new Problem(status, "rejected/" + reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                "Command rejected", result.getDetail())
                .with("code", reason.name()).with("commandId", result.getCommandId()).with("version", result.getStateVersion());
    }

    private static void catchingUpUnless(Context ctx, boolean current) {
        if (!current) {
            ctx.header(VIEWS_HEADER, "catching-up");
        }
    }

    CommandMetadata meta(Context ctx, AccountId account, Long bodyVersion) {
        refuseReserved(account);
        Long expected = bodyVersion != null ? bodyVersion : ifMatch(ctx);
        return new CommandMetadata(IdempotencyKeys.commandId(ctx, account), account, Instant.now(),
                Actors.of(ctx, clientAddress), UUID.randomUUID(), expected);
    }

    /** The transmitter's own account holds the Shared Signals streams' audit trail, and nothing else. */
    public static void refuseReserved(AccountId account) {
        if (account.equals(AccountId.SSF_TRANSMITTER)) {
            throw new Problem(422, "account-reserved", "Account reserved", "account " + account.value() + " is the "
                    + "Shared Signals transmitter's own audit trail: it can be read, not changed").with("code", "ACCOUNT_RESERVED");
        }
    }

    private static Long ifMatch(Context ctx) {
        String value = ctx.header("If-Match");
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value.replace("\"", "").strip());
        } catch (NumberFormatException e) {
            throw Problem.invalidParameter("If-Match", "If-Match carries the expected version, a number");
        }
    }

    private static String noSecret(String field, String value) {
        return SecretInput.refuse(field, value);
    }

    private static <T> T required(String field, T value) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            throw Problem.badRequest("field '" + field + "' is required");
        }
        return value;
    }

    /**
     * The secrets a command revoked, each with its {@code revocationId}: the revocation's {@code eventId} on
     * {@code credential-revocations}, to follow with {@code GET /v1/revocations/{revocationId}}.
     */
    static List<Map<String, Object>> revoked(CommandResult result) {
        List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (int i = 0; i < result.getRevoked().size(); i++) {
            Map<String, Object> item = secret(result.getRevoked().get(i));
            // Results written before revocation IDs were recorded have none.
            item.put("revocationId", i < result.getRevocationIds().size() ? result.getRevocationIds().get(i) : null);
            out.add(item);
        }
        return out;
    }

    public static Map<String, Object> secret(SecretRef s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", s.getSecretId());
        out.put("kind", s.getKind().name());
        out.put("prefix", s.getPrefix());
        return out;
    }

    /** A response that shows a secret, the only one that ever will: no cache may keep it (RFC 9111 §5.2.2.5). */
    private static void respondWithSecret(Context ctx, int status, Map<String, ?> body) {
        ctx.header("Cache-Control", "no-store");
        respond(ctx, status, body);
    }

    private static String text(Instant at) {
        return at == null ? null : at.toString();
    }

    static void respond(Context ctx, int status, Map<String, ?> body) {
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }
}
