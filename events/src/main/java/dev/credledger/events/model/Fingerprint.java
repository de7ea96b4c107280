package dev.credledger.events.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The SHA-256 of a whole secret, as 64 lower-case hex characters: what the ledger stores, publishes
 * and compares instead of the secret.
 */
public record Fingerprint(String hex) {

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    public Fingerprint {
        Objects.requireNonNull(hex, "fingerprint");
        if (!SHA256_HEX.matcher(hex).matches()) {
            // Never echo the value: a caller may have passed a secret here by mistake.
            throw new IllegalArgumentException("a fingerprint is 64 lower-case hex characters (SHA-256)");
        }
    }

    /** The fingerprint of a plaintext secret. */
    public static Fingerprint of(CharSequence secret) {
        return new Fingerprint(hexOf(secret));
    }

    /**
     * The fingerprint's hex of a plaintext secret, without the record's check (SHA-256 hex is well-formed by
     * construction): verification computes one per request, and the check is a regular expression.
     */
    public static String hexOf(CharSequence secret) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(secret.toString().getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }

    /** Compares in time independent of where the two differ. */
    public boolean matchesInConstantTime(Fingerprint other) {
        return MessageDigest.isEqual(
                hex.getBytes(StandardCharsets.US_ASCII), other.hex.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return hex;
    }
}
