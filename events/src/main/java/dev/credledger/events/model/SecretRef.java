package dev.credledger.events.model;

import java.util.Objects;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A secret as the ledger knows it: its ID, its kind, a short non-secret prefix and its fingerprint.
 * The prefix is checked to be exactly {@code <kind>_<env>_<4 chars>}, so no field of this type can
 * carry a whole secret.
 */
public record SecretRef(UUID secretId, CredentialKind kind, String prefix, Fingerprint fingerprint) {

    private static final Pattern PREFIX = Pattern.compile("(clat|clps|clcs)_(sbx|live)_[0-9A-Za-z]{4}");

    public SecretRef {
        Objects.requireNonNull(secretId, "secretId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Matcher m = PREFIX.matcher(prefix);
        if (!m.matches()) {
            throw new IllegalArgumentException("a secret prefix is <kind>_<env>_ and 4 base62 characters");
        }
        if (CredentialKind.fromMarker(m.group(1)) != kind) {
            throw new IllegalArgumentException("prefix marker " + m.group(1) + " does not match kind " + kind);
        }
    }

    /** The environment the prefix names. */
    public Environment environment() {
        return Environment.fromMarker(prefix.substring(5, prefix.indexOf('_', 5)));
    }
}
