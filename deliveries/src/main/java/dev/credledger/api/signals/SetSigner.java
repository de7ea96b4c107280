package dev.credledger.api.signals;

import dev.credledger.api.Json;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Signs Security Event Tokens: compact JWS, ES256 (ECDSA P-256 with SHA-256, the signature as R||S per RFC 7518 §3.4),
 * header {@code {"alg":"ES256","kid":…,"typ":"secevent+jwt"}}. The key is a PKCS#8 PEM file; its {@code kid} is its
 * RFC 7638 thumbprint, so a rotated key gets a new one. The public key is published as a JWK Set.
 */
public final class SetSigner {

    public static final String FILE_NAME = "ssf-signing.pem";
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private final ECPrivateKey privateKey;
    private final ECPublicKey publicKey;
    private final String kid;

    private SetSigner(ECPrivateKey privateKey, ECPublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.kid = thumbprint(publicKey);
    }

    /**
     * The key in {@code file} (owner-only): an EC P-256 private key in PKCS#8 PEM, as {@code openssl genpkey -algorithm EC
     * -pkeyopt ec_paramgen_curve:P-256} writes it (the public key inside it, RFC 5915), or followed by a
     * {@code PUBLIC KEY} block (as this class writes one).
     */
    public static SetSigner load(Path file) {
        dev.credledger.events.sealing.OwnerOnly.check(file, "Shared Signals signing key");
        try {
            String pem = Files.readString(file, StandardCharsets.US_ASCII);
            KeyFactory ec = KeyFactory.getInstance("EC");
            byte[] pkcs8 = block(pem, "PRIVATE KEY");
            if (pkcs8 == null) {
                throw new IllegalArgumentException("no PRIVATE KEY block");
            }
            ECPrivateKey key = (ECPrivateKey) ec.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            if (key.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new IllegalArgumentException("not on P-256");
            }
            byte[] spki = block(pem, "PUBLIC KEY");
            ECPublicKey pub = spki != null
                    ? (ECPublicKey) ec.generatePublic(new java.security.spec.X509EncodedKeySpec(spki))
                    : embeddedPublic(pkcs8, key, ec);
            SetSigner signer = new SetSigner(key, pub);
            signer.checkPair();
            return signer;
        } catch (java.io.IOException | GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalArgumentException("cannot read the Shared Signals signing key " + file
                    + " (an EC P-256 private key, PKCS#8 PEM, with its public key): " + e.getMessage());
        }
    }

    /** The key in {@code file}, made there first (mode 0600) if there is none: the embedded default. */
    public static SetSigner loadOrCreate(Path file) {
        if (Files.exists(file)) {
            return load(file);
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            Base64.Encoder mime = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
            String pem = "-----BEGIN PRIVATE KEY-----\n" + mime.encodeToString(pair.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n-----BEGIN PUBLIC KEY-----\n"
                    + mime.encodeToString(pair.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, pem, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
            return load(file);
        } catch (java.io.IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot create the Shared Signals signing key " + file + ": " + e);
        }
    }

    public String kid() {
        return kid;
    }

    /** The JWK Set of the signing key, as {@code jwks_uri} serves it. */
    public Map<String, Object> jwks() {
        Map<String, Object> jwk = new LinkedHashMap<>();
        jwk.put("kty", "EC");
        jwk.put("crv", "P-256");
        jwk.put("x", coordinate(publicKey.getW().getAffineX()));
        jwk.put("y", coordinate(publicKey.getW().getAffineY()));
        jwk.put("use", "sig");
        jwk.put("alg", "ES256");
        jwk.put("kid", kid);
        return Map.of("keys", List.of(jwk));
    }

    /** The claims as a signed SET (compact serialization). */
    public String sign(Map<String, Object> claims) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "ES256");
        header.put("kid", kid);
        header.put("typ", "secevent+jwt");
        String input = URL.encodeToString(Json.write(header).getBytes(StandardCharsets.UTF_8)) + "."
                + URL.encodeToString(Json.write(claims).getBytes(StandardCharsets.UTF_8));
        try {
            Signature es256 = Signature.getInstance("SHA256withECDSAinP1363Format");
            es256.initSign(privateKey);
            es256.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + URL.encodeToString(es256.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ES256 signing failed", e);
        }
    }

    private static byte[] block(String pem, String label) {
        int begin = pem.indexOf("-----BEGIN " + label + "-----");
        int end = pem.indexOf("-----END " + label + "-----");
        if (begin < 0 || end < begin) {
            return null;
        }
        return Base64.getMimeDecoder().decode(pem.substring(begin + label.length() + 16, end));
    }

    /**
     * The public key RFC 5915 lets a PKCS#8 EC key carry ({@code [1] BIT STRING}, uncompressed point {@code 04 x y}),
     * which openssl always writes.
     */
    private static ECPublicKey embeddedPublic(byte[] pkcs8, ECPrivateKey key, KeyFactory ec) throws GeneralSecurityException {
        byte[] marker = {(byte) 0xa1, 0x44, 0x03, 0x42, 0x00, 0x04};
        for (int i = 0; i + marker.length + 64 <= pkcs8.length; i++) {
            if (java.util.Arrays.equals(pkcs8, i, i + marker.length, marker, 0, marker.length)) {
                int at = i + marker.length;
                ECPoint w = new ECPoint(new BigInteger(1, java.util.Arrays.copyOfRange(pkcs8, at, at + 32)),
                        new BigInteger(1, java.util.Arrays.copyOfRange(pkcs8, at + 32, at + 64)));
                return (ECPublicKey) ec.generatePublic(new ECPublicKeySpec(w, key.getParams()));
            }
        }
        throw new IllegalArgumentException("the private key carries no public key: append it as a PUBLIC KEY block "
                + "(openssl pkey -in key.pem -pubout >> key.pem)");
    }

    /** The public key is the private key's: a signature by one verifies with the other. */
    private void checkPair() throws GeneralSecurityException {
        byte[] probe = "credledger ssf key check".getBytes(StandardCharsets.US_ASCII);
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(privateKey);
        s.update(probe);
        byte[] signature = s.sign();
        s.initVerify(publicKey);
        s.update(probe);
        if (!s.verify(signature)) {
            throw new IllegalArgumentException("the public key is not the private key's");
        }
    }

    private static String coordinate(BigInteger value) {
        byte[] bytes = value.toByteArray();
        byte[] out = new byte[32];
        int copy = Math.min(bytes.length, 32);
        System.arraycopy(bytes, bytes.length - copy, out, 32 - copy, copy);
        return URL.encodeToString(out);
    }

    /** RFC 7638: the SHA-256 of the required members in lexicographic order, no whitespace, base64url. */
    static String thumbprint(ECPublicKey key) {
        String canonical = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + coordinate(key.getW().getAffineX())
                + "\",\"y\":\"" + coordinate(key.getW().getAffineY()) + "\"}";
        try {
            return URL.encodeToString(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
