package dev.credledger.events.tlog;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * An Ed25519 key of a C2SP signed note: its name, its 32-byte public key and its key ID (the first 4 bytes of
 * SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)); with the private key, it signs. The JDK's own Ed25519 (RFC 8032,
 * deterministic) does the work.
 */
public final class NoteKey {

    /** The signature type of Ed25519 in signed notes. */
    public static final byte ED25519 = 0x01;
    private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private final String name;
    private final byte[] publicKey;
    private final int keyId;
    private final PrivateKey privateKey;
    private final PublicKey jcaPublic;

    private NoteKey(String name, byte[] publicKey, PrivateKey privateKey) {
        if (!isValidName(name)) {
            throw new IllegalArgumentException("a key name is non-empty, without spaces or '+'");
        }
        this.name = name;
        this.publicKey = publicKey.clone();
        this.keyId = keyId(name, publicKey);
        this.privateKey = privateKey;
        try {
            this.jcaPublic = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, publicKey)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key", e);
        }
    }

    /** A signing key from its 32-byte seed (the RFC 8032 private key). */
    public static NoteKey fromSeed(String name, byte[] seed) {
        if (seed.length != 32) {
            throw new IllegalArgumentException("an Ed25519 seed is 32 bytes");
        }
        try {
            // The JDK derives the public key only while generating: give it this seed as its randomness.
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, new FixedRandom(seed));
            byte[] x509 = generator.generateKeyPair().getPublic().getEncoded();
            PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, seed)));
            return new NoteKey(name, Arrays.copyOfRange(x509, x509.length - 32, x509.length), key);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is in every JDK since 15", e);
        }
    }

    /** A new signing key. */
    public static NoteKey generate(String name) {
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        return fromSeed(name, seed);
    }

    /** A signing key from a PKCS#8 PEM file's text ({@code openssl genpkey -algorithm ed25519} writes one). */
    public static NoteKey fromPem(String name, String pem) {
        String body = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        try {
            PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
            byte[] seed = ((EdECPrivateKey) key).getBytes().orElseThrow(() -> new IllegalArgumentException("no private key bytes"));
            return fromSeed(name, seed);
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalArgumentException("not a PKCS#8 PEM Ed25519 private key", e);
        }
    }

    /** The private key as a PKCS#8 PEM text (keep it secret). */
    public String toPem() {
        byte[] der = privateKey.getEncoded();
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** A signing key in golang.org/x/mod/sumdb/note's form {@code PRIVATE+KEY+<name>+<hex id>+<base64(0x01 ‖ seed)>}. */
    public static NoteKey fromSignerKey(String skey) {
        String prefix = "PRIVATE+KEY+";
        if (!skey.startsWith(prefix)) {
            throw new IllegalArgumentException("a signer key starts with PRIVATE+KEY+");
        }
        String[] parts = splitKey(skey.substring(prefix.length()));
        byte[] key = decodeStrict(parts[2]);
        if (key.length != 33 || key[0] != ED25519) {
            throw new IllegalArgumentException("not an Ed25519 signer key");
        }
        NoteKey k = fromSeed(parts[0], Arrays.copyOfRange(key, 1, 33));
        if (!parts[1].equals(k.keyIdHex())) {
            throw new IllegalArgumentException("the key ID does not match the key");
        }
        return k;
    }

    /** A verifying key from its signed-note form {@code <name>+<hex id>+<base64(0x01 ‖ public key)>}. */
    public static NoteKey fromVerifierKey(String vkey) {
        String[] parts = splitKey(vkey);
        byte[] key = decodeStrict(parts[2]);
        if (key.length != 33 || key[0] != ED25519) {
            throw new IllegalArgumentException("not an Ed25519 verifier key");
        }
        NoteKey k = new NoteKey(parts[0], Arrays.copyOfRange(key, 1, 33), null);
        if (!parts[1].equals(k.keyIdHex())) {
            throw new IllegalArgumentException("the key ID does not match the key");
        }
        return k;
    }

    public String name() {
        return name;
    }

    public int keyId() {
        return keyId;
    }

    public String keyIdHex() {
        return String.format("%08x", keyId);
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** {@code <name>+<hex key ID>+<base64(0x01 ‖ public key)>}. */
    public String verifierKey() {
        return name + "+" + keyIdHex() + "+" + Base64.getEncoder().encodeToString(concat(new byte[] {ED25519}, publicKey));
    }

    /** The Ed25519 signature of {@code message}. */
    public byte[] sign(byte[] message) {
        if (privateKey == null) {
            throw new IllegalStateException("a verifier key cannot sign");
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    public boolean verify(byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(jcaPublic);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static int keyId(String name, byte[] publicKey) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(name.getBytes(StandardCharsets.UTF_8));
            d.update((byte) '\n');
            d.update(ED25519);
            byte[] h = d.digest(publicKey);
            return ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** C2SP: non-empty, no Unicode spaces, no '+'. */
    static boolean isValidName(String name) {
        return name != null && !name.isEmpty() && name.codePoints().noneMatch(c -> c == '+' || isUnicodeSpace(c));
    }

    /** The Unicode White_Space property (what Go's unicode.IsSpace tests); Java's isWhitespace is another set. */
    static boolean isUnicodeSpace(int c) {
        return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A)
                || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
    }

    /** Base64 with padding required (as Go's StdEncoding): the JDK's decoder would accept it missing. */
    static byte[] decodeStrict(String b64) {
        if (b64.length() % 4 != 0) {
            throw new IllegalArgumentException("base64 without its padding");
        }
        return Base64.getDecoder().decode(b64);
    }

    /** {@code name+hex+base64}: the base64 may hold '+', so only the first two separate. */
    private static String[] splitKey(String key) {
        int first = key.indexOf('+');
        int second = first < 0 ? -1 : key.indexOf('+', first + 1);
        if (first <= 0 || second < 0 || second - first - 1 != 8) {
            throw new IllegalArgumentException("a key is <name>+<8 hex digits>+<base64>");
        }
        return new String[] {key.substring(0, first), key.substring(first + 1, second), key.substring(second + 1)};
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Randomness that is one given seed: how the JDK is made to derive a key pair from it. */
    private static final class FixedRandom extends SecureRandom {
        private final byte[] seed;

        FixedRandom(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (bytes.length != seed.length) {
                throw new IllegalStateException("asked for " + bytes.length + " bytes, not an Ed25519 seed");
            }
            System.arraycopy(seed, 0, bytes, 0, seed.length);
        }
    }
}
