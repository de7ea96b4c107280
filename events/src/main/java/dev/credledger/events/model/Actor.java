package dev.credledger.events.model;

import java.util.Objects;

/**
 * Who made a change and from where.
 *
 * @param actorId user or service ID as authenticated by the edge
 * @param sourceIp client address, or {@code null} if unknown
 * @param userAgent client's user agent, or {@code null}
 * @param channel how the change arrived
 */
public record Actor(String actorId, String sourceIp, String userAgent, Channel channel) {

    public Actor {
        Objects.requireNonNull(actorId, "actorId");
        Objects.requireNonNull(channel, "channel");
    }

    /** The ledger acting on its own, for example when a grace period ends. */
    public static Actor system() {
        return new Actor("credledger", null, null, Channel.SYSTEM);
    }
}
