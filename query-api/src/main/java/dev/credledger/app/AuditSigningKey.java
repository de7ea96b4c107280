package dev.credledger.app;

import dev.credledger.events.tlog.NoteKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The Ed25519 key that signs the audit logs' checkpoints, from a PKCS#8 PEM file ({@code openssl genpkey -algorithm
 * ed25519} makes one); the embedded default generates one into its data directory, readable by the owner only.
 */
final class AuditSigningKey {

    static final String FILE_NAME = "audit-signing.pem";

    private AuditSigningKey() {}

    static NoteKey load(Path file, String name) {
        dev.credledger.events.sealing.OwnerOnly.check(file, "audit signing key");
        try {
            return NoteKey.fromPem(name, Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the audit signing key " + file, e);
        }
    }

    static NoteKey loadOrCreate(Path file, String name) {
        if (Files.exists(file)) {
            return load(file, name);
        }
        NoteKey key = NoteKey.generate(name);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, key.toPem(), StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the audit signing key " + file, e);
        }
    }
}
