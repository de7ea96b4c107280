package dev.credledger.processors.domain;

import dev.credledger.events.model.Environment;
import dev.credledger.events.model.SecretRef;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A named client credential as the settings page lists it: never its secret, only the secret's reference.
 * {@code createdBy}: the actor who created it ({@code null} in state written before it was kept); {@code expiresAt}:
 * when its secret stops verifying ({@code null}: never); {@code scopes}: what it may do ({@code null}: unrestricted).
 */
public record Credential(
        UUID credentialId, Environment environment, String name, String clientId, SecretRef secret,
        CredentialStatus status, Instant createdAt, Instant updatedAt, String createdBy, Instant expiresAt,
        List<String> scopes) {

    public Credential {
        Objects.requireNonNull(credentialId, "credentialId");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        scopes = scopes == null ? null : List.copyOf(scopes);
    }

    public Credential(UUID credentialId, Environment environment, String name, String clientId, SecretRef secret,
            CredentialStatus status, Instant createdAt, Instant updatedAt) {
        this(credentialId, environment, name, clientId, secret, status, createdAt, updatedAt, null, null, null);
    }

    Credential with(CredentialStatus newStatus, Instant at) {
        return new Credential(credentialId, environment, name, clientId, secret, newStatus, createdAt, at, createdBy,
                expiresAt, scopes);
    }

    Credential withScopes(List<String> newScopes, Instant at) {
        return new Credential(credentialId, environment, name, clientId, secret, status, createdAt, at, createdBy,
                expiresAt, newScopes);
    }

    /** Whether its expiry has passed at {@code now}, recorded or not. */
    public boolean expiredAt(Instant now) {
        return status == CredentialStatus.EXPIRED || (expiresAt != null && !now.isBefore(expiresAt));
    }
}
