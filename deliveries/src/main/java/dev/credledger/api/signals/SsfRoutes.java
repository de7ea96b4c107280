package dev.credledger.api.signals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credledger.api.Forwarder;
import dev.credledger.api.Json;
import dev.credledger.api.Problem;
import dev.credledger.api.Role;
import dev.credledger.api.StoreLocator;
import dev.credledger.api.delivery.Deliveries;
import dev.credledger.api.delivery.SafeAddresses;
import dev.credledger.api.keys.DataKeys;
import dev.credledger.events.avro.DeliveryKind;
import dev.credledger.events.avro.DeliveryState;
import dev.credledger.events.avro.DeliveryTarget;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.CredentialEvent.DeliveryChange;
import dev.credledger.events.model.CredentialEvent.DeliveryTargetKind;
import dev.credledger.events.mapping.DomainToAvro;
import dev.credledger.processors.topology.Stores;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Shared Signals transmitter's HTTP side (SSF 1.0 §7, §8; RFC 8936): discovery metadata and keys without a key;
 * stream management, status, verification and polling with a receiver's key (each receiver sees and manages its own
 * streams only: another's is 404) or the admin key (all streams).
 */
public final class SsfRoutes {

    public static final String CONFIGURATION = "/ssf/streams";
    public static final String STATUS = "/ssf/status";
    public static final String VERIFICATION = "/ssf/verify";
    public static final String JWKS = "/ssf/jwks.json";
    public static final String POLL = "/ssf/streams/{streamId}/poll";
    /** Streams per receiver. */
    public static final int MAX_STREAMS = 10;
    /** A receiver may ask for a verification event at most this often per stream (SSF {@code min_verification_interval}). */
    static final Duration MIN_VERIFICATION_INTERVAL = Duration.ofSeconds(5);
    /** How long a poll without {@code returnImmediately} waits for a SET. */
    static final Duration LONG_POLL = Duration.ofSeconds(20);

    public record Config(String issuer) {}

    private record PollRequest(Integer maxEvents, Boolean returnImmediately, List<String> ack, Map<String, SetError> setErrs) {}

    private record SetError(String err, String description) {}

    private final java.util.function.Supplier<String> issuer;
    private final SetSigner signer;
    private final SsfTarget ssf;
    private final Deliveries deliveries;
    private final DataKeys dataKeys;
    private final SafeAddresses addresses;
    private final StoreLocator locator;
    private final Forwarder forwarder;
    private final Poller poller;

    public SsfRoutes(java.util.function.Supplier<String> issuer, SetSigner signer, SsfTarget ssf, Deliveries deliveries, DataKeys dataKeys,
            SafeAddresses addresses, StoreLocator locator, Forwarder forwarder,
            org.apache.kafka.common.serialization.Deserializer<dev.credledger.events.avro.CredentialEvent> events,
            dev.credledger.api.delivery.DeliveryAudit audit) {
        this.audit = audit;
        this.issuer = issuer;
        this.signer = signer;
        this.ssf = ssf;
        this.deliveries = deliveries;
        this.dataKeys = dataKeys;
        this.addresses = addresses;
        this.locator = locator;
        this.forwarder = forwarder;
        this.poller = new Poller(deliveries, ssf, events);
    }

    private final dev.credledger.api.delivery.DeliveryAudit audit;

    private static String creation(Instant createdAt) {
        return "created-" + createdAt.toEpochMilli();
    }

    /** A stream's change, in the transmitter's own audit trail. */
    private void record(Context ctx, String streamId, String receiver, DeliveryChange change, String url,
            List<String> changeTypes, String discriminator) {
        record(ctx, streamId, receiver, change, url, changeTypes, null, discriminator);
    }

    private void record(Context ctx, String streamId, String receiver, DeliveryChange change, String url,
            List<String> changeTypes, String status, String discriminator) {
        audit.record(ctx, new dev.credledger.api.delivery.DeliveryAudit.Change(AccountId.SSF_TRANSMITTER, null,
                DeliveryTargetKind.SSF_STREAM, streamId, change, url, changeTypes, receiver, status), discriminator);
    }

    public void metadata(Context ctx) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("spec_version", "1_0");
        out.put("issuer", issuer.get());
        out.put("jwks_uri", issuer.get() + JWKS);
        out.put("delivery_methods_supported", List.of(StreamConfig.PUSH, StreamConfig.POLL));
        out.put("configuration_endpoint", issuer.get() + CONFIGURATION);
        out.put("status_endpoint", issuer.get() + STATUS);
        out.put("verification_endpoint", issuer.get() + VERIFICATION);
        out.put("critical_subject_members", List.of("tenant", "application"));
        out.put("authorization_schemes", List.of(Map.of("spec_urn", "urn:ietf:rfc:6750")));
        out.put("default_subjects", "ALL");
        json(ctx, 200, out);
    }

    public void jwks(Context ctx) {
        json(ctx, 200, signer.jwks());
    }

    public void create(Context ctx) {
        String receiver = receiver(ctx);
        JsonNode body = object(ctx);
        // With an Idempotency-Key the stream ID derives from it: a retry finds the stream its first attempt made.
        String id = dev.credledger.api.commands.IdempotencyKeys.derivedId(ctx, "ssf-stream|" + receiver).toString();
        Requested requested = Requested.of(body, null, addresses);
        alone(id, () -> {
            create(ctx, body, receiver, id, requested);
            return Boolean.TRUE;
        });
    }

    private void create(Context ctx, JsonNode body, String receiver, String id, Requested requested) {
        DeliveryTarget earlier = deliveries.target(id);
        if (earlier != null) {
            StreamConfig was = StreamConfig.parse(earlier.getConfig());
            boolean same = earlier.getKind() == DeliveryKind.SSF_STREAM && receiver.equals(earlier.getReceiver())
                    && was.eventsRequested().equals(requested.eventsRequested())
                    && java.util.Objects.equals(was.description(), requested.description())
                    && was.deliveryMethod().equals(requested.method())
                    && java.util.Objects.equals(earlier.getUrl(), requested.endpointUrl())
                    && was.changeTypes().equals(requested.changeTypes())
                    && (requested.authorization() == null) == (earlier.getSecret() == null);
            if (!same) {
                throw dev.credledger.api.commands.IdempotencyKeys.reused();
            }
            record(ctx, id, receiver, DeliveryChange.CREATED, earlier.getUrl(), earlier.getEvents(),
                    creation(earlier.getCreatedAt()));
            dev.credledger.api.commands.IdempotencyKeys.markReplayed(ctx);
            json(ctx, 201, view(earlier));
            return;
        }
        if (deliveries.targets(t -> t.getKind() == DeliveryKind.SSF_STREAM && receiver.equals(t.getReceiver())).size()
                >= MAX_STREAMS) {
            throw new Problem(409, "too-many-streams", "Too many streams", "a receiver has at most " + MAX_STREAMS
                    + " streams; delete one first");
        }
        StreamConfig config = new StreamConfig(receiver.equals(ADMIN_RECEIVER) ? "admin" : receiver, requested.eventsRequested(), requested.description(),
                requested.method(), "enabled", null, requested.changeTypes(), null);
        DeliveryTarget draft = DeliveryTarget.newBuilder()
                .setTargetId(id)
                .setKind(DeliveryKind.SSF_STREAM)
                .setReceiver(receiver)
                .setUrl(requested.endpointUrl())
                .setEvents(config.changeTypes())
                .setConfig(config.toJson())
                .setStartPositions(deliveries.endOfEvents())
                .setCreatedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .setCreatedBy(receiver)
                .build();
        // aud, iss and the like are the transmitter's: given at creation, they must say what the transmitter says.
        checkTransmitterSupplied(body, draft);
        record(ctx, id, receiver, DeliveryChange.CREATED, draft.getUrl(), draft.getEvents(), creation(draft.getCreatedAt()));
        DeliveryTarget target = DeliveryTarget.newBuilder(draft)
                .setSecret(requested.authorization() == null ? null : seal(requested.authorization())).build();
        store(() -> deliveries.put(target));
        json(ctx, 201, view(target));
    }

    public void read(Context ctx) {
        String streamId = ctx.queryParam("stream_id");
        if (streamId != null) {
            json(ctx, 200, view(find(ctx, streamId)));
            return;
        }
        String receiver = receiverOrAll(ctx);
        json(ctx, 200, deliveries.targets(t -> t.getKind() == DeliveryKind.SSF_STREAM
                        && (receiver == null || receiver.equals(t.getReceiver())))
                .stream().sorted(Comparator.comparing(DeliveryTarget::getCreatedAt)).map(this::view).toList());
    }

    /** PATCH (only what the body names changes) and PUT (what it leaves out returns to its default). */
    public void update(Context ctx) {
        boolean replace = "PUT".equals(ctx.method().name());
        JsonNode body = object(ctx);
        String streamId = find(ctx, text(body, "stream_id", true)).getTargetId();
        if (forwarded(ctx, streamId)) {
            return;
        }
        DeliveryTarget changed = alone(streamId, () -> {
            DeliveryTarget target = find(ctx, streamId);
            StreamConfig old = StreamConfig.parse(target.getConfig());
            checkTransmitterSupplied(body, target);
            Requested requested = Requested.of(body, replace ? null : target, addresses);
            boolean methodChanged = !requested.method().equals(old.deliveryMethod());
            StreamConfig config = new StreamConfig(old.aud(), requested.eventsRequested(), requested.description(),
                    requested.method(), old.status(), old.reason(), requested.changeTypes(),
                    methodChanged ? List.of() : old.pendingVerifications());
            DeliveryTarget.Builder updated = DeliveryTarget.newBuilder(target)
                    .setUrl(requested.endpointUrl())
                    .setEvents(config.changeTypes())
                    .setConfig(config.toJson());
            // The push authorization header: replaced when a new one is given; dropped by a PUT without one or when
            // the stream no longer pushes; otherwise kept.
            boolean dropOld = requested.authorization() != null || replace || !config.push();
            if (requested.authorization() != null) {
                updated.setSecret(seal(requested.authorization()));
            } else if (dropOld) {
                updated.setSecret(null);
            }
            DeliveryTarget result = updated.build();
            record(ctx, streamId, target.getReceiver(), DeliveryChange.UPDATED, result.getUrl(), result.getEvents(), null);
            store(() -> deliveries.put(result));
            if (dropOld && target.getSecret() != null) {
                destroy(target.getSecret());
            }
            return result;
        });
        json(ctx, 200, view(changed));
    }

    public void delete(Context ctx) {
        String streamId = ctx.queryParam("stream_id");
        if (streamId == null) {
            throw Problem.invalidParameter("stream_id", "name the stream to delete: ?stream_id=");
        }
        DeliveryTarget target = find(ctx, streamId);
        if (forwarded(ctx, target.getTargetId())) {
            return;
        }
        record(ctx, target.getTargetId(), target.getReceiver(), DeliveryChange.DELETED, target.getUrl(), target.getEvents(),
                creation(target.getCreatedAt()));
        store(() -> deliveries.delete(target.getTargetId()));
        if (target.getSecret() != null) {
            destroy(target.getSecret());
        }
        ctx.status(204);
    }

    public void status(Context ctx) {
        String streamId = ctx.queryParam("stream_id");
        if (streamId == null) {
            throw Problem.invalidParameter("stream_id", "name the stream: ?stream_id=");
        }
        json(ctx, 200, statusOf(find(ctx, streamId)));
    }

    public void updateStatus(Context ctx) {
        JsonNode body = object(ctx);
        String streamId = find(ctx, text(body, "stream_id", true)).getTargetId();
        String status = text(body, "status", true);
        if (!StreamConfig.STATUSES.contains(status)) {
            throw Problem.badRequest("status is one of " + String.join(", ", StreamConfig.STATUSES));
        }
        String reason = text(body, "reason", false);
        if (forwarded(ctx, streamId)) {
            return;
        }
        DeliveryTarget changed = alone(streamId, () -> {
            DeliveryTarget target = find(ctx, streamId);
            StreamConfig old = StreamConfig.parse(target.getConfig());
            DeliveryTarget result = DeliveryTarget.newBuilder(target).setConfig(old.withStatus(status, reason).toJson()).build();
            if (!status.equals(old.status())) {
                // A disabled or paused stream delivers nothing: who receives revocations changed, so it is recorded.
                record(ctx, streamId, target.getReceiver(), DeliveryChange.UPDATED, target.getUrl(), target.getEvents(),
                        status, null);
            }
            store(() -> deliveries.put(result));
            DeliveryState state = deliveries.state(target);
            if ("enabled".equals(status) && ("disabled".equals(old.status()) || state.getFailure() != null)) {
                DeliveryState.Builder resumed = DeliveryState.newBuilder(state).setFailure(null).setUpdatedAt(Instant.now());
                if ("disabled".equals(old.status())) {
                    // A disabled stream held nothing (SSF §8.1.2): enabled again, it starts from now.
                    resumed.setPositions(deliveries.endOfEvents()).setAcknowledged(List.of());
                }
                deliveries.saveState(resumed.build());
            }
            return result;
        });
        json(ctx, 200, statusOf(changed));
    }

    public void verify(Context ctx) {
        JsonNode body = object(ctx);
        String streamId = find(ctx, text(body, "stream_id", true)).getTargetId();
        String state = text(body, "state", false);
        String key = dev.credledger.api.commands.IdempotencyKeys.key(ctx);
        if (forwarded(ctx, streamId)) {
            return;
        }
        alone(streamId, () -> {
            askVerification(ctx, find(ctx, streamId), state,
                    key == null ? null : dev.credledger.events.model.Fingerprint.of("ssf-verify|" + key).hex());
            return Boolean.TRUE;
        });
        ctx.status(204);
    }

    private void askVerification(Context ctx, DeliveryTarget target, String state, String key) {
        StreamConfig config = StreamConfig.parse(target.getConfig());
        var repeated = key == null ? null
                : config.pendingVerifications().stream().filter(v -> key.equals(v.key())).findFirst().orElse(null);
        if (repeated != null) {
            if (!java.util.Objects.equals(repeated.state(), state)) {
                throw dev.credledger.api.commands.IdempotencyKeys.reused();
            }
            // A retry of a verification request still owed: the one event it asked for is already on its way.
            dev.credledger.api.commands.IdempotencyKeys.markReplayed(ctx);
            return;
        }
        if (!config.push() && config.pendingVerifications().size() >= StreamConfig.MAX_PENDING_VERIFICATIONS) {
            throw new Problem(429, "verifications-owed", "Verification events owed", StreamConfig.MAX_PENDING_VERIFICATIONS
                    + " verification events wait to be polled: poll and acknowledge them first").retryAfter(
                    (int) MIN_VERIFICATION_INTERVAL.toSeconds());
        }
        long now = Instant.now().getEpochSecond();
        if (config.latestVerification() != null
                && now - config.latestVerification().iat() < MIN_VERIFICATION_INTERVAL.toSeconds()) {
            throw new Problem(429, "too-many-verifications", "Too many verification requests", "ask at most every "
                    + MIN_VERIFICATION_INTERVAL.toSeconds() + " s").retryAfter((int) MIN_VERIFICATION_INTERVAL.toSeconds());
        }
        StreamConfig.Verification verification = new StreamConfig.Verification(UUID.randomUUID().toString(), state, now,
                key);
        DeliveryTarget changed = DeliveryTarget.newBuilder(target)
                .setConfig(config.withVerification(verification).toJson()).build();
        store(() -> deliveries.put(changed));
        if (config.push()) {
            Thread.ofVirtual().name("credledger-ssf-verification").start(() -> ssf.pushVerification(changed, verification));
        }
    }

    public void poll(Context ctx) {
        DeliveryTarget target = find(ctx, ctx.pathParam("streamId"));
        String streamId = target.getTargetId();
        if (forwarded(ctx, streamId)) {
            return;
        }
        PollRequest request = Json.body(ctx, PollRequest.class, new PollRequest(null, null, null, null));
        StreamConfig config = StreamConfig.parse(target.getConfig());
        if (config.push() && deliveries.state(target).getFailure() == null) {
            throw new Problem(400, "stream-pushes", "Stream delivers by push", "this stream's SETs are pushed; they can be "
                    + "polled only while pushing is paused after failures").with("code", "STREAM_PUSHES");
        }
        int max = request.maxEvents() == null ? Poller.DEFAULT_MAX : request.maxEvents();
        if (max < 0 || max > 1000) {
            throw Problem.badRequest("maxEvents is between 0 and 1000");
        }
        List<String> acks = new ArrayList<>(request.ack() == null ? List.of() : request.ack());
        if (request.setErrs() != null) {
            // A SET the receiver could not take is not sent again (RFC 8936 leaves it to the transmitter): logged.
            String receiver = target.getReceiver();
            request.setErrs().forEach((jti, error) -> {
                org.slf4j.LoggerFactory.getLogger(SsfRoutes.class).warn("Receiver {} refused SET {} of stream {}: {}",
                        receiver, jti, streamId, error == null ? "?" : error.err());
                acks.add(jti);
            });
        }
        Map<String, String> sets = new LinkedHashMap<>();
        List<StreamConfig.Verification> pending = config.push() ? List.of() : config.pendingVerifications();
        if (pending.stream().anyMatch(v -> acks.contains(v.jti()))) {
            alone(streamId, () -> {
                DeliveryTarget current = find(ctx, streamId);
                StreamConfig now = StreamConfig.parse(current.getConfig());
                StreamConfig left = now.withoutVerifications(acks);
                if (left.pendingVerifications().size() != now.pendingVerifications().size()) {
                    store(() -> deliveries.put(DeliveryTarget.newBuilder(current).setConfig(left.toJson()).build()));
                }
                return Boolean.TRUE;
            });
        }
        // Verification SETs first, every one still owed, oldest first; those beyond maxEvents make moreAvailable.
        boolean verificationsLeft = false;
        for (StreamConfig.Verification v : pending) {
            if (acks.contains(v.jti())) {
                continue;
            }
            if (sets.size() < max) {
                sets.put(v.jti(), ssf.verification(target, v));
            } else {
                verificationsLeft = true;
            }
        }
        boolean immediately = Boolean.TRUE.equals(request.returnImmediately()) || !sets.isEmpty();
        Poller.Result result = poller.poll(streamId, Math.max(0, max - sets.size()), acks, immediately ? Duration.ZERO : LONG_POLL);
        if (result == null) {
            throw new Problem(409, "stream-busy", "Stream busy", "another request is reading or changing this stream; "
                    + "poll one at a time").retryAfter(1);
        }
        sets.putAll(result.sets());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sets", sets);
        out.put("moreAvailable", result.moreAvailable() || verificationsLeft);
        json(ctx, 200, out);
    }

    /** {@code true} if the request was answered by the instance that serves the stream (forwarded there). */
    private boolean forwarded(Context ctx, String streamId) {
        switch (deliveries.servedAt(streamId)) {
            case StoreLocator.Location.Local<Object> local -> {
                return false;
            }
            case StoreLocator.Location.Remote<Object> remote -> {
                if (forwarder.alreadyForwarded(ctx)) {
                    throw Problem.unavailable("the stream is moving between instances; retry");
                }
                forwarder.forwardChange(ctx, remote.host(), LONG_POLL.plusSeconds(10));
                return true;
            }
            case StoreLocator.Location.Unavailable<Object> unavailable -> throw Problem.unavailable(unavailable.why());
        }
    }

    /** Runs a change of the stream alone on this (its serving) instance; 409 if it stays busy. */
    private <T> T alone(String streamId, java.util.function.Supplier<T> change) {
        return deliveries.alone(streamId, change);
    }

    private Map<String, Object> statusOf(DeliveryTarget target) {
        StreamConfig config = StreamConfig.parse(target.getConfig());
        String failure = deliveries.state(target).getFailure();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("stream_id", target.getTargetId());
        out.put("status", failure != null && "enabled".equals(config.status()) ? "paused" : config.status());
        String reason = failure != null ? failure : config.reason();
        if (reason != null) {
            out.put("reason", reason);
        }
        return out;
    }

    private Map<String, Object> view(DeliveryTarget target) {
        StreamConfig config = StreamConfig.parse(target.getConfig());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("stream_id", target.getTargetId());
        out.put("iss", issuer.get());
        out.put("aud", config.aud());
        out.put("events_supported", List.of(CaepEvents.CREDENTIAL_CHANGE));
        out.put("events_requested", config.eventsRequested());
        out.put("events_delivered", config.delivers() ? List.of(CaepEvents.CREDENTIAL_CHANGE) : List.of());
        Map<String, Object> delivery = new LinkedHashMap<>();
        delivery.put("method", config.deliveryMethod());
        delivery.put("endpoint_url", config.push() ? target.getUrl()
                : issuer.get() + POLL.replace("{streamId}", target.getTargetId()));
        out.put("delivery", delivery); // a push authorization header is never shown again
        out.put("min_verification_interval", MIN_VERIFICATION_INTERVAL.toSeconds());
        if (config.description() != null) {
            out.put("description", config.description());
        }
        out.put("change_types", config.changeTypes());
        return out;
    }

    private DeliveryTarget find(Context ctx, String streamId) {
        String receiver = receiverOrAll(ctx);
        DeliveryTarget target = streamId == null || streamId.length() > 64 ? null : deliveries.target(streamId);
        if (target == null || target.getKind() != DeliveryKind.SSF_STREAM
                || (receiver != null && !receiver.equals(target.getReceiver()))) {
            throw Problem.notFound("no stream " + (streamId == null || streamId.length() > 64 ? "" : streamId + " ")
                    + "of this receiver");
        }
        return target;
    }

    /**
     * The receiver the key belongs to; the admin acts as the receiver {@code ~admin} when it creates a stream (a name no
     * configured receiver can have).
     */
    private static String receiver(Context ctx) {
        String receiver = receiverOrAll(ctx);
        return receiver == null ? ADMIN_RECEIVER : receiver;
    }

    static final String ADMIN_RECEIVER = "~admin";

    /** {@code null} for the admin key: every receiver's streams. */
    private static String receiverOrAll(Context ctx) {
        return ctx.attribute("role") == Role.ADMIN ? null : ctx.attribute("receiver");
    }

    private void checkTransmitterSupplied(JsonNode body, DeliveryTarget target) {
        Map<String, Object> expected = view(target);
        for (String field : List.of("iss", "aud", "events_supported", "events_delivered", "min_verification_interval")) {
            if (body.has(field) && !Json.MAPPER.valueToTree(expected.get(field)).equals(body.get(field))) {
                throw Problem.badRequest(field + " is set by the transmitter and does not match: leave it out");
            }
        }
    }

    private dev.credledger.events.avro.SealedSecret seal(String authorization) {
        byte[] plaintext = authorization.getBytes(StandardCharsets.UTF_8);
        try {
            return DomainToAvro.sealed(dataKeys.sealNew(SsfTarget.SEALING_SCOPE, dev.credledger.events.model.Environment.LIVE,
                    UUID.randomUUID(), plaintext));
        } catch (DataKeys.NotStored e) {
            throw Problem.unavailable(e.getMessage());
        } finally {
            java.util.Arrays.fill(plaintext, (byte) 0);
        }
    }

    private void destroy(dev.credledger.events.avro.SealedSecret sealed) {
        store(() -> dataKeys.destroy(SsfTarget.SEALING_SCOPE, dev.credledger.events.model.Environment.LIVE, sealed.getDataKeyId()));
    }

    private static void store(Runnable write) {
        try {
            write.run();
        } catch (Deliveries.NotStored | DataKeys.NotStored e) {
            throw Problem.unavailable(e.getMessage());
        }
    }

    private static JsonNode object(Context ctx) {
        JsonNode body = Json.body(ctx, JsonNode.class, Json.MAPPER.createObjectNode());
        if (!body.isObject()) {
            throw Problem.badRequest("the body must be a JSON object");
        }
        return body;
    }

    static String text(JsonNode body, String field, boolean required) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw Problem.badRequest("field '" + field + "' is required");
            }
            return null;
        }
        if (!value.isTextual() || value.asText().length() > 1024) {
            throw Problem.badRequest("field '" + field + "' must be a string of at most 1024 characters");
        }
        return value.asText();
    }

    private static void json(Context ctx, int status, Object body) {
        ctx.status(status).header("Cache-Control", "no-store").contentType("application/json").result(Json.write(body));
    }
}
