package dev.credledger.events.sealing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Key-encryption keys from a local file (the {@code --sealing-key-file}): one key per line, 32 random bytes in
 * base64; lines starting with {@code #} and blank lines are ignored. The first key is the current KEK (it wraps
 * new data keys); any further keys only unwrap — they are the older KEKs a rotation is moving away from.
 *
 * <p>The file must be readable by its owner only (mode 0600 or 0400, checked where the file system has POSIX
 * permissions). A KEK's ID is {@code kek-} and the first 8 bytes of SHA-256("credledger-kek-id\n" ‖ key) in hex:
 * it names the key without revealing it.
 */
public final class FileKeyring implements KeyEncryptionKey {

    private final Map<String, byte[]> keys;
    private final String current;

    private FileKeyring(Map<String, byte[]> keys) {
        this.keys = keys;
        this.current = keys.keySet().iterator().next();
    }

    /** Reads a keyring file, checking its mode. */
    public static FileKeyring load(Path file) {
        checkOwnerOnly(file);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sealing key file " + file, e);
        }
        Map<String, byte[]> keys = new LinkedHashMap<>();
        int number = 0;
        for (String line : lines) {
            number++;
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + number + " of the sealing key file " + file + " is not base64");
            }
            if (key.length != AesGcm.KEY_BYTES) {
                throw new IllegalArgumentException("line " + number + " of the sealing key file " + file
                        + " is not a 256-bit key (32 bytes in base64)");
            }
            keys.putIfAbsent(idOf(key), key);
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("the sealing key file " + file + " holds no key");
        }
        return new FileKeyring(keys);
    }

    /** The keyring in {@code file}, first generating a file with one new key (mode 0600) if there is none. */
    public static FileKeyring loadOrCreate(Path file) {
        if (!Files.exists(file)) {
            write(file, List.of(AesGcm.newKey()));
        }
        return load(file);
    }

    /** Writes a new key file holding one freshly generated key (mode 0600); fails if the file exists. */
    public static void generate(Path file) {
        if (Files.exists(file)) {
            throw new IllegalArgumentException(file + " exists already; a key file is never overwritten");
        }
        write(file, List.of(AesGcm.newKey()));
    }

    /** Replaces {@code file} (atomically, mode 0600) with a keyring of these keys, the first one current. */
    public static void write(Path file, List<byte[]> keys) {
        StringBuilder text = new StringBuilder("# credledger key-encryption keys: the first wraps, all unwrap. Keep secret.\n");
        for (byte[] key : keys) {
            text.append(Base64.getEncoder().encodeToString(key)).append('\n');
        }
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, ".sealing-key-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, text, StandardCharsets.US_ASCII);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sealing key file " + file, e);
        }
    }

    /** The keys of this ring, current first (for writing a rotated ring). */
    public List<byte[]> keys() {
        List<byte[]> out = new ArrayList<>();
        keys.values().forEach(k -> out.add(k.clone()));
        return out;
    }

    /** The IDs of this ring's keys, current first. */
    public List<String> ids() {
        return List.copyOf(keys.keySet());
    }

    @Override
    public String currentId() {
        return current;
    }

    @Override
    public boolean canUnwrap(String kekId) {
        return keys.containsKey(kekId);
    }

    @Override
    public Wrapped wrap(byte[] dataKey, byte[] associatedData) {
        return new Wrapped(current, AesGcm.seal(keys.get(current), dataKey, associatedData));
    }

    @Override
    public byte[] unwrap(String kekId, byte[] wrapped, byte[] associatedData) {
        byte[] kek = keys.get(kekId);
        if (kek == null) {
            throw new SealingException("the key-encryption key " + kekId + " is not in the sealing key file");
        }
        return AesGcm.open(kek, wrapped, associatedData);
    }

    @Override
    public String toString() {
        return "FileKeyring" + keys.keySet();
    }

    public static String idOf(byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("credledger-kek-id\n".getBytes(StandardCharsets.US_ASCII));
            byte[] digest = sha.digest(key);
            return "kek-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void checkOwnerOnly(Path file) {
        OwnerOnly.check(file, "sealing key file");
    }
}
