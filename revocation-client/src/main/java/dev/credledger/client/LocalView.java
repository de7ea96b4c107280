package dev.credledger.client;

import dev.credledger.events.avro.AllowList;
import dev.credledger.events.avro.CredentialRevoked;
import dev.credledger.events.avro.RevocationReason;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.avro.TokenStatus;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.verify.Verification;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a revocation client knows, in memory, and the decision made from it: the latest lookup entry of every
 * secret, the allow-lists, and revocations read ahead of the lookup update that reflects them. Fed by one
 * thread (the client's consumer), read by any number ({@link #verify}). Public so that a benchmark or a test can
 * feed it without Kafka.
 */
public final class LocalView {

    private final Map<String, TokenLookup> lookups = new ConcurrentHashMap<>();
    private final Map<String, AllowList> allowLists = new ConcurrentHashMap<>();
    /** Revocations read before the lookup update that reflects them; dropped once that update arrives. */
    private final Map<String, CredentialRevoked> revokedAhead = new ConcurrentHashMap<>();
    /** Of those, the early ones (not yet on the record) and when each was read: consumer thread only. */
    private final Map<String, Instant> earlyReadAt = new java.util.HashMap<>();

    /** A record of {@code credential-token-lookup}; {@code null} is a tombstone. */
    public void applyLookup(String fingerprint, TokenLookup entry) {
        if (entry == null) {
            // Gone: nothing to answer but UNKNOWN, so nothing to hold ahead either.
            lookups.remove(fingerprint);
            revokedAhead.remove(fingerprint);
            earlyReadAt.remove(fingerprint);
            return;
        }
        lookups.put(fingerprint, entry);
        CredentialRevoked ahead = revokedAhead.get(fingerprint);
        if (ahead != null && supersedes(entry, ahead)) {
            revokedAhead.remove(fingerprint, ahead); // the lookup now says it (or something newer)
            earlyReadAt.remove(fingerprint);
        }
    }

    /** A record of {@code credential-allow-lists}; {@code null} is a tombstone (no list: every address). */
    public void applyAllowList(String key, AllowList list) {
        if (list == null) {
            allowLists.remove(key);
        } else {
            allowLists.put(key, list);
        }
    }

    /** A record of {@code credential-revocations}: refused from now on, unless a newer lookup entry says otherwise. */
    public void applyRevocation(CredentialRevoked r) {
        earlyReadAt.remove(r.getFingerprint()); // on the record now
        TokenLookup known = lookups.get(r.getFingerprint());
        if (known == null || !supersedes(known, r)) {
            revokedAhead.put(r.getFingerprint(), r);
        }
    }

    /**
     * Whether a lookup entry says something newer than a revocation: it is dated after it, or at the same millisecond
     * and not active (two commands can share a millisecond; an ACTIVE entry of that instant is the older fact).
     */
    static boolean supersedes(TokenLookup entry, CredentialRevoked r) {
        int order = entry.getUpdatedAt().compareTo(r.getRevokedAt());
        return order > 0 || (order == 0 && entry.getStatus() != TokenStatus.ACTIVE);
    }

    /**
     * A record of {@code credential-revocations-early}, read at {@code readAt}: refused from now on, as a revocation
     * is, until a newer lookup entry says otherwise. Never un-applied otherwise: the ledger decides a revocation again
     * whenever its transaction aborts, so an early one is always followed by its record ({@link #unconfirmed} tells
     * which are late).
     */
    public void applyEarlyRevocation(CredentialRevoked r, Instant readAt) {
        TokenLookup known = lookups.get(r.getFingerprint());
        CredentialRevoked held = revokedAhead.get(r.getFingerprint());
        if ((known == null || !supersedes(known, r))
                && (held == null || held.getRevokedAt().isBefore(r.getRevokedAt()))) {
            revokedAhead.put(r.getFingerprint(), r);
            earlyReadAt.put(r.getFingerprint(), readAt);
        }
    }

    /**
     * The early revocations read before {@code readBefore} that nothing has confirmed since, each returned once (they
     * stay applied: refusing is the safe side, and the record follows once the ledger runs again).
     */
    public java.util.List<CredentialRevoked> unconfirmed(Instant readBefore) {
        java.util.List<CredentialRevoked> late = new java.util.ArrayList<>();
        earlyReadAt.entrySet().removeIf(e -> {
            if (!e.getValue().isBefore(readBefore)) {
                return false;
            }
            CredentialRevoked r = revokedAhead.get(e.getKey());
            if (r != null) {
                late.add(r);
            }
            return true;
        });
        return late;
    }

    /** An auth token presented by a caller of {@code environment} (or {@code null} for any), from {@code sourceIp} (or {@code null}). */
    public Verification.Decision verify(String token, Environment environment, InetAddress sourceIp) {
        return Verification.decide(token, CredentialKind.AUTH_TOKEN, null, environment, address(sourceIp), source, Instant.now());
    }

    /** A client credential (client ID and secret). */
    public Verification.Decision verify(String clientId, String clientSecret, Environment environment, InetAddress sourceIp) {
        return verify(clientId, clientSecret, environment, sourceIp, java.util.List.of());
    }

    /** A client credential that must allow every one of {@code requiredScopes}. */
    public Verification.Decision verify(String clientId, String clientSecret, Environment environment, InetAddress sourceIp,
            java.util.Collection<String> requiredScopes) {
        return Verification.decide(clientSecret, CredentialKind.CLIENT_SECRET, clientId, environment, address(sourceIp),
                requiredScopes, source, Instant.now());
    }

    /** Secrets known. */
    public int entries() {
        return lookups.size();
    }

    private final Verification.Source source = new Verification.Source() {
        @Override
        public TokenLookup lookup(String fingerprint) {
            // The revocation first: the consumer writes a newer entry before it drops the revocation that entry
            // confirms, so reading in this order never sees the old entry without the revocation.
            CredentialRevoked ahead = revokedAhead.get(fingerprint);
            TokenLookup entry = lookups.get(fingerprint);
            if (entry == null || ahead == null || supersedes(entry, ahead)) {
                return entry;
            }
            // Revoked, and the lookup does not say so yet: answer as the ledger will once it does.
            TokenStatus status = ahead.getReason() == RevocationReason.CREDENTIAL_DEACTIVATED ? TokenStatus.INACTIVE : TokenStatus.REVOKED;
            // The reason goes with it: an expiry answers EXPIRED, as the ledger will.
            return TokenLookup.newBuilder(entry).setStatus(status).setRevocationReason(ahead.getReason())
                    .setUpdatedAt(ahead.getRevokedAt()).build();
        }

        @Override
        public AllowList allowList(String accountAndEnvironment) {
            return allowLists.get(accountAndEnvironment);
        }
    };

    private static String address(InetAddress ip) {
        if (ip == null) {
            return null;
        }
        String text = ip.getHostAddress();
        int zone = ip instanceof Inet6Address ? text.indexOf('%') : -1;
        return zone < 0 ? text : text.substring(0, zone);
    }
}
