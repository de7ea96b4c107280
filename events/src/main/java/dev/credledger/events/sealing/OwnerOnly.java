package dev.credledger.events.sealing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** The rule for key files (the sealing keys, the audit signing key): readable by their owner only. */
public final class OwnerOnly {

    private OwnerOnly() {}

    /** Throws {@link IllegalArgumentException} if group or others may touch {@code file} (where POSIX modes exist). */
    public static void check(Path file, String what) {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return; // no POSIX permissions on this file system: nothing to check
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the " + what + " " + file, e);
        }
        for (PosixFilePermission p : permissions) {
            if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
                throw new IllegalArgumentException("the " + what + " " + file + " is readable by others (mode "
                        + PosixFilePermissions.toString(permissions) + "); make it 0600: chmod 600 " + file);
            }
        }
    }
}
