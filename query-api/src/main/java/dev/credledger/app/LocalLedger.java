package dev.credledger.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * {@code <data-dir>/credledger.json}: where a running {@code serve} can be reached, so that the other subcommands
 * ({@code status}, {@code stop}, {@code replay}, {@code audit verify}, …) find a local ledger without flags. Written
 * owner-only when the ledger has started, removed when it stops cleanly. A file left by a ledger that died is
 * recognised by its process ID no longer running.
 *
 * @param pid the {@code serve} process
 * @param httpUrl its HTTP API
 * @param bootstrapServers the Kafka cluster it uses (its embedded broker, or an external one)
 * @param schemaRegistryUrl the schema registry it uses
 * @param startedAt when it started (ISO-8601)
 * @param version the ledger's version
 * @param demo whether it runs {@code serve --demo}
 */
public record LocalLedger(long pid, String httpUrl, String bootstrapServers, String schemaRegistryUrl, String startedAt,
                          String version, boolean demo) {

    /** The file's name, in the data directory. */
    public static final String FILE_NAME = "credledger.json";
    /** Where a subcommand looks when no {@code --data-dir} is given, in this order. */
    public static final List<Path> DEFAULT_DIRECTORIES = List.of(Path.of("data"), Path.of("data-demo"));

    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    /** Writes the file in {@code dataDir}, owner-only, replacing any earlier one at once (never half-written). */
    public void writeTo(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            Path temporary = Files.createTempFile(dataDir, FILE_NAME, ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(temporary, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Removes the file of this process from {@code dataDir} (not another's). */
    public static void removeFrom(Path dataDir, long pid) {
        read(dataDir).filter(l -> l.pid() == pid).ifPresent(l -> {
            try {
                Files.deleteIfExists(dataDir.resolve(FILE_NAME));
            } catch (IOException e) {
                // left behind: the next reader sees that its process is gone
            }
        });
    }

    /** The file in {@code dataDir}, if there is one that can be read. */
    public static Optional<LocalLedger> read(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), LocalLedger.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The local ledger: in {@code dataDir} if given; else the first of {@link #DEFAULT_DIRECTORIES} whose file names a
     * process that runs (or, if none runs, the first file found, so that a caller can say it is down).
     */
    public static Optional<Found> find(Path dataDir) {
        if (dataDir != null) {
            return read(dataDir).map(l -> new Found(dataDir, l));
        }
        Found first = null;
        for (Path candidate : DEFAULT_DIRECTORIES) {
            Optional<LocalLedger> ledger = read(candidate);
            if (ledger.isPresent()) {
                Found found = new Found(candidate, ledger.get());
                if (ledger.get().running()) {
                    return Optional.of(found);
                }
                first = first == null ? found : first;
            }
        }
        return Optional.ofNullable(first);
    }

    /**
     * Whether the process that wrote the file still runs: a live process of that ID that started before the ledger did
     * (after a crash, the ID may belong to another program by now, started later).
     */
    public boolean running() {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> {
            java.time.Instant ledgerStarted;
            try {
                ledgerStarted = java.time.Instant.parse(startedAt);
            } catch (RuntimeException e) {
                return false;
            }
            return p.info().startInstant().map(s -> !s.isAfter(ledgerStarted)).orElse(true);
        }).isPresent();
    }

    /** A ledger's file and the data directory it was found in. */
    public record Found(Path dataDir, LocalLedger ledger) {}
}
