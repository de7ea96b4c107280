package dev.credledger.processors.domain;

import dev.credledger.events.model.RefreshReason;
import dev.credledger.events.model.SecretRef;
import java.time.Instant;
import java.util.Objects;

/** A refreshed-away auth token that still verifies until {@code graceUntil}. */
public record GraceToken(SecretRef token, Instant graceUntil, RefreshReason reason) {

    public GraceToken {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(graceUntil, "graceUntil");
        Objects.requireNonNull(reason, "reason");
    }
}
