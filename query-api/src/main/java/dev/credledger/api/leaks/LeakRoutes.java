package dev.credledger.api.leaks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.credledger.api.ClientAddress;
import dev.credledger.api.Json;
import dev.credledger.api.Problem;
import dev.credledger.api.Role;
import dev.credledger.api.SecretInput;
import dev.credledger.api.StoreLocator;
import dev.credledger.api.commands.CommandGateway;
import dev.credledger.api.commands.LocalLookups;
import dev.credledger.events.avro.Outcome;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.avro.TokenStatus;
import dev.credledger.events.avro.command.CommandResult;
import dev.credledger.events.mapping.Enums;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Actor;
import dev.credledger.events.model.Channel;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.Fingerprint;
import dev.credledger.events.model.LeakReport;
import dev.credledger.events.model.SecretRef;
import dev.credledger.events.secret.SecretFormat;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.domain.CommandMetadata;
import dev.credledger.processors.topology.Stores;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/leaks}: the endpoint of a secret-scanning partner program, in GitHub's format. The body is a JSON
 * array of {@code {"token","type","url","source"}}; the answer, one {@code {"token_hash","token_type","label"}} per
 * item, in order. Each candidate is checked offline first (prefix, length, base62, CRC32) — a string that fails is a
 * {@code false_positive} and nothing is looked up. A well-formed one is looked up by fingerprint in this instance's
 * replicated token lookup; one the ledger issued is a {@code true_positive} and becomes a {@link Command.ReportLeak}
 * for its account's writer, which records it and, under the account's leak policy, revokes it. The answer goes out
 * once every report is decided and this instance's lookup shows the revocations: a verify here refuses them.
 *
 * <p>The reported strings are secrets: they are never logged, never echoed, and never leave this request but as
 * their SHA-256.
 */
public final class LeakRoutes {

    /** How reports are authenticated. {@code keys} may be {@code null}: then only unsigned reports, if allowed. */
    public record Config(LeakReportKeys keys, boolean unsignedAllowed) {}

    /** At most this many candidates per report (GitHub batches matches of one push). */
    public static final int MAX_ITEMS = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(LeakRoutes.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Config config;
    private final CommandGateway gateway;
    private final StoreLocator locator;
    private final LocalLookups lookups;
    private final ClientAddress clientAddress;
    private final MeterRegistry meters;
    private final SecretFormat secrets = new SecretFormat();
    /** At most 4 reports decided at once per reporter (key identifier or role): 429 beyond. */
    private final dev.credledger.api.QueryLimiter reports = new dev.credledger.api.QueryLimiter(4);

    public LeakRoutes(Config config, CommandGateway gateway, StoreLocator locator, ClientAddress clientAddress,
            MeterRegistry meters) {
        this.config = config;
        this.gateway = gateway;
        this.locator = locator;
        this.lookups = new LocalLookups(locator);
        this.clientAddress = clientAddress;
        this.meters = meters;
    }

    /** At most this many of one report's commands are in flight at once. */
    static final int COMMANDS_IN_FLIGHT = 16;

    /** One reported item. Its token is a secret: {@link #toString} never shows it. */
    private record Candidate(String token, String type, String url, String source) {
        @Override
        public String toString() {
            return "Candidate[type=" + type + "]";
        }
    }

    private record Found(Candidate candidate, String hash, TokenLookup lookup) {
        @Override
        public String toString() {
            return "Found[" + lookup.getPrefix() + "]";
        }
    }

    public void report(Context ctx) {
        if (ctx.contentLength() > Json.MAX_BODY_BYTES) {
            throw new Problem(413, "payload-too-large", "Payload too large",
                    "a leak report is at most " + Json.MAX_BODY_BYTES + " bytes: send larger batches in parts");
        }
        byte[] body = ctx.bodyAsBytes();
        String reporter = authenticate(ctx, body);
        reports.run(reporter, () -> answer(ctx, body, reporter));
    }

    private void answer(Context ctx, byte[] body, String reporter) {
        List<Candidate> candidates = parse(ctx, body);
        UUID correlationId = UUID.randomUUID();
        Actor actor = new Actor(reporter, clientAddress.of(ctx), SecretInput.userAgent(ctx.userAgent(), 256), Channel.HTTP_API);

        List<Map<String, Object>> answer = new ArrayList<>(candidates.size());
        List<Found> found = new ArrayList<>();
        Map<String, Boolean> decided = new java.util.HashMap<>();
        for (Candidate c : candidates) {
            String hash = Fingerprint.hexOf(c.token());
            Boolean repeated = decided.get(hash);
            boolean issued = false;
            if (repeated != null) {
                // The same secret twice in one report: one lookup, one command, one label for both.
                issued = repeated;
            } else if (SecretFormat.parse(c.token()).isPresent()) {
                // Offline first: a string that is not one of ours by format and checksum is never looked up.
                TokenLookup entry = lookup(hash);
                if (entry != null) {
                    found.add(new Found(c, hash, entry));
                    issued = true;
                } else {
                    count("false_positive", "unknown");
                }
            } else {
                count("false_positive", "malformed");
            }
            decided.put(hash, issued);
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("token_hash", hash);
            // The scanner's own name for the pattern, back as it sent it — unless it holds a secret.
            item.put("token_type", c.type() == null || SecretFormat.containsSecretFragment(c.type()) ? null : c.type());
            item.put("label", issued ? "true_positive" : "false_positive");
            answer.add(item);
        }
        Map<String, String> outcomes = decide(found, reporter, actor, correlationId);
        if ("true".equals(ctx.queryParam("outcomes"))) {
            // Asked for by credledger scan; GitHub never asks, so its answer stays exactly its format.
            for (Map<String, Object> item : answer) {
                item.put("outcome", outcomes.getOrDefault((String) item.get("token_hash"), "unknown"));
            }
        }
        ctx.status(200).contentType("application/json").result(Json.write(answer));
    }

    /**
     * The reporter's name: the key identifier of a valid signature, or the role of the bearer key of an unsigned report
     * (if those are allowed). A signature that does not verify is refused, whatever else the request carries.
     */
    private String authenticate(Context ctx, byte[] body) {
        // A signature header sent empty is a signature that does not verify, never an unsigned report.
        boolean signed = present(ctx, LeakReportKeys.KEY_ID_HEADER) || present(ctx, LeakReportKeys.SIGNATURE_HEADER);
        String keyId = java.util.Objects.requireNonNullElse(ctx.header(LeakReportKeys.KEY_ID_HEADER), "");
        String signature = java.util.Objects.requireNonNullElse(ctx.header(LeakReportKeys.SIGNATURE_HEADER), "");
        if (signed) {
            if (keyId.isEmpty() || signature.isEmpty()) {
                meters.counter("credledger.leak.reports.refused", "reason", "signature").increment();
                throw new Problem(401, "leak-report-signature", "Bad signature", "a signed report carries both "
                        + LeakReportKeys.KEY_ID_HEADER + " and " + LeakReportKeys.SIGNATURE_HEADER + ", neither empty");
            }
            if (config.keys() == null || !config.keys().verify(body, keyId, signature)) {
                meters.counter("credledger.leak.reports.refused", "reason", "signature").increment();
                throw new Problem(401, "leak-report-signature", "Bad signature",
                        "the report's signature does not verify with any key of --leak-report-keys");
            }
            return keyId.length() > 128 ? keyId.substring(0, 128) : keyId;
        }
        Role role = ctx.attribute("role");
        if (role == null) {
            throw Problem.unauthorized();
        }
        if (!config.unsignedAllowed()) {
            meters.counter("credledger.leak.reports.refused", "reason", "unsigned").increment();
            throw new Problem(401, "leak-report-unsigned", "Unsigned report",
                    "unsigned leak reports are refused: sign the body (" + LeakReportKeys.KEY_ID_HEADER + ", "
                            + LeakReportKeys.SIGNATURE_HEADER + ") with a key of --leak-report-keys, or start the ledger "
                            + "with --leak-reports-unsigned=allow");
        }
        return role.name().toLowerCase(Locale.ROOT);
    }

    /** Whether the request carries the header at all, even with an empty value. */
    public static boolean present(Context ctx, String header) {
        return ctx.req().getHeaders(header).hasMoreElements();
    }

    private static List<Candidate> parse(Context ctx, byte[] body) {
        if (!Json.isJson(ctx.contentType())) {
            throw Problem.unsupportedMediaType("send the report as 'Content-Type: application/json'");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            // Never the parser's message: it may quote the body, and the body holds secrets.
            throw Problem.badRequest("the report is not valid JSON");
        }
        if (root == null || !root.isArray()) {
            throw Problem.badRequest("a leak report is a JSON array of {\"token\",\"type\",\"url\",\"source\"}");
        }
        if (root.size() > MAX_ITEMS) {
            throw Problem.badRequest("a leak report holds at most " + MAX_ITEMS + " items");
        }
        List<Candidate> out = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            JsonNode item = root.get(i);
            JsonNode token = item.path("token");
            if (!item.isObject() || !token.isTextual() || token.asText().isEmpty()) {
                throw Problem.badRequest("item " + i + " has no \"token\" string");
            }
            out.add(new Candidate(token.asText(), text(item, "type"), text(item, "url"), text(item, "source")));
        }
        return out;
    }

    private static String text(JsonNode item, String field) {
        JsonNode v = item.get(field);
        return v == null || !v.isTextual() ? null : v.asText();
    }

    /** The one store read of a report: counted, so that "no lookup for a malformed string" can be seen from outside. */
    private TokenLookup lookup(String fingerprint) {
        meters.counter("credledger.leak.report.lookups").increment();
        try {
            return locator.<TokenLookup>global(Stores.VIEW_TOKEN_LOOKUP).get(fingerprint);
        } catch (InvalidStateStoreException e) {
            throw Problem.unavailable("the token lookup is being restored; send the report again");
        }
    }

    /**
     * Sends one {@link Command.ReportLeak} per issued secret, concurrently (they are for different accounts, mostly),
     * and waits for every decision. If one cannot be confirmed, the whole report is answered 503: the scanner sends it
     * again, and a repeated report of a revoked secret only records it again.
     */
    /** What became of each secret of the report that the ledger issued, by fingerprint: revoked, notified, not_active. */
    private Map<String, String> decide(List<Found> found, String reporter, Actor actor, UUID correlationId) {
        Map<String, String> outcomes = new java.util.HashMap<>();
        if (found.isEmpty()) {
            return outcomes;
        }
        List<Future<CommandResult>> results = new ArrayList<>(found.size());
        UUID unconfirmed = null;
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(COMMANDS_IN_FLIGHT);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Found f : found) {
                Command command = command(f, reporter, actor, correlationId);
                results.add(pool.submit(() -> {
                    inFlight.acquire();
                    try {
                        CommandResult result = gateway.execute(command);
                        if (result.getOutcome() == Outcome.ACCEPTED && !lookups.awaitSecrets(result)) {
                            LOG.warn("Leak report {}: decided, but this instance's lookup is still catching up",
                                    command.metadata().commandId());
                        }
                        return result;
                    } finally {
                        inFlight.release();
                    }
                }));
            }
            for (int i = 0; i < found.size(); i++) {
                try {
                    outcomes.put(found.get(i).hash(), outcome(found.get(i), results.get(i).get(), reporter));
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof CommandGateway.Timeout t) {
                        unconfirmed = t.commandId();
                    } else if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    } else {
                        throw new IllegalStateException(e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw Problem.unavailable("interrupted while the report was decided; send it again");
                }
            }
        }
        if (unconfirmed != null) {
            throw Problem.unavailable("a reported secret's revocation was sent but not confirmed in time; send the report "
                    + "again (a repeated report is only recorded again)").with("commandId", unconfirmed);
        }
        return outcomes;
    }

    private Command command(Found f, String reporter, Actor actor, UUID correlationId) {
        TokenLookup l = f.lookup();
        Environment env = Enums.convert(l.getEnvironment(), Environment.class);
        CredentialKind kind = Enums.convert(l.getKind(), CredentialKind.class);
        SecretRef secret = new SecretRef(l.getSecretId(), kind, l.getPrefix(), new Fingerprint(f.hash()));
        Candidate c = f.candidate();
        // The replacement of a leaked auth token is generated here like any secret; its plaintext is dropped unseen:
        // the owner refreshes to get a token to use (docs/security.md, "Leak response").
        SecretRef newToken = kind == CredentialKind.AUTH_TOKEN ? secrets.issue(CredentialKind.AUTH_TOKEN, env).ref() : null;
        CommandMetadata meta = new CommandMetadata(UUID.randomUUID(), new AccountId(l.getAccountId()), Instant.now(), actor,
                correlationId, null);
        return new Command.ReportLeak(meta, env, secret, l.getCredentialId(),
                new LeakReport(reporter, c.url(), c.source(), c.type()), newToken);
    }

    /** Logs and counts what became of a reported secret; returns it as the report's answer names it. */
    private String outcome(Found f, CommandResult result, String reporter) {
        TokenLookup l = f.lookup();
        // The decider's own word where the result carries it (it judged on the account's state, not on this
        // instance's lookup, which may lag); a result from before that field, by what the lookup said.
        String outcome = result.getOutcome() != Outcome.ACCEPTED ? "rejected"
                : result.getLeakOutcome() != null ? result.getLeakOutcome().toLowerCase(java.util.Locale.ROOT)
                : !result.getRevoked().isEmpty() ? "revoked"
                : l.getStatus() == TokenStatus.ACTIVE ? "notified" : "not_active";
        count("true_positive", outcome);
        String where = new LeakReport(reporter, f.candidate().url(), null, null).url();
        if (outcome.equals("notified")) {
            LOG.warn("Leak of {} (account {}, {}) reported by {} at {}: not revoked (the account's leak policy is notify, "
                    + "or it was revoked meanwhile): see the account's audit", l.getPrefix(), l.getAccountId(),
                    l.getEnvironment(), reporter, where);
        } else {
            LOG.info("Leak of {} (account {}, {}) reported by {} at {}: {}", l.getPrefix(), l.getAccountId(),
                    l.getEnvironment(), reporter, where, outcome);
        }
        // A refused command changed nothing: the secret was not active to revoke (deleted meanwhile, say).
        return outcome.equals("rejected") ? "not_active" : outcome;
    }

    private void count(String label, String outcome) {
        meters.counter("credledger.leak.reports", "label", label, "outcome", outcome).increment();
    }
}
