package dev.credledger.api.delivery;

import java.time.Instant;
import java.util.Map;

/**
 * One thing to tell one target about a credential change.
 *
 * @param id the same for every attempt, on every instance, so a receiver drops duplicates by it
 * @param type the kind of change, as the target names it
 * @param subject what changed (the secret ID): messages about the same subject are delivered in order
 * @param data the change, never a secret
 */
public record Message(String id, String type, String subject, Instant occurredAt, Map<String, Object> data) {}
