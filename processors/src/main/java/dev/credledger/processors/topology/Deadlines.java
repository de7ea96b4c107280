package dev.credledger.processors.topology;

import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Actor;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.SecretRef;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.domain.CommandMetadata;
import dev.credledger.processors.domain.CredentialPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the command processor must do later, kept in its deadline store (the store grace periods always used, so no
 * new changelog): {@code <13-digit millis>|<account>|<ENV>|<secretId>} for the end of a grace period (value empty), the
 * same with {@code |E} for an expiry and {@code |W} for a rotation notice (value {@code <expiresAt millis>|<credentialId
 * or empty>}). A deadline becomes an internal command, decided like any other: the decider records nothing for a secret
 * replaced, revoked or re-dated since, so a deadline left behind is harmless and each is recorded once.
 */
final class Deadlines {

    private Deadlines() {}

    /** The expiry and notice deadlines a new secret with an expiry sets; none for a notice already due at issue. */
    static List<Map.Entry<String, String>> of(CredentialEvent event, CredentialPolicy policy) {
        record Issued(SecretRef secret, UUID credentialId, Instant expiresAt) {}
        Issued issued = switch (event) {
            case CredentialEvent.ApiEnabled e -> new Issued(e.authToken(), null, e.tokenExpiresAt());
            case CredentialEvent.AuthTokenRefreshed e -> new Issued(e.newToken(), null, e.newTokenExpiresAt());
            case CredentialEvent.ClientCredentialCreated e -> new Issued(e.clientSecret(), e.credentialId(), e.expiresAt());
            default -> null;
        };
        if (issued == null || issued.expiresAt() == null) {
            return List.of();
        }
        AccountId account = event.metadata().accountId();
        Environment env = event.metadata().environment();
        String value = issued.expiresAt().toEpochMilli() + "|" + (issued.credentialId() == null ? "" : issued.credentialId());
        List<Map.Entry<String, String>> out = new ArrayList<>();
        out.add(Map.entry(Keys.graceDeadline(issued.expiresAt(), account, env, issued.secret().secretId()) + "|E", value));
        Instant warnAt = policy.warningAt(issued.expiresAt());
        if (warnAt.isAfter(event.metadata().occurredAt())) {
            out.add(Map.entry(Keys.graceDeadline(warnAt, account, env, issued.secret().secretId()) + "|W", value));
        }
        return out;
    }

    /** When a deadline is due, in epoch millis. */
    static long dueAt(String key) {
        return Long.parseLong(key.substring(0, key.indexOf('|')));
    }

    /** The internal command a due deadline issues, with an ID derived from what it is about (repeatable). */
    static Command command(String key, String value, Instant now) {
        String[] parts = key.split("\\|");
        AccountId account = new AccountId(parts[1]);
        Environment env = Environment.valueOf(parts[2]);
        UUID secretId = UUID.fromString(parts[3]);
        if (parts.length == 4) {
            return new Command.EndGracePeriod(meta("grace-end/" + secretId, account, now), env, secretId);
        }
        String[] v = value.split("\\|", -1);
        Instant expiresAt = Instant.ofEpochMilli(Long.parseLong(v[0]));
        UUID credentialId = v[1].isEmpty() ? null : UUID.fromString(v[1]);
        String about = secretId + "/" + v[0];
        return "E".equals(parts[4])
                ? new Command.ExpireSecret(meta("expiry/" + about, account, now), env, secretId, credentialId, expiresAt)
                : new Command.WarnOfExpiry(meta("expiry-notice/" + about, account, now), env, secretId, credentialId, expiresAt);
    }

    private static CommandMetadata meta(String name, AccountId account, Instant now) {
        return new CommandMetadata(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.US_ASCII)), account, now,
                Actor.system(), null, null);
    }
}
