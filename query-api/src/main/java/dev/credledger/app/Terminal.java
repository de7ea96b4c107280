package dev.credledger.app;

import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a standard stream is a terminal: progress is for people watching, not for a pipe or a log file. */
public final class Terminal {

    private Terminal() {}

    /**
     * Whether standard error is a terminal (Linux: {@code /proc/self/fd/2} names a tty). Anywhere else, or if that
     * cannot be told, {@code false}: a long operation then stays quiet rather than fill a log with progress lines.
     */
    public static boolean stderr() {
        if (System.getenv("CREDLEDGER_PROGRESS") != null) {
            return !System.getenv("CREDLEDGER_PROGRESS").equals("0");
        }
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }
}
