package dev.credledger.processors.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finds plaintext secrets of the ledger's format in raw bytes: records, files, whole directories. */
final class SecretScanner {

    private static final Pattern CANDIDATE = Pattern.compile("cl(at|ps|cs)_(sbx|live)_[0-9A-Za-z]{38}");

    private final Set<String> secrets;

    SecretScanner(Collection<String> secrets) {
        this.secrets = Set.copyOf(secrets);
    }

    /** The known secrets that occur in these bytes. */
    List<String> findIn(byte[] bytes) {
        List<String> found = new ArrayList<>();
        if (bytes == null) {
            return found;
        }
        Matcher m = CANDIDATE.matcher(new String(bytes, StandardCharsets.ISO_8859_1));
        while (m.find()) {
            if (secrets.contains(m.group())) {
                found.add(m.group());
            }
        }
        return found;
    }

    /** The known secrets that occur in any file under {@code dir}, as "file: secret-prefix". */
    List<String> findUnder(Path dir) {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(file);
                } catch (IOException e) {
                    continue; // a file deleted while walking (a compacted segment, a RocksDB log)
                }
                findIn(bytes).forEach(s -> found.add(file + ": " + s.substring(0, 14) + "…"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }
}
