package dev.credledger.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.credledger.events.tlog.NoteKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/** The audit signing key file: generated owner-only, read again as the same key, refused when others may read it. */
class AuditSigningKeyTest {

    @Test
    void aGeneratedKeyIsOwnerOnlyAndReadAgainAsTheSameKey() throws Exception {
        Path file = Files.createTempDirectory("credledger-audit-key-").resolve(AuditSigningKey.FILE_NAME);
        NoteKey made = AuditSigningKey.loadOrCreate(file, "credledger.test/audit");

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(AuditSigningKey.loadOrCreate(file, "credledger.test/audit").verifierKey()).isEqualTo(made.verifierKey());
    }

    @Test
    void aKeyFileOthersMayReadIsRefused() throws Exception {
        Path file = Files.createTempDirectory("credledger-audit-key-").resolve("open.pem");
        Files.writeString(file, NoteKey.generate("credledger.test/audit").toPem());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> AuditSigningKey.load(file, "credledger.test/audit"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chmod 600");
    }
}
