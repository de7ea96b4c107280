package dev.credledger.processors.domain;

import dev.credledger.events.model.Environment;
import dev.credledger.events.model.SecretRef;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A named client credential as the settings page lists it: never its secret, only the secret's reference.
 * {@code createdBy}: the actor who created it ({@code null} in state written before it was kept).
 */
public record Credential(
        UUID credentialId, Environment environment, String name, String clientId, SecretRef secret,
        CredentialStatus status, Instant createdAt, Instant updatedAt, String createdBy) {

    public Credential {
        Objects.requireNonNull(credentialId, "credentialId");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    public Credential(UUID credentialId, Environment environment, String name, String clientId, SecretRef secret,
            CredentialStatus status, Instant createdAt, Instant updatedAt) {
        this(credentialId, environment, name, clientId, secret, status, createdAt, updatedAt, null);
    }

    Credential with(CredentialStatus newStatus, Instant at) {
        return new Credential(credentialId, environment, name, clientId, secret, newStatus, createdAt, at, createdBy);
    }
}
