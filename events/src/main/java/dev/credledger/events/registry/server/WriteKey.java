package dev.credledger.events.registry.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * The key that registry writes (schema registration, compatibility configuration) must present, as
 * {@code Authorization: Bearer <key>} or as HTTP Basic with any user name and the key as password — what
 * Confluent clients send with {@code basic.auth.user.info}. Reads stay open: consumers need schemas by ID.
 * Compared in constant time.
 */
final class WriteKey {

    private final byte[] key;

    WriteKey(String key) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    boolean admits(String authorization) {
        if (authorization == null) {
            return false;
        }
        byte[] presented;
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        } else if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String userInfo;
            try {
                userInfo = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return false;
            }
            int colon = userInfo.indexOf(':');
            presented = (colon < 0 ? "" : userInfo.substring(colon + 1)).getBytes(StandardCharsets.UTF_8);
        } else {
            return false;
        }
        return MessageDigest.isEqual(presented, key);
    }
}
