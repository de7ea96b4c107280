package dev.credledger.api.signals;

import dev.credledger.api.delivery.Message;
import dev.credledger.api.delivery.Outbound;
import dev.credledger.api.delivery.Target;
import dev.credledger.api.keys.DataKeys;
import dev.credledger.events.avro.DeliveryTarget;
import dev.credledger.events.mapping.AvroToDomain;
import dev.credledger.events.model.CredentialEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shared Signals streams as a kind of delivery target: CAEP credential-change SETs of the change types a stream asked
 * for, signed; a push stream's SETs are POSTed as {@code application/secevent+jwt} (RFC 8935), taken only on 202, and
 * when a receiver keeps failing pushing pauses with the reason shown in the stream's status, its SETs left to poll.
 */
public final class SsfTarget implements Target {

    /** Push authorization headers are sealed under data keys of this pseudo-account, live environment. */
    public static final dev.credledger.events.model.AccountId SEALING_SCOPE = new dev.credledger.events.model.AccountId("ssf-streams");

    private final SetSigner signer;
    private final java.util.function.Supplier<String> issuer;
    private final DataKeys dataKeys;
    private final Outbound outbound;

    public SsfTarget(SetSigner signer, java.util.function.Supplier<String> issuer, DataKeys dataKeys, Outbound outbound) {
        this.signer = signer;
        this.issuer = issuer;
        this.dataKeys = dataKeys;
        this.outbound = outbound;
    }

    @Override
    public List<Message> messages(DeliveryTarget target, CredentialEvent event) {
        StreamConfig config = StreamConfig.parse(target.getConfig());
        if ("disabled".equals(config.status()) || !config.delivers()) {
            return List.of(); // a disabled stream holds nothing
        }
        return CaepEvents.of(event, config.changeTypes());
    }

    @Override
    public boolean active(DeliveryTarget target) {
        StreamConfig config = StreamConfig.parse(target.getConfig());
        return config.push() && "enabled".equals(config.status());
    }

    @Override
    public boolean accepted(int status) {
        return status == 202; // RFC 8935 §2: the recipient acknowledges with 202
    }

    /**
     * RFC 8935 §2.3: a SET the receiver refused for what it is (400 with {@code invalid_request}, {@code invalid_key},
     * {@code invalid_issuer}, {@code invalid_audience}, and other 4xx) is not sent again; no answer, a server error, an
     * authentication or authorization failure (which may be transient), a timeout or 429 are retried.
     */
    @Override
    public boolean retryable(int status) {
        return status == 0 || status >= 500 || status == 401 || status == 403 || status == 408 || status == 429;
    }

    @Override
    public boolean givesUp() {
        return false;
    }

    @Override
    public Outbound.Response send(DeliveryTarget target, Message message) {
        return post(target, set(target, message));
    }

    private Outbound.Response post(DeliveryTarget target, String set) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/json");
        if (target.getSecret() != null) {
            String authorization = dataKeys.withUnsealed(SEALING_SCOPE, dev.credledger.events.model.Environment.LIVE,
                    AvroToDomain.sealed(target.getSecret()), bytes -> new String(bytes, StandardCharsets.UTF_8));
            if (authorization == null) {
                return new Outbound.Response(0, 0, "the stream's authorization header can no longer be unsealed");
            }
            headers.put("Authorization", authorization);
        }
        return outbound.post(URI.create(target.getUrl()), "application/secevent+jwt", headers,
                set.getBytes(StandardCharsets.US_ASCII));
    }

    /** The signed SET of {@code message} for {@code target}'s receiver. */
    String set(DeliveryTarget target, Message message) {
        StreamConfig config = StreamConfig.parse(target.getConfig());
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer.get());
        claims.put("jti", message.id());
        claims.put("iat", Instant.now().getEpochSecond());
        claims.put("aud", config.aud());
        claims.putAll(message.data());
        return signer.sign(claims);
    }

    /** The signed verification SET of a stream (SSF §8.1.4): its subject is the stream. */
    String verification(DeliveryTarget target, StreamConfig.Verification verification) {
        StreamConfig config = StreamConfig.parse(target.getConfig());
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer.get());
        claims.put("jti", verification.jti());
        claims.put("iat", verification.iat());
        claims.put("aud", config.aud());
        claims.put("sub_id", Map.of("format", "opaque", "id", target.getTargetId()));
        Map<String, Object> event = new LinkedHashMap<>();
        if (verification.state() != null) {
            event.put("state", verification.state());
        }
        claims.put("events", Map.of(CaepEvents.VERIFICATION, event));
        return signer.sign(claims);
    }

    /** POSTs a verification SET to a push stream (one attempt; the receiver asks again if it gets none). */
    Outbound.Response pushVerification(DeliveryTarget target, StreamConfig.Verification verification) {
        return post(target, verification(target, verification));
    }
}
