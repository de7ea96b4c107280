package dev.credledger.events.verify;

import dev.credledger.events.avro.AllowList;
import dev.credledger.events.avro.RevocationReason;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.avro.TokenStatus;
import dev.credledger.events.model.Cidr;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.Fingerprint;
import dev.credledger.events.secret.SecretFormat;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Whether a presented secret is to be honoured, and if not why: one function, so that the ledger's
 * {@code POST /v1/verify} and a revocation client embedded in a downstream service decide alike. A string that
 * is not a well-formed secret is refused offline; a well-formed one is looked up by the SHA-256 of its text (so
 * timing can only tell about hashes of guesses), and a client ID is compared in constant time.
 */
public final class Verification {

    /** Why a secret is not honoured. */
    public enum Reason {
        UNKNOWN, REVOKED, INACTIVE, WRONG_ENVIRONMENT, IP_NOT_ALLOWED, SOURCE_IP_REQUIRED, EXPIRED, INSUFFICIENT_SCOPE
    }

    /** What the decision reads: a secret's lookup entry by fingerprint, an allow-list by {@code <account>|<ENV>}. */
    public interface Source {
        TokenLookup lookup(String fingerprint);

        AllowList allowList(String accountAndEnvironment);
    }

    /**
     * Honoured (with the secret's entry), or not (with a reason, and the entry when the secret was found: whose
     * refusal it is, for usage counts). {@code missingScopes}: for
     * {@link Reason#INSUFFICIENT_SCOPE}, the required scopes the credential lacks (sorted); empty otherwise.
     */
    public record Decision(boolean active, Reason reason, TokenLookup entry, List<String> missingScopes) {
        public Decision {
            missingScopes = List.copyOf(missingScopes);
        }

        public Decision(boolean active, Reason reason, TokenLookup entry) {
            this(active, reason, entry, List.of());
        }

        static Decision refused(Reason reason) {
            return new Decision(false, reason, null);
        }

        static Decision refused(Reason reason, TokenLookup entry) {
            return new Decision(false, reason, entry);
        }
    }

    private Verification() {}

    /**
     * @param kind {@link CredentialKind#AUTH_TOKEN} for a token, {@link CredentialKind#CLIENT_SECRET} with its client ID
     * @param expected the environment the caller serves, or {@code null} for any
     * @param sourceIp the caller's client address (one IPv4 or IPv6 address), or {@code null} if unknown
     */
    public static Decision decide(String secret, CredentialKind kind, String clientId, Environment expected, String sourceIp,
            Source source, Instant now) {
        return decide(secret, kind, clientId, expected, sourceIp, List.of(), source, now);
    }

    /**
     * As above, and the secret must allow every scope of {@code requiredScopes}: an unrestricted secret (no scopes,
     * such as every auth token) allows any. Checked last, so a caller from the wrong address learns nothing of scopes.
     */
    public static Decision decide(String secret, CredentialKind kind, String clientId, Environment expected, String sourceIp,
            Collection<String> requiredScopes, Source source, Instant now) {
        Optional<SecretFormat.Parsed> parsed = SecretFormat.parse(secret);
        if (parsed.isEmpty() || parsed.get().kind() != kind) {
            return Decision.refused(Reason.UNKNOWN);
        }
        if (expected != null && expected != parsed.get().environment()) {
            return Decision.refused(Reason.WRONG_ENVIRONMENT);
        }
        TokenLookup entry = source.lookup(Fingerprint.hexOf(secret));
        if (entry == null) {
            return Decision.refused(Reason.UNKNOWN);
        }
        if (kind == CredentialKind.CLIENT_SECRET && (clientId == null || entry.getClientId() == null || !MessageDigest.isEqual(
                entry.getClientId().getBytes(StandardCharsets.UTF_8), clientId.getBytes(StandardCharsets.UTF_8)))) {
            return Decision.refused(Reason.UNKNOWN);
        }
        if (entry.getStatus() == TokenStatus.REVOKED) {
            return Decision.refused(entry.getRevocationReason() == RevocationReason.EXPIRED ? Reason.EXPIRED : Reason.REVOKED,
                    entry);
        }
        if (entry.getStatus() == TokenStatus.INACTIVE) {
            return Decision.refused(Reason.INACTIVE, entry);
        }
        if (entry.getExpiresAt() != null && !now.isBefore(entry.getExpiresAt())) {
            // Past its time, before the ledger's record of it arrives: a grace period's end names the reason the
            // secret is revoked for; an expiry names none.
            return Decision.refused(entry.getRevocationReason() == null ? Reason.EXPIRED : Reason.REVOKED, entry);
        }
        AllowList allowed = source.allowList(entry.getAccountId() + "|" + entry.getEnvironment().name());
        if (allowed != null && !allowed.getCidrs().isEmpty()) {
            // Fail closed: an allow-listed environment cannot be checked without the caller's address.
            if (sourceIp == null) {
                return Decision.refused(Reason.SOURCE_IP_REQUIRED, entry);
            }
            if (allowed.getCidrs().stream().map(Cidr::parse).flatMap(Optional::stream).noneMatch(c -> c.contains(sourceIp))) {
                return Decision.refused(Reason.IP_NOT_ALLOWED, entry);
            }
        }
        List<String> scopes = entry.getScopes();
        if (scopes != null && !requiredScopes.isEmpty()) {
            List<String> missing = requiredScopes.stream().filter(r -> !scopes.contains(r)).distinct().sorted().toList();
            if (!missing.isEmpty()) {
                return new Decision(false, Reason.INSUFFICIENT_SCOPE, entry, missing);
            }
        }
        return new Decision(true, null, entry);
    }
}
