package dev.credledger.events.sealing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Envelope encryption as the ledger uses it: what is sealed opens only with its own data key, for its own
 * account, environment and secret ID; a data key unwraps only with a KEK of the ring and its own binding.
 */
class EnvelopeTest {

    private static final byte[] SALT = "clps_sbx_0123456789abcdefghijABCDEFGHIJxyz123".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private FileKeyring ring() {
        return FileKeyring.loadOrCreate(dir.resolve("sealing.key"));
    }

    @Test
    void aSealedSecretOpensWithItsDataKeyAfterTheKeyIsUnwrappedAgain() {
        FileKeyring kek = ring();
        Envelope.NewDataKey created = Envelope.newDataKey(kek, "acme", "LIVE");
        UUID saltId = UUID.randomUUID();
        byte[] sealed = Envelope.seal(created.key(), SALT, "acme", "LIVE", saltId);

        try (Envelope.DataKey again = Envelope.unwrap(kek, created.kekId(), created.wrapped(), "acme", "LIVE", created.key().id())) {
            assertThat(Envelope.open(again, sealed, "acme", "LIVE", saltId)).isEqualTo(SALT);
        }
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("clps_");
        assertThat(created.key().toString()).doesNotContain(java.util.HexFormat.of().formatHex(created.key().copy()));
    }

    @Test
    void theBindingToAccountEnvironmentAndIdsIsChecked() {
        FileKeyring kek = ring();
        Envelope.NewDataKey created = Envelope.newDataKey(kek, "acme", "LIVE");
        UUID saltId = UUID.randomUUID();
        byte[] sealed = Envelope.seal(created.key(), SALT, "acme", "LIVE", saltId);
        UUID keyId = created.key().id();

        assertThatThrownBy(() -> Envelope.open(created.key(), sealed, "globex", "LIVE", saltId)).isInstanceOf(SealingException.class);
        assertThatThrownBy(() -> Envelope.open(created.key(), sealed, "acme", "SANDBOX", saltId)).isInstanceOf(SealingException.class);
        assertThatThrownBy(() -> Envelope.open(created.key(), sealed, "acme", "LIVE", UUID.randomUUID())).isInstanceOf(SealingException.class);
        assertThatThrownBy(() -> Envelope.unwrap(kek, created.kekId(), created.wrapped(), "globex", "LIVE", keyId))
                .isInstanceOf(SealingException.class);
        assertThatThrownBy(() -> Envelope.unwrap(kek, created.kekId(), created.wrapped(), "acme", "LIVE", UUID.randomUUID()))
                .isInstanceOf(SealingException.class);
        byte[] tampered = sealed.clone();
        tampered[tampered.length - 1] ^= 1;
        assertThatThrownBy(() -> Envelope.open(created.key(), tampered, "acme", "LIVE", saltId)).isInstanceOf(SealingException.class);
    }

    @Test
    void anotherKekCannotUnwrapAndNoMessageCarriesKeyMaterial() {
        FileKeyring kek = ring();
        FileKeyring other = FileKeyring.loadOrCreate(dir.resolve("other.key"));
        Envelope.NewDataKey created = Envelope.newDataKey(kek, "acme", "LIVE");

        assertThatThrownBy(() -> Envelope.unwrap(other, created.kekId(), created.wrapped(), "acme", "LIVE", created.key().id()))
                .isInstanceOf(SealingException.class)
                .hasMessageContaining(created.kekId())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(java.util.Base64.getEncoder().encodeToString(kek.keys().getFirst())));
    }

    @Test
    void aRotatedRingWrapsWithTheNewKeyAndStillUnwrapsWhatTheOldOneWrapped() {
        FileKeyring old = ring();
        Envelope.NewDataKey created = Envelope.newDataKey(old, "acme", "LIVE");
        FileKeyring fresh = FileKeyring.loadOrCreate(dir.resolve("new.key"));
        Path rotated = dir.resolve("rotated.key");
        FileKeyring.write(rotated, List.of(fresh.keys().getFirst(), old.keys().getFirst()));
        FileKeyring ring = FileKeyring.load(rotated);

        byte[] rewrapped = Envelope.rewrap(ring, created.kekId(), created.wrapped(), "acme", "LIVE", created.key().id()).wrapped();

        assertThat(ring.currentId()).isEqualTo(fresh.currentId()).isNotEqualTo(old.currentId());
        assertThat(ring.canUnwrap(old.currentId())).isTrue();
        try (Envelope.DataKey k = Envelope.unwrap(fresh, fresh.currentId(), rewrapped, "acme", "LIVE", created.key().id())) {
            assertThat(k.copy()).isEqualTo(created.key().copy());
        }
    }

    @Test
    void aKeyFileReadableByOthersOrMalformedIsRefused() throws Exception {
        Path file = dir.resolve("sealing.key");
        FileKeyring.generate(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThatThrownBy(() -> FileKeyring.generate(file)).hasMessageContaining("exists already");

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> FileKeyring.load(file)).hasMessageContaining("chmod 600");

        Path bad = dir.resolve("bad.key");
        Files.createFile(bad, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(bad, "# comment\nc2hvcnQ=\n");
        assertThatThrownBy(() -> FileKeyring.load(bad)).hasMessageContaining("line 2").hasMessageContaining("256-bit");
    }
}
