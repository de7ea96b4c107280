package dev.credledger.api.commands;

import dev.credledger.api.Json;
import dev.credledger.api.Problem;
import dev.credledger.api.SecretInput;
import dev.credledger.events.avro.Outcome;
import dev.credledger.events.avro.command.CommandResult;
import dev.credledger.events.model.AccountId;
import dev.credledger.processors.domain.Command;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code Idempotency-Key} on command requests (IETF httpapi-idempotency-key-header): the key, scoped to the
 * account, becomes the command ID, so the processor applies a retried request once within
 * {@code --idempotency-window} and answers repeats with the first decision. The request's fingerprint
 * travels with the command: the same key with another request is 422 {@code IDEMPOTENCY_KEY_REUSED}.
 *
 * <p>A repeat of an accepted command answers the first answer's status with {@code Idempotent-Replayed:
 * true} and what can be shown again — IDs, prefixes, revocations, the version — but never the secrets: a
 * secret is shown once, in the first response, and the ledger keeps no copy to show again.
 */
public final class IdempotencyKeys {

    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    private static final String FINGERPRINT = "credledger.request.fingerprint";

    private IdempotencyKeys() {}

    /** The request's Idempotency-Key, checked, or {@code null} without one. */
    public static String key(Context ctx) {
        String key = ctx.header(HEADER);
        if (key == null) {
            return null;
        }
        if (key.isEmpty() || key.length() > 255 || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw Problem.invalidParameter(HEADER, "an Idempotency-Key is 1-255 printable ASCII characters without spaces");
        }
        SecretInput.refuse(HEADER, key);
        return key;
    }

    /** An ID derived from the request's Idempotency-Key within {@code scope}, or a random one without a key. */
    public static UUID derivedId(Context ctx, String scope) {
        String key = key(ctx);
        return key == null ? UUID.randomUUID()
                : UUID.nameUUIDFromBytes(("idempotency-key|" + scope + "|" + key).getBytes(StandardCharsets.UTF_8));
    }

    /** Marks an answer as the replay of an earlier request with the same key. */
    public static void markReplayed(Context ctx) {
        ctx.header(REPLAYED_HEADER, "true");
    }

    /** 422: the key was used for a request that meant something else. */
    public static Problem reused() {
        return new Problem(422, "idempotency-key-reused", "Idempotency-Key reused", "this Idempotency-Key was used for a "
                + "different request; use a new key for a new request").with("code", "IDEMPOTENCY_KEY_REUSED");
    }

    /** The command ID for this request: derived from its Idempotency-Key if it has one, else random. */
    public static UUID commandId(Context ctx, AccountId account) {
        String key = key(ctx);
        if (key == null) {
            return UUID.randomUUID();
        }
        ctx.attribute(FINGERPRINT, fingerprint(ctx));
        return UUID.nameUUIDFromBytes(("idempotency-key|" + account.value() + "|" + key).getBytes(StandardCharsets.UTF_8));
    }

    /** The fingerprint sent with this request's command, or {@code null} without an Idempotency-Key. */
    public static String sentFingerprint(Context ctx) {
        return ctx.attribute(FINGERPRINT);
    }

    /** A repeat is answered here (by a thrown {@link Replayed}); a fresh decision passes through. */
    public static void checkRepeat(Context ctx, Command command, CommandResult result) {
        String sent = ctx.attribute(FINGERPRINT);
        if (sent != null && result.getRequestFingerprint() != null && !sent.equals(result.getRequestFingerprint())) {
            throw reused().with("commandId", result.getCommandId());
        }
        // A keyed retry may also receive the first attempt's fresh decision (both wait on one command ID): if
        // the secrets this request generated are not the ones the decision activated, it is a repeat too, and
        // showing this request's secrets would show secrets that were never recorded.
        boolean repeat = result.getReplayed() || (sent != null && !activatesOwnSecrets(command, result));
        if (!repeat) {
            return;
        }
        ctx.header(REPLAYED_HEADER, "true");
        if (result.getOutcome() == Outcome.REJECTED) {
            return; // answered as the rejection it was
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("replayed", true);
        body.put("commandId", result.getCommandId());
        if (command instanceof Command.CreateClientCredential c) {
            body.put("credentialId", c.credentialId());
        }
        body.put("activated", result.getActivated().stream().map(CommandRoutes::secret).toList());
        body.put("revoked", CommandRoutes.revoked(result));
        body.put("version", result.getStateVersion());
        body.put("detail", "already applied under this Idempotency-Key at " + result.getDecidedAt()
                + "; secrets are shown only in the first response");
        throw new Replayed(successStatus(command), body);
    }

    private static boolean activatesOwnSecrets(Command command, CommandResult result) {
        List<UUID> own = switch (command) {
            case Command.EnableApi c -> List.of(c.authToken().secretId(), c.privateSalt().secretId());
            case Command.RefreshAuthToken c -> List.of(c.newToken().secretId());
            case Command.CreateClientCredential c -> List.of(c.clientSecret().secretId());
            default -> List.of();
        };
        if (own.isEmpty() || result.getOutcome() == Outcome.REJECTED) {
            return true;
        }
        List<UUID> activated = result.getActivated().stream().map(s -> s.getSecretId()).toList();
        return activated.containsAll(own);
    }

    /** For a keyed create, the credential ID derives from the command ID, so a repeat names the same one. */
    public static UUID credentialId(Context ctx, UUID commandId) {
        return ctx.header(HEADER) == null ? UUID.randomUUID()
                : UUID.nameUUIDFromBytes(("credential|" + commandId).getBytes(StandardCharsets.UTF_8));
    }

    private static int successStatus(Command command) {
        return switch (command) {
            case Command.EnableApi c -> 201;
            case Command.AllowIp c -> 201;
            case Command.CreateClientCredential c -> 201;
            case Command.RemoveIp c -> 204;
            case Command.DeleteCredential c -> 204;
            default -> 200;
        };
    }

    private static String fingerprint(Context ctx) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            String ifMatch = ctx.header("If-Match");
            sha.update((ctx.method().name() + " " + ctx.path() + "?" + (ctx.queryString() == null ? "" : ctx.queryString())
                    + "\n" + (ifMatch == null ? "" : ifMatch) + "\n").getBytes(StandardCharsets.UTF_8));
            sha.update(canonicalBody(ctx.bodyAsBytes()));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }

    /**
     * What a JSON body means, as bytes: its fields sorted, without spaces, so a retry that a client library serialized
     * in another order is the same request. A body that is not JSON is taken as it is (the route refuses it anyway).
     */
    static byte[] canonicalBody(byte[] body) {
        try {
            if (body.length == 0) {
                return body;
            }
            Object value = Json.MAPPER.readValue(body, Object.class);
            return CANONICAL.writeValueAsBytes(value);
        } catch (java.io.IOException e) {
            return body;
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper CANONICAL = com.fasterxml.jackson.databind.json.JsonMapper
            .builder().enable(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    /** The answer to a repeated request, written by the API's exception mapper. */
    public static final class Replayed extends RuntimeException {
        private final int status;
        private final Map<String, Object> body;

        Replayed(int status, Map<String, Object> body) {
            super("replayed", null, false, false);
            this.status = status;
            this.body = body;
        }

        public void respond(Context ctx) {
            ctx.status(status);
            if (status != 204) {
                ctx.contentType("application/json").result(Json.write(body));
            }
        }
    }
}
