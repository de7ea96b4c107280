package dev.credledger.api.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature scheme of the Standard Webhooks specification (standardwebhooks.com; used by Svix, OpenAI and
 * others), the building block of the ledger's webhooks (issue 14): a secret {@code whsec_<base64 of 24–64 random
 * bytes>}; headers {@code webhook-id}, {@code webhook-timestamp} (Unix seconds) and {@code webhook-signature}
 * {@code v1,<base64 HMAC-SHA256 over "id.timestamp.body">}, several space-separated signatures allowed (a rotation
 * signs with both secrets). Verification compares in constant time and refuses a timestamp outside the tolerance
 * (replays of old deliveries). {@link #toString} never shows the key.
 */
public final class StandardWebhooks {

    public static final String SECRET_PREFIX = "whsec_";
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    private final byte[] key;

    /** From a secret as the specification writes it ({@code whsec_...}), or its bare base64. */
    public StandardWebhooks(String secret) {
        String base64 = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        try {
            this.key = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a webhook secret is whsec_ and base64");
        }
        if (key.length < 24 || key.length > 64) {
            throw new IllegalArgumentException("a webhook secret holds 24 to 64 bytes");
        }
    }

    /** A new secret: 32 random bytes. */
    public static String newSecret(SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(bytes);
    }

    /** {@code v1,<signature>} of one message. */
    public String sign(String messageId, long timestampSeconds, byte[] payload) {
        return "v1," + Base64.getEncoder().encodeToString(mac(messageId, Long.toString(timestampSeconds), payload));
    }

    /** The three headers of a delivery, in the specification's names. */
    public Map<String, String> headers(String messageId, long timestampSeconds, byte[] payload) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("webhook-id", messageId);
        out.put("webhook-timestamp", Long.toString(timestampSeconds));
        out.put("webhook-signature", sign(messageId, timestampSeconds, payload));
        return out;
    }

    /**
     * Whether a delivery is authentic and fresh: one of the {@code v1} signatures of {@code signatureHeader} matches,
     * and {@code timestamp} is within {@code tolerance} of {@code now} either way.
     */
    public boolean verify(String messageId, String timestamp, String signatureHeader, byte[] payload, Instant now,
            Duration tolerance) {
        if (messageId == null || timestamp == null || signatureHeader == null) {
            return false;
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            return false;
        }
        if (Math.abs(now.getEpochSecond() - seconds) > tolerance.toSeconds()) {
            return false;
        }
        byte[] expected = mac(messageId, Long.toString(seconds), payload);
        boolean match = false;
        for (String candidate : signatureHeader.strip().split(" +")) {
            int comma = candidate.indexOf(',');
            if (comma < 0 || !candidate.substring(0, comma).equals("v1")) {
                continue;
            }
            byte[] given;
            try {
                given = Base64.getDecoder().decode(candidate.substring(comma + 1));
            } catch (IllegalArgumentException e) {
                continue;
            }
            match |= MessageDigest.isEqual(expected, given);
        }
        return match;
    }

    private byte[] mac(String messageId, String timestamp, byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((messageId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK provides HmacSHA256", e);
        }
    }

    @Override
    public String toString() {
        return "StandardWebhooks[key withheld]";
    }
}
