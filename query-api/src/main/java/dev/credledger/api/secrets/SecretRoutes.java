package dev.credledger.api.secrets;

import dev.credledger.api.Json;
import dev.credledger.api.OwnerRouting;
import dev.credledger.api.Problem;
import dev.credledger.api.QueryLimiter;
import dev.credledger.api.StoreLocator;
import dev.credledger.api.audit.AuditQuery;
import dev.credledger.api.history.AccountEvents;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.RevocationReason;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.avro.TokenStatus;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.Fingerprint;
import dev.credledger.events.secret.SecretFormat;
import dev.credledger.processors.history.SecretTrail;
import dev.credledger.processors.topology.Keys;
import dev.credledger.processors.topology.Stores;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * {@code GET /v1/secrets/{fingerprint}} and {@code POST /v1/secrets/lookup {"secret"}}: what the ledger knows
 * of one secret — kind, environment, account, credential, status, who issued it and when, who revoked it,
 * when and why, and the audit records of every event that names it. The plaintext of a lookup is checked
 * offline, hashed here, and then forgotten: never logged, stored, echoed or forwarded (a remote owner is
 * asked by fingerprint).
 */
public final class SecretRoutes {

    record LookupBody(String secret) {}

    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{64}");

    private final StoreLocator locator;
    private final OwnerRouting owner;
    private final QueryLimiter queries;

    public SecretRoutes(StoreLocator locator, OwnerRouting owner, QueryLimiter queries) {
        this.locator = locator;
        this.owner = owner;
        this.queries = queries;
    }

    public void byFingerprint(Context ctx) {
        String fingerprint = ctx.pathParam("fingerprint");
        if (!FINGERPRINT.matcher(fingerprint).matches()) {
            throw Problem.invalidParameter("fingerprint", "a fingerprint is the SHA-256 of the secret as 64 lower-case hex characters");
        }
        answer(ctx, fingerprint);
    }

    public void lookup(Context ctx) {
        LookupBody body = Json.bodyCarryingSecrets(ctx, LookupBody.class, new LookupBody(null),
                dev.credledger.api.Json.MAX_BODY_BYTES);
        if (body.secret() == null || body.secret().isEmpty()) {
            throw Problem.badRequest("field 'secret' is required");
        }
        if (SecretFormat.parse(body.secret()).isEmpty()) {
            throw new Problem(422, "not-a-ledger-secret", "Not a ledger secret", "this is not a well-formed credledger "
                    + "secret (kind, environment, length, base62, CRC32 checksum): no lookup was made")
                    .with("code", "NOT_A_LEDGER_SECRET");
        }
        answer(ctx, Fingerprint.of(body.secret()).hex());
    }

    private void answer(Context ctx, String fingerprint) {
        TokenLookup entry;
        try {
            entry = locator.<TokenLookup>global(Stores.VIEW_TOKEN_LOOKUP).get(fingerprint);
        } catch (InvalidStateStoreException e) {
            throw Problem.unavailable("the token lookup is being restored");
        }
        if (entry == null) {
            throw Problem.notFound("no secret with this fingerprint");
        }
        AccountId account = new AccountId(entry.getAccountId());
        queries.run(ctx.attribute("role"), () -> owner.<dev.credledger.events.avro.CredentialEvent>answer(ctx,
                Stores.VIEW_ACCOUNT_EVENTS, account, "/v1/secrets/" + fingerprint, (events, c) -> {
                    SecretTrail trail = new SecretTrail(fingerprint);
                    AccountEvents.read(events, account, null, trail::apply);
                    ReadOnlyKeyValueStore<String, AuditRecord> audit = locator.<AuditRecord>locate(Stores.VIEW_AUDIT,
                            account.value()) instanceof StoreLocator.Location.Local<AuditRecord> local ? local.store() : null;
                    OwnerRouting.respond(c, document(fingerprint, entry, trail, audit));
                }));
    }

    private static Map<String, Object> document(String fingerprint, TokenLookup entry, SecretTrail trail,
            ReadOnlyKeyValueStore<String, AuditRecord> audit) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("fingerprint", fingerprint);
        out.put("kind", entry.getKind().name());
        out.put("environment", entry.getEnvironment().name().toLowerCase(Locale.ROOT));
        out.put("accountId", entry.getAccountId());
        out.put("credentialId", entry.getCredentialId());
        out.put("prefix", entry.getPrefix());
        out.put("status", status(entry));
        CredentialEvent issued = trail.issued();
        out.put("issuedAt", issued == null ? null : issued.metadata().occurredAt().toString());
        out.put("issuedBy", issued == null ? null : SecretTrail.actor(issued));
        CredentialEvent revoked = trail.revoked();
        out.put("revokedAt", revoked == null ? null : revoked.metadata().occurredAt().toString());
        out.put("revokedBy", revoked == null ? null : SecretTrail.actor(revoked));
        out.put("revocationReason", trail.revocation() == null ? null : trail.revocation().reason().name());
        List<Map<String, Object>> records = new ArrayList<>();
        for (CredentialEvent e : trail.events()) {
            AuditRecord r = audit == null ? null
                    : audit.get(Keys.audit(e.metadata().accountId().value(), e.metadata().occurredAt(), e.metadata().sequence()));
            if (r != null) {
                records.add(AuditQuery.item(r));
            }
        }
        out.put("events", records);
        return out;
    }

    private static String status(TokenLookup entry) {
        if (entry.getStatus() == TokenStatus.REVOKED) {
            return entry.getRevocationReason() == RevocationReason.CREDENTIAL_DELETED ? "DELETED"
                    : entry.getRevocationReason() == RevocationReason.EXPIRED ? "EXPIRED" : "REVOKED";
        }
        if (entry.getStatus() == TokenStatus.ACTIVE && entry.getExpiresAt() != null && !Instant.now().isBefore(entry.getExpiresAt())) {
            // Past its time, a moment before the ledger records it: a grace period's end names its reason, an expiry none.
            return entry.getRevocationReason() == null ? "EXPIRED" : "REVOKED";
        }
        return entry.getStatus().name();
    }
}
