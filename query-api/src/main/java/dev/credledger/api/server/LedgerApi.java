package dev.credledger.api.server;

import dev.credledger.api.ClientAddress;
import dev.credledger.api.Drain;
import dev.credledger.api.Forwarder;
import dev.credledger.api.Json;
import dev.credledger.api.Requests;
import dev.credledger.api.OwnerRouting;
import dev.credledger.api.Problem;
import dev.credledger.api.QueryLimiter;
import dev.credledger.api.Role;
import dev.credledger.api.SecretInput;
import dev.credledger.api.StoreLocator;
import dev.credledger.api.TlsFiles;
import dev.credledger.api.audit.ActivityRoutes;
import dev.credledger.api.audit.AuditRoutes;
import dev.credledger.api.commands.CommandGateway;
import dev.credledger.api.commands.CommandRoutes;
import dev.credledger.api.commands.IdempotencyKeys;
import dev.credledger.api.commands.LocalLookups;
import dev.credledger.api.history.HistoryRoutes;
import dev.credledger.api.proofs.ProofRoutes;
import dev.credledger.api.secrets.SecretRoutes;
import dev.credledger.api.signing.MacRoutes;
import dev.credledger.api.signing.Signer;
import dev.credledger.api.verify.VerifyRoute;
import dev.credledger.api.views.ViewRoutes;
import dev.credledger.events.secret.SecretFormat;
import dev.credledger.processors.topology.Stores;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Assembles the HTTP API: routes, roles, limits, error handling and request metrics, on Javalin (Jetty 12). */
public final class LedgerApi {

    /** At most this many expensive reads (audit pages, states, histories, secret lookups) run at once per key. */
    public static final int EXPENSIVE_QUERIES_PER_KEY = 4;

    private static final Logger LOG = LoggerFactory.getLogger(LedgerApi.class);
    private static final String ACCOUNT = "/v1/accounts/{account}";
    private static final String ENV = ACCOUNT + "/environments/{env}";

    /** What the routes need. {@code streams} may be set after the server starts (its port is part of Streams' config). */
    public record Backend(CommandGateway gateway, StoreLocator locator, Supplier<KafkaStreams> streams,
                          AccessControl access, ClientAddress clientAddress, PrometheusMeterRegistry meters, Drain drain,
                          dev.credledger.api.keys.DataKeys dataKeys,
                          dev.credledger.api.enforcement.EnforcementRoutes enforcement,
                          dev.credledger.api.proofs.ProofRoutes.Config proofs,
                          dev.credledger.api.leaks.LeakRoutes.Config leaks,
                          dev.credledger.api.reports.UsageRecorder usage,
                          dev.credledger.api.stream.RevocationStream revocationStream,
                          dev.credledger.api.verify.FailureLimiter.Limits verifyFailures,
                          dev.credledger.api.webhooks.WebhookRoutes webhooks,
                          dev.credledger.api.signals.SsfRoutes signals,
                          java.util.function.BiConsumer<dev.credledger.events.avro.TokenLookup,
                                  dev.credledger.events.verify.Verification.Reason> verificationCounts,
                          java.time.Duration usageRetention,
                          boolean demo) {}

    private LedgerApi() {}

    public static Javalin create(Backend backend, String host, int port) {
        return create(backend, host, port, null);
    }

    /** With {@code tls}: HTTPS only (TLS 1.2 and 1.3), and instances reach each other with https. */
    public static Javalin create(Backend backend, String host, int port, TlsFiles tls) {
        CommandRoutes commands = new CommandRoutes(backend.gateway(), new SecretFormat(), backend.clientAddress(),
                new LocalLookups(backend.locator()), backend.dataKeys());
        dev.credledger.api.commands.PolicyRoutes policies = new dev.credledger.api.commands.PolicyRoutes(commands);
        MacRoutes macs = new MacRoutes(new Signer(backend.locator(), backend.dataKeys(), backend.usage()),
                new QueryLimiter(MacRoutes.CONCURRENT_PER_KEY));
        Forwarder forwarder = new Forwarder(tls == null ? null : tls.clientContext());
        OwnerRouting owner = new OwnerRouting(backend.locator(), forwarder);
        ViewRoutes views = new ViewRoutes(owner, backend.usage()::lastUsedAt);
        // Audit pages, states, histories and secret lookups are the expensive reads: a bound per key for all.
        QueryLimiter expensive = new QueryLimiter(EXPENSIVE_QUERIES_PER_KEY);
        AuditRoutes audit = new AuditRoutes(owner, expensive);
        HistoryRoutes history = new HistoryRoutes(owner, expensive);
        SecretRoutes secrets = new SecretRoutes(backend.locator(), owner, expensive);
        ActivityRoutes activity = new ActivityRoutes(backend.locator(), forwarder, expensive,
                new QueryLimiter(EXPENSIVE_QUERIES_PER_KEY));
        VerifyRoute verify = new VerifyRoute(backend.locator(), backend.meters(), backend.usage(),
                new dev.credledger.api.verify.FailureLimiter(backend.verifyFailures(), backend.meters()),
                backend.verificationCounts());
        var usageRoutes = new dev.credledger.api.usage.UsageRoutes(owner, backend.locator(), backend.usageRetention());
        var reports = new dev.credledger.api.reports.ReportRoutes(backend.locator(), forwarder, backend.usage(), expensive);
        var leaks = new dev.credledger.api.leaks.LeakRoutes(backend.leaks(), backend.gateway(), backend.locator(),
                backend.clientAddress(), backend.meters());
        ProofRoutes proofs = new ProofRoutes(backend.proofs(), backend.locator(), owner, forwarder, expensive);
        BodyBudget bodies = BodyBudget.ofHeap();
        backend.meters().gauge("credledger.http.body.budget.held.bytes", bodies, BodyBudget::held);
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.host = host;
            config.jetty.port = port;
            // The largest body any route takes (a batch of MACs); each route enforces its own limit (Json.body).
            config.http.maxRequestSize = MacRoutes.MAX_BATCH_BODY_BYTES;
            config.http.prefer405over404 = true;
            config.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler()));
            if (tls != null) {
                // The only connector: with TLS configured, nothing is served over plain HTTP (a plaintext request
                // fails its handshake; it is never answered, let alone redirected).
                config.jetty.addConnector((server, httpConfig) -> {
                    org.eclipse.jetty.util.ssl.SslContextFactory.Server ssl = new org.eclipse.jetty.util.ssl.SslContextFactory.Server();
                    ssl.setKeyStore(tls.keyStore());
                    ssl.setKeyStorePassword(new String(TlsFiles.STORE_PASSWORD));
                    ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
                    ssl.setSniRequired(false);
                    org.eclipse.jetty.server.HttpConfiguration https = new org.eclipse.jetty.server.HttpConfiguration(httpConfig);
                    org.eclipse.jetty.server.SecureRequestCustomizer secure = new org.eclipse.jetty.server.SecureRequestCustomizer();
                    // Clients reach instances by address as often as by name; the certificate, not the Host, proves identity.
                    secure.setSniHostCheck(false);
                    https.addCustomizer(secure);
                    org.eclipse.jetty.server.ServerConnector connector = new org.eclipse.jetty.server.ServerConnector(server,
                            new org.eclipse.jetty.server.SslConnectionFactory(ssl, "http/1.1"),
                            new org.eclipse.jetty.server.HttpConnectionFactory(https));
                    connector.setHost(host);
                    connector.setPort(port);
                    return connector;
                });
            }
            RoutesConfig r = config.routes;
            r.before(ctx -> {
                ctx.attribute("started", System.nanoTime());
                // A body without Content-Length (chunked) would be read whole before any size limit could apply.
                if (ctx.req().getContentLengthLong() < 0 && ctx.header("Transfer-Encoding") != null) {
                    throw new Problem(411, "length-required", "Length required",
                            "send request bodies with a Content-Length; chunked bodies are not accepted");
                }
                backend.drain().enter(ctx);
            });
            r.beforeMatched(ctx -> {
                backend.access().check(ctx);
                SecretInput.checkParameters(ctx);
                // Only once the caller is known: an anonymous client cannot hold the budget others need.
                bodies.reserve(ctx, bodyLimit(ctx));
                bodies.dropBodyOfRead(ctx);
            });
            r.after(ctx -> {
                try {
                    bodies.release(ctx);
                    bodies.discardUnread(ctx);
                    // Nothing that holds data is cached: a browser (the console) keeps no answer on disk.
                    if (ctx.res().getHeader("Cache-Control") == null && (ctx.path().startsWith("/v1/") || ctx.path().startsWith("/ssf/"))) {
                        ctx.header("Cache-Control", "no-store");
                    }
                } finally {
                    backend.drain().exit(ctx);
                    record(backend.meters(), ctx);
                }
            });

            r.post(ENV + "/api/enable", commands::enable, Role.ADMIN);
            r.post(ENV + "/api/refresh", commands::refresh, Role.ADMIN);
            r.post(ENV + "/api/disable", commands::disable, Role.ADMIN);
            get(r, ENV + "/api", views::apiAccess, Role.AUDITOR);
            r.post(ENV + "/allowed-ips", commands::allowIp, Role.ADMIN);
            r.delete(ENV + "/allowed-ips", commands::removeIp, Role.ADMIN);
            r.post(ENV + "/credentials", commands::createCredential, Role.ADMIN);
            get(r, ENV + "/credentials", views::credentials, Role.AUDITOR);
            r.post(ENV + "/credentials/{credentialId}/deactivate", commands::deactivate, Role.ADMIN);
            r.post(ENV + "/credentials/{credentialId}/activate", commands::activate, Role.ADMIN);
            r.delete(ENV + "/credentials/{credentialId}", commands::deleteCredential, Role.ADMIN);
            r.put(ENV + "/credentials/{credentialId}/scopes", policies::changeScopes, Role.ADMIN);
            r.post(ENV + "/webhooks", knownAccount(owner, backend.webhooks()::create), Role.ADMIN);
            get(r, ENV + "/webhooks", backend.webhooks()::list, Role.AUDITOR);
            r.delete(ENV + "/webhooks/{webhookId}", backend.webhooks()::delete, Role.ADMIN);
            r.post(ENV + "/webhooks/{webhookId}/rotate-secret", backend.webhooks()::rotateSecret, Role.ADMIN);
            get(r, ENV + "/webhooks/{webhookId}/deliveries", backend.webhooks()::deliveries, Role.AUDITOR);
            var ssf = backend.signals();
            get(r, "/.well-known/ssf-configuration", ssf::metadata, Role.PUBLIC);
            get(r, dev.credledger.api.signals.SsfRoutes.JWKS, ssf::jwks, Role.PUBLIC);
            r.post(dev.credledger.api.signals.SsfRoutes.CONFIGURATION, ssf::create, Role.RECEIVER);
            get(r, dev.credledger.api.signals.SsfRoutes.CONFIGURATION, ssf::read, Role.RECEIVER);
            r.patch(dev.credledger.api.signals.SsfRoutes.CONFIGURATION, ssf::update, Role.RECEIVER);
            r.put(dev.credledger.api.signals.SsfRoutes.CONFIGURATION, ssf::update, Role.RECEIVER);
            r.delete(dev.credledger.api.signals.SsfRoutes.CONFIGURATION, ssf::delete, Role.RECEIVER);
            get(r, dev.credledger.api.signals.SsfRoutes.STATUS, ssf::status, Role.RECEIVER);
            r.post(dev.credledger.api.signals.SsfRoutes.STATUS, ssf::updateStatus, Role.RECEIVER);
            r.post(dev.credledger.api.signals.SsfRoutes.VERIFICATION, ssf::verify, Role.RECEIVER);
            r.post(dev.credledger.api.signals.SsfRoutes.POLL, ssf::poll, Role.RECEIVER);
            r.put(ACCOUNT + "/plan", commands::changePlan, Role.ADMIN);
            r.put(ACCOUNT + "/leak-policy", commands::changeLeakPolicy, Role.ADMIN);
            r.put(ACCOUNT + "/credential-policy", policies::changePolicy, Role.ADMIN);
            r.post("/v1/leaks", leaks::report, Role.SCANNER);
            get(r, ACCOUNT + "/audit", audit::auditTrail, Role.AUDITOR);
            get(r, ACCOUNT + "/audit/export", audit::export, Role.AUDITOR);
            get(r, ACCOUNT + "/audit/verify", proofs::verifyChain, Role.AUDITOR);
            get(r, ACCOUNT + "/audit/{sequence}/proof", proofs::proof, Role.AUDITOR);
            get(r, "/v1/audit/verifier-key", proofs::verifierKey, Role.PUBLIC);
            // Which role the key sent is (what a console shows), for any key; reads nothing else.
            get(r, "/v1/whoami", ctx -> {
                Object role = ctx.attribute("role"); // an Object: String.valueOf of a generic T would pick char[]
                OwnerRouting.respond(ctx, Map.of("role", String.valueOf(role).toLowerCase(java.util.Locale.ROOT)));
            }, Role.AUDITOR, Role.VERIFIER, Role.SIGNER, Role.SCANNER, Role.RECEIVER);
            get(r, "/v1/audit/checkpoints", proofs::checkpoints, Role.AUDITOR);
            get(r, "/v1/audit/consistency", proofs::consistency, Role.AUDITOR);
            get(r, ACCOUNT + "/state", history::state, Role.AUDITOR);
            get(r, ACCOUNT + "/credentials/{credentialId}/history", history::credentialHistory, Role.AUDITOR);
            get(r, ACCOUNT + "/credentials/{credentialId}/usage", usageRoutes::usage, Role.AUDITOR);
            get(r, "/v1/audit", activity::activity, Role.AUDITOR);
            get(r, ActivityRoutes.SLICE_PATH, activity::slice, Role.AUDITOR);
            get(r, "/v1/secrets/{fingerprint}", secrets::byFingerprint, Role.AUDITOR);
            r.post("/v1/secrets/lookup", secrets::lookup, Role.AUDITOR);
            r.post("/v1/verify", verify::verify, Role.VERIFIER);
            r.post(ENV + "/mac", macs::mac, Role.SIGNER);
            r.post(ENV + "/mac/verify", macs::verify, Role.SIGNER);
            r.post("/v1/macs", macs::batch, Role.SIGNER);
            // Before /v1/revocations/{eventId}; a HEAD answers the headers only (a stream never ends).
            r.get("/v1/revocations/stream", backend.revocationStream()::stream, Role.VERIFIER);
            r.head("/v1/revocations/stream", ctx -> ctx.status(200).contentType("text/event-stream; charset=utf-8"),
                    Role.VERIFIER);
            get(r, "/v1/revocations", backend.enforcement()::causedBy, Role.AUDITOR);
            get(r, "/v1/revocations/{eventId}", backend.enforcement()::revocation, Role.AUDITOR);
            get(r, "/v1/enforcement-points", backend.enforcement()::enforcementPoints, Role.AUDITOR);
            get(r, "/v1/reports/credentials", reports::credentials, Role.AUDITOR);
            get(r, dev.credledger.api.reports.ReportRoutes.SLICE_PATH, reports::slice, Role.AUDITOR);

            String openApi = new String(openApiDocument(), java.nio.charset.StandardCharsets.UTF_8);
            get(r, "/openapi.json", ctx -> ctx.contentType("application/json").result(openApi), Role.PUBLIC);
            DocsRoutes docs = new DocsRoutes();
            get(r, "/docs", docs::page, Role.PUBLIC);
            get(r, "/docs/{asset}", docs::asset, Role.PUBLIC);
            var console = new dev.credledger.api.console.ConsoleRoutes();
            get(r, "/console", console::page, Role.PUBLIC); // and /console/: trailing slashes are ignored
            get(r, "/console/{asset}", console::asset, Role.PUBLIC);
            get(r, "/health/live", ctx -> OwnerRouting.respond(ctx, Map.of("status", "UP")), Role.PUBLIC);
            get(r, "/health/ready", ctx -> ready(ctx, backend), Role.PUBLIC);
            get(r, "/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(backend.meters().scrape()), Role.PUBLIC);

            r.exception(Problem.class, (e, ctx) -> problem(ctx, e));
            r.exception(IdempotencyKeys.Replayed.class, (e, ctx) -> e.respond(ctx));
            r.exception(dev.credledger.processors.history.HistoryIncomplete.class, (e, ctx) -> problem(ctx,
                    new Problem(409, "history-incomplete", "History incomplete", e.getMessage() + "; events written "
                            + "before view-account-events existed are filled in by re-reading credential-events "
                            + "(docs/operations.md, \"Upgrading\"), and credledger replay reads them from the log meanwhile")
                            .with("code", "HISTORY_INCOMPLETE")));
            r.exception(HttpResponseException.class, (e, ctx) -> problem(ctx, fromJavalin(e)));
            r.exception(Exception.class, (e, ctx) -> {
                LOG.error("Request {} {} failed", ctx.method(), ctx.path(), e);
                problem(ctx, new Problem(500, "internal", "Internal error",
                        "the request failed on the server; it has been logged"));
            });
            r.error(404, ctx -> {
                if (!ctx.res().isCommitted() && !"application/problem+json".equals(ctx.res().getContentType())) {
                    // The path is echoed only if it cannot carry a secret: errors never echo one.
                    String path = SecretFormat.containsSecretFragment(ctx.path()) ? "(path withheld)" : ctx.path();
                    problem(ctx, Problem.notFound("no such endpoint: " + ctx.method() + " " + path));
                }
            });
        });
    }

    /** The largest body the matched route takes. */
    private static long bodyLimit(Context ctx) {
        Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
        String path = matched == null ? "" : matched.path;
        return path.equals("/v1/macs") ? MacRoutes.MAX_BATCH_BODY_BYTES
                : path.endsWith("/mac") || path.endsWith("/mac/verify") ? MacRoutes.MAX_BODY_BYTES : Json.MAX_BODY_BYTES;
    }

    /**
     * Runs {@code handler} on the instance that owns the path's account, once that account has a first event; an
     * account the ledger never heard of is 404 (a webhook for it would hold a consumer for nothing).
     */
    private static Handler knownAccount(OwnerRouting owner, Handler handler) {
        return ctx -> {
            dev.credledger.events.model.AccountId account = Requests.account(ctx);
            CommandRoutes.refuseReserved(account);
            owner.<Object>change(ctx, Stores.VIEW_ACCOUNT_EVENTS, account, (events, c) -> {
                try (var first = events.prefixScan(dev.credledger.processors.topology.Keys.auditPrefix(account.value()),
                        new org.apache.kafka.common.serialization.StringSerializer())) {
                    if (!first.hasNext()) {
                        throw Problem.notFound("no account " + account.value() + " in the ledger: enable API access or "
                                + "create a credential first");
                    }
                }
                try {
                    handler.handle(c);
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        };
    }

    /**
     * A GET route and its HEAD twin with the same roles: Javalin's automatic HEAD route would carry none,
     * and so would admit anyone.
     */
    private static void get(RoutesConfig r, String path, Handler handler, Role... roles) {
        r.get(path, handler, roles);
        r.head(path, handler, roles);
    }

    /** The OpenAPI 3.1 description of every route ({@code OpenApiTest} keeps it true). */
    static byte[] openApiDocument() {
        try (java.io.InputStream in = LedgerApi.class.getResourceAsStream("/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the jar");
            }
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Every route as {@code METHOD path}, as registered (for the test that keeps the OpenAPI document true). */
    public static java.util.List<String> routes(Javalin app) {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(e -> e.endpoint.method.name() + " " + e.endpoint.path).toList();
    }

    private static void ready(Context ctx, Backend backend) {
        KafkaStreams streams = backend.streams().get();
        BooleanSupplier storesQueryable = () -> {
            try {
                backend.locator().global(Stores.VIEW_TOKEN_LOOKUP);
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        };
        boolean running = streams != null && streams.state() == KafkaStreams.State.RUNNING;
        if (running && backend.gateway().ready() && storesQueryable.getAsBoolean()) {
            OwnerRouting.respond(ctx, Map.of("status", "READY", "demo", backend.demo()));
        } else {
            throw Problem.unavailable("not ready: stream processing is " + (streams == null ? "starting" : streams.state()));
        }
    }

    private static Problem fromJavalin(HttpResponseException e) {
        return switch (e.getStatus()) {
            case 413 -> new Problem(413, "payload-too-large", "Payload too large",
                    "request bodies are limited to " + MacRoutes.MAX_BATCH_BODY_BYTES + " bytes");
            case 404 -> Problem.notFound("no such endpoint");
            case 405 -> new Problem(405, "method-not-allowed", "Method not allowed", "this endpoint does not take that method");
            default -> new Problem(e.getStatus(), "http-" + e.getStatus(), "HTTP " + e.getStatus(), "the request was refused");
        };
    }

    private static void problem(Context ctx, Problem problem) {
        ctx.status(problem.status()).contentType("application/problem+json").result(Json.write(problem.body()));
        if (problem.retryAfterSeconds() != null) {
            ctx.header("Retry-After", problem.retryAfterSeconds().toString());
        }
    }

    private static void record(PrometheusMeterRegistry meters, Context ctx) {
        Long started = ctx.attribute("started");
        if (started == null) {
            return;
        }
        // The route template, never the path: the path holds account IDs, and one series per account
        // would grow the scrape without bound.
        Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
        String route = matched == null ? "unmatched" : matched.path;
        Timer.builder("http.server.requests")
                .tag("method", ctx.method().name())
                .tag("route", route)
                .tag("status", Integer.toString(ctx.statusCode()))
                .publishPercentileHistogram()
                .register(meters)
                .record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
}
