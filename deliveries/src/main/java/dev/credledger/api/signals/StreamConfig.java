package dev.credledger.api.signals;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.credledger.api.Json;
import java.util.List;

/**
 * What the ledger keeps of a Shared Signals stream besides its target record (JSON in
 * {@code DeliveryTarget.config}; never a secret: a push authorization header is sealed apart).
 *
 * @param changeTypes the CAEP change types the stream gets: {@code revoke} by default
 * @param pendingVerifications the verification events the receiver asked for, oldest first, each until it is
 *     acknowledged (poll) — at most {@link #MAX_PENDING_VERIFICATIONS}; a push stream keeps only the latest (it was sent)
 * @param pendingVerification the single pending verification of configurations written before there could be several:
 *     read, moved into {@code pendingVerifications}, never written again
 */
record StreamConfig(String aud, List<String> eventsRequested, String description, String deliveryMethod, String status,
                    String reason, List<String> changeTypes, Verification pendingVerification,
                    List<Verification> pendingVerifications) {

    static final int MAX_PENDING_VERIFICATIONS = 10;

    static final String PUSH = "urn:ietf:rfc:8935";
    static final String POLL = "urn:ietf:rfc:8936";
    static final List<String> CHANGE_TYPES = List.of("create", "revoke", "update", "delete");
    static final List<String> STATUSES = List.of("enabled", "paused", "disabled");

    /**
     * A verification event: its {@code jti}, the receiver's {@code state} (echoed), when it was asked for, and the
     * digest of the request's Idempotency-Key ({@code null} without one).
     */
    record Verification(String jti, String state, long iat, String key) {}

    StreamConfig {
        eventsRequested = eventsRequested == null ? List.of() : List.copyOf(eventsRequested);
        changeTypes = changeTypes == null ? List.of("revoke") : List.copyOf(changeTypes);
        List<Verification> pending = new java.util.ArrayList<>(pendingVerifications == null ? List.of() : pendingVerifications);
        Verification single = pendingVerification;
        if (single != null && pending.stream().noneMatch(v -> v.jti().equals(single.jti()))) {
            pending.addFirst(single);
        }
        while (pending.size() > MAX_PENDING_VERIFICATIONS) {
            pending.removeFirst();
        }
        pendingVerification = null;
        pendingVerifications = List.copyOf(pending);
    }

    StreamConfig(String aud, List<String> eventsRequested, String description, String deliveryMethod, String status,
            String reason, List<String> changeTypes, List<Verification> pendingVerifications) {
        this(aud, eventsRequested, description, deliveryMethod, status, reason, changeTypes, null, pendingVerifications);
    }

    /** The latest verification asked for, or {@code null}. */
    Verification latestVerification() {
        return pendingVerifications.isEmpty() ? null : pendingVerifications.getLast();
    }

    boolean push() {
        return PUSH.equals(deliveryMethod);
    }

    boolean delivers() {
        return eventsRequested.contains(CaepEvents.CREDENTIAL_CHANGE);
    }

    StreamConfig withStatus(String value, String why) {
        return new StreamConfig(aud, eventsRequested, description, deliveryMethod, value, why, changeTypes,
                pendingVerifications);
    }

    /** One more verification asked for: after the others a poll stream still owes, or instead of a pushed one. */
    StreamConfig withVerification(Verification value) {
        List<Verification> pending = new java.util.ArrayList<>(push() ? List.of() : pendingVerifications);
        pending.add(value);
        return new StreamConfig(aud, eventsRequested, description, deliveryMethod, status, reason, changeTypes, pending);
    }

    /** Without the verifications the receiver acknowledged. */
    StreamConfig withoutVerifications(java.util.Collection<String> acknowledged) {
        return new StreamConfig(aud, eventsRequested, description, deliveryMethod, status, reason, changeTypes,
                pendingVerifications.stream().filter(v -> !acknowledged.contains(v.jti())).toList());
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
