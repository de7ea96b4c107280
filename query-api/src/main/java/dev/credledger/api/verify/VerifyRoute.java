package dev.credledger.api.verify;

import dev.credledger.api.Json;
import dev.credledger.api.LogThrottle;
import dev.credledger.api.Problem;
import dev.credledger.api.Requests;
import dev.credledger.api.StoreLocator;
import dev.credledger.events.avro.AllowList;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.model.Cidr;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.secret.SecretFormat;
import dev.credledger.events.verify.Verification;
import dev.credledger.processors.topology.Stores;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    public record Body(String clientId, String clientSecret, String environment, String sourceIp, List<String> requiredScopes) {}

    private static final Logger LOG = LoggerFactory.getLogger(VerifyRoute.class);

    private final StoreLocator locator;
    private final MeterRegistry meters;
    private final dev.credledger.api.reports.UsageRecorder usage;
    private final FailureLimiter failures;
    private final java.util.function.BiConsumer<TokenLookup, Verification.Reason> counts;
    private final LogThrottle wrongEnvironmentLog = new LogThrottle(java.time.Duration.ofSeconds(1));

    /** {@code counts}: each outcome, for usage analytics (the secret's entry when it was found, and the refusal or null). */
    public VerifyRoute(StoreLocator locator, MeterRegistry meters, dev.credledger.api.reports.UsageRecorder usage,
            FailureLimiter failures, java.util.function.BiConsumer<TokenLookup, Verification.Reason> counts) {
        this.counts = counts;
        this.locator = locator;
        this.meters = meters;
        this.usage = usage;
        this.failures = failures;
    }

    public void verify(Context ctx) {
        Body body = Json.bodyCarryingSecrets(ctx, Body.class, new Body(null, null, null, null, null),
                dev.credledger.api.Json.MAX_BODY_BYTES);
        String header = ctx.header("X-Auth-Token");
        Environment expected = body.environment() == null ? null : Requests.environment("environment", body.environment());
        if (body.sourceIp() != null && Cidr.parse(body.sourceIp()).filter(c -> c.toString().endsWith("/32")
                || c.toString().endsWith("/128")).isEmpty()) {
            throw Problem.invalidParameter("sourceIp", "sourceIp is one IPv4 or IPv6 address");
        }
        String secret;
        CredentialKind kind;
        if (header != null && (body.clientId() != null || body.clientSecret() != null)) {
            // Which secret would be verified is not for the ledger to guess: one or the other.
            throw Problem.badRequest("send the token as X-Auth-Token or clientId and clientSecret in the body, not both");
        }
        if (header != null) {
            secret = header.strip();
            kind = CredentialKind.AUTH_TOKEN;
        } else if (body.clientSecret() != null && body.clientId() != null) {
            secret = body.clientSecret();
            kind = CredentialKind.CLIENT_SECRET;
        } else {
            throw Problem.badRequest("send the token as X-Auth-Token, or clientId and clientSecret in the body");
        }
        List<String> required = body.requiredScopes() == null ? List.of()
                : dev.credledger.api.commands.Lifetimes.scopes("requiredScopes", body.requiredScopes());
        Object role = ctx.attribute("role");
        respond(ctx, decide(secret, kind, body.clientId(), expected, body.sourceIp(), required,
                role == null ? "unknown" : role.toString()));
    }

    private Map<String, Object> decide(String secret, CredentialKind kind, String clientId, Environment expected,
            String sourceIp, List<String> requiredScopes, String caller) {
        Verification.Decision decision = Verification.decide(secret, kind, clientId, expected, sourceIp, requiredScopes,
                new Verification.Source() {
            @Override
            public TokenLookup lookup(String fingerprint) {
                return this.<TokenLookup>store(Stores.VIEW_TOKEN_LOOKUP).get(fingerprint);
            }

            @Override
            public AllowList allowList(String accountAndEnvironment) {
                return this.<AllowList>store(Stores.VIEW_ALLOW_LISTS).get(accountAndEnvironment);
            }

            private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
                try {
                    return locator.global(name);
                } catch (InvalidStateStoreException e) {
                    throw Problem.unavailable("the token lookup is being restored");
                }
            }
        }, Instant.now());
        counts.accept(decision.entry(), decision.reason());
        if (!decision.active()) {
            if (decision.reason() == Verification.Reason.WRONG_ENVIRONMENT) {
                wrongEnvironment(secret, expected);
            }
            // Only failures are throttled, and only after deciding: a valid secret is never slowed by others' failures.
            // A secret that is valid but lacks a scope is no guess: a gateway checking scopes is never throttled for it.
            FailureLimiter.Verdict verdict = decision.reason() == Verification.Reason.INSUFFICIENT_SCOPE
                    ? FailureLimiter.Verdict.ALLOWED : failures.failure(caller,
                    sourceIp == null ? null : Cidr.canonicalAddress(sourceIp).orElse(sourceIp));
            if (!verdict.allowed()) {
                throw new Problem(429, "verify-throttled", "Too many failed verifications", "too many failed "
                        + "verifications by this " + verdict.by() + "; retry after " + verdict.retryAfterSeconds() + " s")
                        .with("throttledBy", verdict.by()).retryAfter((int) Math.min(verdict.retryAfterSeconds(), 3600));
            }
            Map<String, Object> out = inactive(decision.reason().name());
            if (decision.reason() == Verification.Reason.INSUFFICIENT_SCOPE) {
                out.put("missingScopes", decision.missingScopes());
            }
            return out;
        }
        TokenLookup entry = decision.entry();
        usage.record(entry);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("active", true);
        out.put("accountId", entry.getAccountId());
        out.put("environment", entry.getEnvironment().name().toLowerCase(java.util.Locale.ROOT));
        out.put("credentialId", entry.getCredentialId() != null ? entry.getCredentialId() : entry.getSecretId());
        out.put("kind", entry.getKind().name());
        if (entry.getExpiresAt() != null) {
            out.put("expiresAt", entry.getExpiresAt().toString());
        }
        out.put("scopes", entry.getScopes()); // null: unrestricted (every auth token)
        meters.counter("credledger.verify", "result", "active").increment();
        return out;
    }

    /**
     * A secret of one environment presented for the other is recorded: a counter per direction, and a log line
     * naming only the prefix, at most one a second so that a flood of attempts cannot flood the log.
     */
    private void wrongEnvironment(String secret, Environment expected) {
        Environment presented = SecretFormat.parse(secret).orElseThrow().environment();
        if (wrongEnvironmentLog.tryAcquire()) {
            LOG.warn("Verification of a {} secret ({}…) presented for {} refused ({} such attempts not logged "
                    + "since the last line)", presented, secret.substring(0, secret.indexOf('_', 5) + 5), expected,
                    wrongEnvironmentLog.suppressedSinceLast());
        }
        meters.counter("credledger.verify.wrong.environment", "presented", presented.pathName(),
                "expected", expected.pathName()).increment();
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
