package dev.credledger.api.signals;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.credledger.api.Json;
import java.util.List;

/**
 * What the ledger keeps of a Shared Signals stream besides its target record (JSON in
 * {@code DeliveryTarget.config}; never a secret: a push authorization header is sealed apart).
 *
 * @param changeTypes the CAEP change types the stream gets: {@code revoke} by default
 * @param pendingVerification a verification event the receiver asked for, until it is acknowledged (poll) or sent (push)
 */
record StreamConfig(String aud, List<String> eventsRequested, String description, String deliveryMethod, String status,
                    String reason, List<String> changeTypes, Verification pendingVerification) {

    static final String PUSH = "urn:ietf:rfc:8935";
    static final String POLL = "urn:ietf:rfc:8936";
    static final List<String> CHANGE_TYPES = List.of("create", "revoke", "update", "delete");
    static final List<String> STATUSES = List.of("enabled", "paused", "disabled");

    /** A verification event: its {@code jti}, the receiver's {@code state} (echoed), and when it was asked for. */
    record Verification(String jti, String state, long iat) {}

    StreamConfig {
        eventsRequested = eventsRequested == null ? List.of() : List.copyOf(eventsRequested);
        changeTypes = changeTypes == null ? List.of("revoke") : List.copyOf(changeTypes);
    }

    boolean push() {
        return PUSH.equals(deliveryMethod);
    }

    boolean delivers() {
        return eventsRequested.contains(CaepEvents.CREDENTIAL_CHANGE);
    }

    StreamConfig withStatus(String value, String why) {
        return new StreamConfig(aud, eventsRequested, description, deliveryMethod, value, why, changeTypes, pendingVerification);
    }

    StreamConfig withVerification(Verification value) {
        return new StreamConfig(aud, eventsRequested, description, deliveryMethod, status, reason, changeTypes, value);
    }

    String toJson() {
        return Json.write(this);
    }

    static StreamConfig parse(String json) {
        try {
            return Json.MAPPER.readValue(json, StreamConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored stream configuration is not readable: " + e.getOriginalMessage());
        }
    }
}
