package dev.credledger.api.webhooks;

import dev.credledger.api.Json;
import dev.credledger.api.OwnerRouting;
import dev.credledger.api.Problem;
import dev.credledger.api.Requests;
import dev.credledger.api.commands.IdempotencyKeys;
import dev.credledger.api.delivery.Deliveries;
import dev.credledger.api.delivery.DeliveryAudit;
import dev.credledger.events.model.CredentialEvent.DeliveryChange;
import dev.credledger.events.model.CredentialEvent.DeliveryTargetKind;
import dev.credledger.api.delivery.SafeAddresses;
import dev.credledger.api.keys.DataKeys;
import dev.credledger.events.avro.Delivery;
import dev.credledger.events.avro.DeliveryKind;
import dev.credledger.events.avro.DeliveryState;
import dev.credledger.events.avro.DeliveryTarget;
import dev.credledger.events.mapping.DomainToAvro;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Environment;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /v1/accounts/{account}/environments/{env}/webhooks}: subscriptions to an environment's credential changes.
 * The signing secret is shown once, in the answer that made it; the ledger keeps it sealed under a data key of the
 * account and environment (as it keeps a private salt), and destroys that key when the webhook is deleted.
 */
public final class WebhookRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookRoutes.class);
    /** Webhooks per account and environment. */
    public static final int MAX_PER_ENVIRONMENT = 10;
    /** Webhooks of all accounts together. */
    public static final int MAX_TOTAL = 1_000;
    /** After a rotation, deliveries are signed with the old secret too for this long, so receivers can switch. */
    public static final Duration ROTATION_OVERLAP = Duration.ofHours(24);

    public record CreateBody(String url, List<String> events) {}

    private final Deliveries deliveries;
    private final DataKeys dataKeys;
    private final SafeAddresses addresses;
    private final DeliveryAudit audit;
    private final SecureRandom random = new SecureRandom();

    public WebhookRoutes(Deliveries deliveries, DataKeys dataKeys, SafeAddresses addresses, DeliveryAudit audit) {
        this.deliveries = deliveries;
        this.dataKeys = dataKeys;
        this.addresses = addresses;
        this.audit = audit;
    }

    private void record(Context ctx, AccountId account, Environment environment, String id, DeliveryChange change,
            String url, List<String> events, String discriminator) {
        audit.record(ctx, new DeliveryAudit.Change(account, environment, DeliveryTargetKind.WEBHOOK, id, change, url, events,
                null, null), discriminator);
    }

    public void create(Context ctx) {
        AccountId account = Requests.account(ctx);
        Environment environment = Requests.environment(ctx);
        CreateBody body = Json.body(ctx, CreateBody.class, new CreateBody(null, null));
        if (body.url() == null) {
            throw Problem.badRequest("field 'url' is required");
        }
        List<String> events = events(body.events());
        try {
            addresses.checkUrl(body.url());
        } catch (SafeAddresses.Refused e) {
            throw new Problem(400, "webhook-url-refused", "Webhook URL refused", e.getMessage())
                    .with("code", "WEBHOOK_URL_REFUSED");
        }
        // With an Idempotency-Key the ID derives from it: a retry finds the webhook its first attempt made. Alone for the
        // ID (this runs on the account's owner), so two concurrent retries make one webhook.
        UUID id = IdempotencyKeys.derivedId(ctx, "webhook|" + account.value() + "|" + environment.name());
        deliveries.alone(id.toString(), () -> {
            create(ctx, account, environment, id, body.url(), events);
            return Boolean.TRUE;
        });
    }

    private void create(Context ctx, AccountId account, Environment environment, UUID id, String url, List<String> events) {
        DeliveryTarget earlier = deliveries.target(id.toString());
        if (earlier != null) {
            if (earlier.getKind() != DeliveryKind.WEBHOOK || !earlier.getUrl().equals(url)
                    || !earlier.getEvents().equals(events)) {
                throw IdempotencyKeys.reused();
            }
            // Recorded again under the same command ID: once in the trail, even if the first attempt's record was late.
            record(ctx, account, environment, id.toString(), DeliveryChange.CREATED, earlier.getUrl(), earlier.getEvents(),
                    creation(earlier.getCreatedAt()));
            IdempotencyKeys.markReplayed(ctx);
            Map<String, Object> out = view(earlier);
            out.put("replayed", true);
            out.put("detail", "already created under this Idempotency-Key; its secret was shown only in the first answer");
            ctx.status(201).header("Location", ctx.path() + "/" + id).header("Cache-Control", "no-store")
                    .contentType("application/json").result(Json.write(out));
            return;
        }
        if (ofEnvironment(account, environment).size() >= MAX_PER_ENVIRONMENT) {
            throw new Problem(409, "too-many-webhooks", "Too many webhooks", "an environment has at most "
                    + MAX_PER_ENVIRONMENT + " webhooks; delete one first").with("code", "TOO_MANY_WEBHOOKS");
        }
        if (deliveries.targets(t -> t.getKind() == DeliveryKind.WEBHOOK).size() >= MAX_TOTAL) {
            // Each webhook holds a consumer on the instance that serves it: the total is bounded, not only per account.
            throw new Problem(409, "too-many-webhooks", "Too many webhooks", "this ledger serves at most " + MAX_TOTAL
                    + " webhooks in all").with("code", "TOO_MANY_WEBHOOKS");
        }
        // The creation's instant tells this webhook from one made again under the same ID after a delete.
        Instant createdAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        record(ctx, account, environment, id.toString(), DeliveryChange.CREATED, url, events, creation(createdAt));
        String secret = StandardWebhooks.newSecret(random);
        DeliveryTarget target = DeliveryTarget.newBuilder()
                .setTargetId(id.toString())
                .setKind(DeliveryKind.WEBHOOK)
                .setAccountId(account.value())
                .setEnvironment(dev.credledger.events.avro.Environment.valueOf(environment.name()))
                .setUrl(url)
                .setEvents(events)
                .setSecret(seal(account, environment, secret))
                .setStartPositions(deliveries.endOfEvents())
                .setCreatedAt(createdAt)
                .setCreatedBy(roleOf(ctx))
                .build();
        store(() -> deliveries.put(target));
        LOG.info("Webhook {} created for {}/{} to host {}", id, account.value(), environment.name().toLowerCase(Locale.ROOT),
                java.net.URI.create(url).getHost());
        Map<String, Object> out = view(target);
        out.put("secret", secret);
        ctx.status(201).header("Location", ctx.path() + "/" + id).header("Cache-Control", "no-store")
                .contentType("application/json").result(Json.write(out));
    }

    public void list(Context ctx) {
        AccountId account = Requests.account(ctx);
        Environment environment = Requests.environment(ctx);
        boolean admin = ctx.attribute("role") == dev.credledger.api.Role.ADMIN;
        List<Map<String, Object>> out = ofEnvironment(account, environment).stream()
                .sorted(Comparator.comparing(DeliveryTarget::getCreatedAt)).map(t -> {
                    Map<String, Object> v = view(t);
                    if (!admin) {
                        v.put("url", masked(t.getUrl())); // a URL's path or query often carries the receiver's token
                    }
                    return v;
                }).toList();
        OwnerRouting.respond(ctx, Map.of("webhooks", out));
    }

    public void delete(Context ctx) {
        DeliveryTarget target = find(ctx);
        AccountId account = new AccountId(target.getAccountId());
        Environment environment = Environment.valueOf(target.getEnvironment().name());
        record(ctx, account, environment, target.getTargetId(), DeliveryChange.DELETED, target.getUrl(), target.getEvents(),
                creation(target.getCreatedAt()));
        store(() -> deliveries.delete(target.getTargetId()));
        for (var sealed : Arrays.asList(target.getSecret(), target.getPreviousSecret())) {
            if (sealed != null) {
                store(() -> dataKeys.destroy(account, environment, sealed.getDataKeyId()));
            }
        }
        ctx.status(204);
    }

    public void rotateSecret(Context ctx) {
        // Alone for the webhook on this instance: two concurrent rotations cannot both take effect and lose a secret.
        String id = find(ctx).getTargetId();
        deliveries.alone(id, () -> {
            rotate(ctx, find(ctx));
            return Boolean.TRUE;
        });
    }

    private void rotate(Context ctx, DeliveryTarget target) {
        AccountId account = new AccountId(target.getAccountId());
        Environment environment = Environment.valueOf(target.getEnvironment().name());
        // The last rotation's Idempotency-Key (as a digest) is kept with the webhook: its retry rotates nothing.
        String key = IdempotencyKeys.key(ctx);
        String rotation = key == null ? null : dev.credledger.events.model.Fingerprint.of("webhook-rotation|" + key).hex();
        if (rotation != null && rotation.equals(rotationKey(target))) {
            record(ctx, account, environment, target.getTargetId(), DeliveryChange.SECRET_ROTATED, target.getUrl(),
                    target.getEvents(), rotation);
            IdempotencyKeys.markReplayed(ctx);
            Map<String, Object> out = view(target);
            out.put("replayed", true);
            out.put("detail", "already rotated under this Idempotency-Key; the new secret was shown only in the first answer");
            ctx.header("Cache-Control", "no-store");
            OwnerRouting.respond(ctx, out);
            return;
        }
        String secret = StandardWebhooks.newSecret(random);
        Instant until = Instant.now().plus(ROTATION_OVERLAP).truncatedTo(ChronoUnit.MILLIS);
        var older = target.getPreviousSecret();
        var sealed = seal(account, environment, secret);
        record(ctx, account, environment, target.getTargetId(), DeliveryChange.SECRET_ROTATED, target.getUrl(),
                target.getEvents(), rotation != null ? rotation : sealed.getDataKeyId().toString());
        DeliveryTarget rotated = DeliveryTarget.newBuilder(target)
                .setPreviousSecret(target.getSecret())
                .setPreviousSecretUntil(until)
                .setSecret(sealed)
                .setConfig(rotation == null ? null : Json.write(Map.of("rotationKey", rotation)))
                .build();
        store(() -> deliveries.put(rotated));
        if (older != null) {
            // Two rotations within the overlap: the secret before the previous one signs nothing any more.
            store(() -> dataKeys.destroy(account, environment, older.getDataKeyId()));
        }
        Map<String, Object> out = view(rotated);
        out.put("secret", secret);
        ctx.header("Cache-Control", "no-store"); // the secret is shown once: no cache keeps it
        OwnerRouting.respond(ctx, out);
    }

    public void deliveries(Context ctx) {
        DeliveryTarget target = find(ctx);
        DeliveryState state = deliveries.state(target);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Delivery d : state.getRecent().reversed()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("messageId", d.getMessageId());
            row.put("type", d.getType());
            row.put("occurredAt", d.getOccurredAt().toString());
            row.put("outcome", d.getOutcome().name().toLowerCase(Locale.ROOT));
            row.put("nextAttemptAt", d.getNextAttemptAt() == null ? null : d.getNextAttemptAt().toString());
            row.put("attempts", d.getAttempts().stream().map(a -> {
                Map<String, Object> attempt = new LinkedHashMap<>();
                attempt.put("at", a.getAt().toString());
                attempt.put("status", a.getStatus() == 0 ? null : a.getStatus());
                attempt.put("durationMs", a.getDurationMs());
                attempt.put("error", a.getError());
                return attempt;
            }).toList());
            out.add(row);
        }
        OwnerRouting.respond(ctx, Map.of("webhookId", target.getTargetId(), "deliveries", out));
    }

    private static String creation(Instant createdAt) {
        return "created-" + createdAt.toEpochMilli();
    }

    /** The digest of the Idempotency-Key of the webhook's last rotation, or {@code null}. */
    private static String rotationKey(DeliveryTarget target) {
        if (target.getConfig() == null) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(target.getConfig()).path("rotationKey").asText(null);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null;
        }
    }

    private DeliveryTarget find(Context ctx) {
        AccountId account = Requests.account(ctx);
        Environment environment = Requests.environment(ctx);
        UUID id = Requests.uuid("webhookId", ctx.pathParam("webhookId"));
        DeliveryTarget target = deliveries.target(id.toString());
        if (target == null || target.getKind() != DeliveryKind.WEBHOOK || !account.value().equals(target.getAccountId())
                || !environment.name().equals(target.getEnvironment().name())) {
            throw Problem.notFound("no webhook " + id + " in this environment");
        }
        return target;
    }

    private List<DeliveryTarget> ofEnvironment(AccountId account, Environment environment) {
        return deliveries.targets(t -> t.getKind() == DeliveryKind.WEBHOOK && account.value().equals(t.getAccountId())
                && environment.name().equals(t.getEnvironment().name()));
    }

    private dev.credledger.events.avro.SealedSecret seal(AccountId account, Environment environment, String secret) {
        byte[] plaintext = secret.getBytes(StandardCharsets.US_ASCII);
        try {
            return DomainToAvro.sealed(dataKeys.sealNew(account, environment, UUID.randomUUID(), plaintext));
        } catch (DataKeys.NotStored e) {
            throw Problem.unavailable(e.getMessage());
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    private static void store(Runnable write) {
        try {
            write.run();
        } catch (Deliveries.NotStored | DataKeys.NotStored e) {
            throw Problem.unavailable(e.getMessage());
        }
    }

    private static List<String> events(List<String> events) {
        if (events == null || events.isEmpty()) {
            throw Problem.badRequest("field 'events' must name at least one of " + String.join(", ", WebhookTarget.TYPES.stream().sorted().toList()));
        }
        List<String> out = new ArrayList<>();
        for (String e : events) {
            if (e == null || !WebhookTarget.TYPES.contains(e)) {
                throw Problem.badRequest("field 'events' may hold only " + String.join(", ", WebhookTarget.TYPES.stream().sorted().toList()));
            }
            if (!out.contains(e)) {
                out.add(e);
            }
        }
        return out;
    }

    private static String roleOf(Context ctx) {
        Object role = ctx.attribute("role");
        return role == null ? "unknown" : role.toString().toLowerCase(Locale.ROOT);
    }

    /** {@code https://hooks.example.com/…}: the origin only. */
    static String masked(String url) {
        java.net.URI uri = java.net.URI.create(url);
        String origin = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        return (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/")) && uri.getRawQuery() == null
                ? origin + "/" : origin + "/…";
    }

    static Map<String, Object> view(DeliveryTarget t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("webhookId", t.getTargetId());
        out.put("url", t.getUrl());
        out.put("events", t.getEvents());
        out.put("createdAt", t.getCreatedAt().toString());
        out.put("createdBy", t.getCreatedBy());
        if (t.getPreviousSecretUntil() != null && Instant.now().isBefore(t.getPreviousSecretUntil())) {
            out.put("previousSecretValidUntil", t.getPreviousSecretUntil().toString());
        }
        return out;
    }
}
