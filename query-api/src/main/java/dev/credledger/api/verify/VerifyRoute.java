package dev.credledger.api.verify;

import dev.credledger.api.Json;
import dev.credledger.api.LogThrottle;
import dev.credledger.api.Problem;
import dev.credledger.api.Requests;
import dev.credledger.api.StoreLocator;
import dev.credledger.events.avro.AllowList;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.avro.TokenStatus;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.Fingerprint;
import dev.credledger.events.secret.SecretFormat;
import dev.credledger.processors.domain.Cidr;
import dev.credledger.processors.topology.Stores;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/verify}, in the spirit of OAuth token introspection: always 200, {@code active} true or
 * false with a reason. Answered from this instance's replicated stores, never over the network. A string
 * that is not a well-formed secret is refused offline, before any lookup.
 */
public final class VerifyRoute {

    public record Body(String clientId, String clientSecret, String environment, String sourceIp) {}

    private static final Logger LOG = LoggerFactory.getLogger(VerifyRoute.class);

    private final StoreLocator locator;
    private final MeterRegistry meters;
    private final LogThrottle wrongEnvironmentLog = new LogThrottle(java.time.Duration.ofSeconds(1));

    public VerifyRoute(StoreLocator locator, MeterRegistry meters) {
        this.locator = locator;
        this.meters = meters;
    }

    public void verify(Context ctx) {
        Body body = Json.body(ctx, Body.class, new Body(null, null, null, null));
        String header = ctx.header("X-Auth-Token");
        Environment expected = body.environment() == null ? null : Requests.environment("environment", body.environment());
        if (body.sourceIp() != null && Cidr.parse(body.sourceIp()).filter(c -> c.toString().endsWith("/32")
                || c.toString().endsWith("/128")).isEmpty()) {
            throw Problem.invalidParameter("sourceIp", "sourceIp is one IPv4 or IPv6 address");
        }
        String secret;
        CredentialKind kind;
        if (header != null) {
            secret = header.strip();
            kind = CredentialKind.AUTH_TOKEN;
        } else if (body.clientSecret() != null && body.clientId() != null) {
            secret = body.clientSecret();
            kind = CredentialKind.CLIENT_SECRET;
        } else {
            throw Problem.badRequest("send the token as X-Auth-Token, or clientId and clientSecret in the body");
        }
        respond(ctx, decide(secret, kind, body.clientId(), expected, body.sourceIp()));
    }

    private Map<String, Object> decide(String secret, CredentialKind kind, String clientId, Environment expected,
            String sourceIp) {
        Optional<SecretFormat.Parsed> parsed = SecretFormat.parse(secret);
        if (parsed.isEmpty() || parsed.get().kind() != kind) {
            return inactive("UNKNOWN");
        }
        Environment tokenEnvironment = parsed.get().environment();
        if (expected != null && expected != tokenEnvironment) {
            // The attempt is recorded: a counter per direction, and a log line naming only the prefix, at most
            // one a second so that a flood of attempts cannot flood the log.
            if (wrongEnvironmentLog.tryAcquire()) {
                LOG.warn("Verification of a {} secret ({}…) presented for {} refused ({} such attempts not logged "
                        + "since the last line)", tokenEnvironment, secret.substring(0, secret.indexOf('_', 5) + 5), expected,
                        wrongEnvironmentLog.suppressedSinceLast());
            }
            meters.counter("credledger.verify.wrong.environment", "presented", tokenEnvironment.pathName(),
                    "expected", expected.pathName()).increment();
            return inactive("WRONG_ENVIRONMENT");
        }
        ReadOnlyKeyValueStore<String, TokenLookup> lookups;
        ReadOnlyKeyValueStore<String, AllowList> allowLists;
        try {
            lookups = locator.global(Stores.VIEW_TOKEN_LOOKUP);
            allowLists = locator.global(Stores.VIEW_ALLOW_LISTS);
        } catch (InvalidStateStoreException e) {
            throw Problem.unavailable("the token lookup is being restored");
        }
        Fingerprint fingerprint = Fingerprint.of(secret);
        TokenLookup entry = lookups.get(fingerprint.hex());
        // Looked up by SHA-256: timing can only tell about hashes of guesses, which helps no one forge a secret.
        if (entry == null) {
            return inactive("UNKNOWN");
        }
        if (kind == CredentialKind.CLIENT_SECRET && (entry.getClientId() == null || !MessageDigest.isEqual(
                entry.getClientId().getBytes(StandardCharsets.UTF_8), clientId.getBytes(StandardCharsets.UTF_8)))) {
            return inactive("UNKNOWN");
        }
        if (entry.getStatus() == TokenStatus.REVOKED) {
            return inactive("REVOKED");
        }
        if (entry.getStatus() == TokenStatus.INACTIVE) {
            return inactive("INACTIVE");
        }
        if (entry.getExpiresAt() != null && !Instant.now().isBefore(entry.getExpiresAt())) {
            return inactive("REVOKED");
        }
        AllowList allowed = allowLists.get(entry.getAccountId() + "|" + entry.getEnvironment().name());
        if (allowed != null && !allowed.getCidrs().isEmpty()) {
            // Fail closed: an allow-listed environment cannot be checked without the caller's address.
            if (sourceIp == null) {
                return inactive("SOURCE_IP_REQUIRED");
            }
            if (allowed.getCidrs().stream().map(Cidr::parse).flatMap(Optional::stream).noneMatch(c -> c.contains(sourceIp))) {
                return inactive("IP_NOT_ALLOWED");
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("active", true);
        out.put("accountId", entry.getAccountId());
        out.put("environment", entry.getEnvironment().name().toLowerCase(java.util.Locale.ROOT));
        out.put("credentialId", entry.getCredentialId() != null ? entry.getCredentialId() : entry.getSecretId());
        out.put("kind", entry.getKind().name());
        if (entry.getExpiresAt() != null) {
            out.put("expiresAt", entry.getExpiresAt().toString());
        }
        meters.counter("credledger.verify", "result", "active").increment();
        return out;
    }

    private Map<String, Object> inactive(String reason) {
        meters.counter("credledger.verify", "result", reason).increment();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("active", false);
        out.put("reason", reason);
        return out;
    }

    private static void respond(Context ctx, Map<String, Object> body) {
        ctx.status(200).contentType("application/json").result(Json.write(body));
    }
}
