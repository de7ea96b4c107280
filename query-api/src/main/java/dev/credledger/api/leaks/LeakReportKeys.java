package dev.credledger.api.leaks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The public keys secret scanners sign their leak reports with, and the check of a report's signature as GitHub's
 * secret-scanning partner program makes it: ECDSA P-256 with SHA-256 over the raw request body, the DER signature
 * base64 in {@code Github-Public-Key-Signature}, the key named by {@code Github-Public-Key-Identifier}. The keys
 * file has the shape of GitHub's own key list ({@code https://api.github.com/meta/public_keys/secret_scanning}):
 * {@code {"public_keys":[{"key_identifier","key":"<PEM>","is_current"}]}}, so it can be that document as fetched.
 */
public final class LeakReportKeys {

    public static final String KEY_ID_HEADER = "Github-Public-Key-Identifier";
    public static final String SIGNATURE_HEADER = "Github-Public-Key-Signature";

    private final Map<String, PublicKey> keys;

    private LeakReportKeys(Map<String, PublicKey> keys) {
        this.keys = Map.copyOf(keys);
    }

    public static LeakReportKeys load(Path file) throws IOException {
        return parse(Files.readString(file));
    }

    public static LeakReportKeys parse(String json) {
        Map<String, PublicKey> out = new LinkedHashMap<>();
        try {
            JsonNode list = new ObjectMapper().readTree(json).path("public_keys");
            if (!list.isArray()) {
                throw new IllegalArgumentException("a leak report keys file is {\"public_keys\":[{\"key_identifier\",\"key\"}]}");
            }
            for (JsonNode k : list) {
                String id = k.path("key_identifier").asText("");
                String pem = k.path("key").asText("");
                if (id.isEmpty() || pem.isEmpty()) {
                    throw new IllegalArgumentException("every public key has a key_identifier and a PEM key");
                }
                byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", ""));
                out.put(id, KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der)));
            }
        } catch (IOException | GeneralSecurityException | IllegalStateException e) {
            throw new IllegalArgumentException("not a leak report keys file: " + e.getMessage(), e);
        }
        return new LeakReportKeys(out);
    }

    /** Whether {@code signature} (base64 DER ECDSA) by the key {@code keyId} signs exactly {@code body}. */
    public boolean verify(byte[] body, String keyId, String signature) {
        PublicKey key = keyId == null ? null : keys.get(keyId);
        if (key == null || signature == null) {
            return false;
        }
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(key);
            s.update(body);
            return s.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    public int size() {
        return keys.size();
    }
}
