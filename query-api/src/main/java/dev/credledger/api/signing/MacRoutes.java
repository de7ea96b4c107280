package dev.credledger.api.signing;

import dev.credledger.api.Json;
import dev.credledger.api.OwnerRouting;
import dev.credledger.api.Problem;
import dev.credledger.api.QueryLimiter;
import dev.credledger.api.Requests;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Environment;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST …/environments/{env}/mac}, {@code POST …/mac/verify} and {@code POST /v1/macs}: MACs of webhook
 * payloads with an environment's private salt, computed inside the ledger, for the platform's webhook sender
 * (role signer, or admin). Answered by any instance from its replicated stores: no hop to an account's owner.
 */
public final class MacRoutes {

    /** The largest payload signed, after base64 decoding. */
    public static final int MAX_PAYLOAD_BYTES = 1024 * 1024;
    /** Items of one batch. */
    public static final int MAX_BATCH_ITEMS = 1000;
    /** Request bodies of the MAC routes (payloads are JSON strings: escaping or base64 makes them longer). */
    public static final long MAX_BODY_BYTES = 8L * 1024 * 1024;
    public static final long MAX_BATCH_BODY_BYTES = 16L * 1024 * 1024;

    record MacBody(String payload, String payloadBase64, String algorithm) {}

    record VerifyBody(String payload, String payloadBase64, String algorithm, String mac) {}

    record BatchItem(String accountId, String environment, String payload, String payloadBase64, String algorithm) {}

    /** MAC requests one key may have in flight (each may carry a large body); beyond: 429. */
    public static final int CONCURRENT_PER_KEY = 8;

    private final Signer signer;
    private final QueryLimiter limiter;

    public MacRoutes(Signer signer, QueryLimiter limiter) {
        this.signer = signer;
        this.limiter = limiter;
    }

    public void mac(Context ctx) {
        limiter.run(ctx.attribute("role"), () -> sign(ctx));
    }

    public void verify(Context ctx) {
        limiter.run(ctx.attribute("role"), () -> check(ctx));
    }

    public void batch(Context ctx) {
        limiter.run(ctx.attribute("role"), () -> signAll(ctx));
    }

    private void sign(Context ctx) {
        AccountId account = Requests.account(ctx);
        Environment env = Requests.environment(ctx);
        MacBody body = Json.bodyCarryingSecrets(ctx, MacBody.class, new MacBody(null, null, null), MAX_BODY_BYTES);
        Signer.Algorithm algorithm = Signer.Algorithm.parse(body.algorithm());
        OwnerRouting.respond(ctx, answer(signer.sign(account, env, payload(body.payload(), body.payloadBase64()), algorithm)));
    }

    private void check(Context ctx) {
        AccountId account = Requests.account(ctx);
        Environment env = Requests.environment(ctx);
        VerifyBody body = Json.bodyCarryingSecrets(ctx, VerifyBody.class, new VerifyBody(null, null, null, null), MAX_BODY_BYTES);
        Signer.Algorithm algorithm = Signer.Algorithm.parse(body.algorithm());
        byte[] payload = payload(body.payload(), body.payloadBase64());
        if (body.mac() == null || body.mac().isEmpty()) {
            throw Problem.badRequest("field 'mac' is required: the MAC to check, in hex");
        }
        byte[] mac;
        try {
            mac = HexFormat.of().parseHex(body.mac());
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("field 'mac' is a MAC in hex");
        }
        OwnerRouting.respond(ctx, Map.of("valid", signer.verify(account, env, payload, algorithm, mac)));
    }

    /**
     * Many MACs in one round trip: one answer per item, in order, each a MAC or a problem object. The items are read
     * and signed one at a time, never all held: a body of many tiny items costs no more than one of a few large ones,
     * and the 1,001st item is refused before it is read.
     */
    private void signAll(Context ctx) {
        List<Object> answers = new ArrayList<>();
        Json.eachItem(ctx, "items", BatchItem.class, MAX_BATCH_ITEMS, MAX_BATCH_BODY_BYTES, item -> answers.add(signOne(item)));
        if (answers.isEmpty()) {
            throw Problem.badRequest("field 'items' holds 1 to " + MAX_BATCH_ITEMS + " items");
        }
        OwnerRouting.respond(ctx, Map.of("items", answers));
    }

    private Object signOne(BatchItem item) {
        try {
            if (item == null) {
                throw Problem.badRequest("an item is an object");
            }
            if (item.accountId() == null || !AccountId.isValid(item.accountId())) {
                throw Problem.badRequest("field 'accountId' is 1-64 of A-Z a-z 0-9 _ -");
            }
            if (item.environment() == null) {
                throw Problem.badRequest("field 'environment' is sandbox or live");
            }
            Environment env = Requests.environment("environment", item.environment());
            Signer.Algorithm algorithm = Signer.Algorithm.parse(item.algorithm());
            return answer(signer.sign(new AccountId(item.accountId()), env,
                    payload(item.payload(), item.payloadBase64()), algorithm));
        } catch (Problem p) {
            if (p.status() >= 500) {
                throw p; // the whole batch is retried, not half of it
            }
            return p.body();
        }
    }

    private static Map<String, Object> answer(Signer.Signature s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mac", HexFormat.of().formatHex(s.mac()));
        out.put("algorithm", s.algorithm().label);
        out.put("saltId", s.saltId());
        return out;
    }

    private static byte[] payload(String text, String base64) {
        if ((text == null) == (base64 == null)) {
            throw Problem.badRequest("give the payload as 'payload' (text, signed as its UTF-8 bytes) or as "
                    + "'payloadBase64' (bytes), exactly one of them");
        }
        byte[] bytes;
        if (text != null) {
            bytes = text.getBytes(StandardCharsets.UTF_8);
        } else {
            try {
                bytes = Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw Problem.badRequest("field 'payloadBase64' is not base64 (RFC 4648, with padding)");
            }
        }
        if (bytes.length > MAX_PAYLOAD_BYTES) {
            throw new Problem(413, "payload-too-large", "Payload too large", "a payload is at most "
                    + MAX_PAYLOAD_BYTES + " bytes");
        }
        return bytes;
    }
}
