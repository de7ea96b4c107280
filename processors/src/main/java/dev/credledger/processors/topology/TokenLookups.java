package dev.credledger.processors.topology;

import dev.credledger.events.avro.AllowList;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.avro.TokenStatus;
import dev.credledger.events.mapping.Enums;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.CredentialRevoked;
import dev.credledger.events.model.EventMetadata;
import dev.credledger.events.model.SecretRef;
import dev.credledger.processors.domain.ApiAccess;
import dev.credledger.processors.domain.Credential;
import dev.credledger.processors.domain.CredentialStatus;
import dev.credledger.processors.domain.Revocations;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What an event changes in the replicated lookups: the status of secrets by fingerprint, and allow-lists. */
final class TokenLookups {

    private TokenLookups() {}

    /** Lookup entries to upsert, keyed by fingerprint. Revocations come from {@link Revocations}, so the two agree. */
    static List<Map.Entry<String, TokenLookup>> of(CredentialEvent event, Credential credentialAfter) {
        EventMetadata m = event.metadata();
        List<Map.Entry<String, TokenLookup>> out = new ArrayList<>();
        switch (event) {
            case CredentialEvent.ApiEnabled e -> {
                out.add(entry(m, e.authToken(), TokenStatus.ACTIVE, null, e.tokenExpiresAt()));
                out.add(entry(m, e.privateSalt(), TokenStatus.ACTIVE, null, null));
            }
            case CredentialEvent.AuthTokenRefreshed e -> {
                out.add(entry(m, e.newToken(), TokenStatus.ACTIVE, null, e.newTokenExpiresAt()));
                if (e.graceUntil() != null) {
                    // Verifies until the grace period ends, then is revoked for the refresh's reason: named now, so that
                    // a verification after the end and before the revocation arrives says REVOKED, not EXPIRED.
                    TokenLookup grace = TokenLookup.newBuilder(lookup(m, e.previousToken(), TokenStatus.ACTIVE, null, e.graceUntil()))
                            .setRevocationReason(Enums.convert(Revocations.reason(e.reason()),
                                    dev.credledger.events.avro.RevocationReason.class))
                            .build();
                    out.add(Map.entry(e.previousToken().fingerprint().hex(), grace));
                }
            }
            case CredentialEvent.ClientCredentialCreated e ->
                    out.add(entry(m, e.clientSecret(), TokenStatus.ACTIVE, credentialAfter, e.expiresAt()));
            case CredentialEvent.CredentialReactivated e ->
                    out.add(entry(m, e.clientSecret(), TokenStatus.ACTIVE, credentialAfter, expiresAt(credentialAfter)));
            case CredentialEvent.CredentialScopesChanged e -> out.add(entry(m, e.clientSecret(),
                    credentialAfter.status() == CredentialStatus.ACTIVE ? TokenStatus.ACTIVE : TokenStatus.INACTIVE,
                    credentialAfter, credentialAfter.expiresAt()));
            case CredentialEvent.CredentialExpired e when !e.revoked() -> out.add(Map.entry(e.secret().fingerprint().hex(),
                    TokenLookup.newBuilder(lookup(m, e.secret(), TokenStatus.REVOKED, credentialAfter, e.expiresAt()))
                            .setRevocationReason(dev.credledger.events.avro.RevocationReason.EXPIRED).build()));
            default -> { }
        }
        // A deactivated credential may come back: it is INACTIVE, not REVOKED, though downstream is told to stop.
        TokenStatus status = event instanceof CredentialEvent.CredentialDeactivated ? TokenStatus.INACTIVE : TokenStatus.REVOKED;
        for (CredentialRevoked r : Revocations.of(event)) {
            Credential credential = credentialAfter != null && credentialAfter.secret().equals(r.secret()) ? credentialAfter : null;
            TokenLookup revoked = TokenLookup.newBuilder(lookup(m, r.secret(), status, credential, expiresAt(credential)))
                    .setRevocationReason(Enums.convert(r.reason(), dev.credledger.events.avro.RevocationReason.class))
                    .build();
            out.add(Map.entry(r.secret().fingerprint().hex(), revoked));
        }
        return out;
    }

    /**
     * The allow-list after an event that changes it, or {@code null} if the event does not. An enable keeps the list
     * the environment had (each change of it was written when it was made), so it writes none.
     */
    static AllowList allowList(CredentialEvent event, ApiAccess after) {
        boolean changes = event instanceof CredentialEvent.ApiDisabled
                || event instanceof CredentialEvent.IpAllowed || event instanceof CredentialEvent.IpRemoved;
        if (!changes) {
            return null;
        }
        return new AllowList(event.metadata().accountId().value(),
                Enums.convert(event.metadata().environment(), dev.credledger.events.avro.Environment.class), after.allowedIps());
    }

    private static Map.Entry<String, TokenLookup> entry(EventMetadata m, SecretRef secret, TokenStatus status,
            Credential credential, Instant expiresAt) {
        return Map.entry(secret.fingerprint().hex(), lookup(m, secret, status, credential, expiresAt));
    }

    /** {@code credential}: the client credential the secret belongs to (its ID, client ID and scopes), or {@code null}. */
    private static TokenLookup lookup(EventMetadata m, SecretRef secret, TokenStatus status, Credential credential,
            Instant expiresAt) {
        return TokenLookup.newBuilder()
                .setSecretId(secret.secretId())
                .setAccountId(m.accountId().value())
                .setEnvironment(Enums.convert(secret.environment(), dev.credledger.events.avro.Environment.class))
                .setKind(Enums.convert(secret.kind(), dev.credledger.events.avro.CredentialKind.class))
                .setPrefix(secret.prefix())
                .setStatus(status)
                .setCredentialId(credential == null ? null : credential.credentialId())
                .setClientId(credential == null ? null : credential.clientId())
                .setExpiresAt(expiresAt)
                .setScopes(credential == null ? null : credential.scopes())
                .setRevocationReason(null)
                .setUpdatedAt(m.occurredAt())
                .build();
    }

    private static Instant expiresAt(Credential credential) {
        return credential == null ? null : credential.expiresAt();
    }
}
