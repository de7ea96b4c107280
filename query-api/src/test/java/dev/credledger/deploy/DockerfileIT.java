package dev.credledger.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs after {@code package} (failsafe): what {@code docker/Dockerfile} copies exists, its base image is
 * pinned, it runs as a non-root user and has a health check that targets a class in the jar.
 */
class DockerfileIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void dockerfileIsPinnedNonRootHealthCheckedAndCopiesWhatTheBuildProduced() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("docker/Dockerfile"));

        Matcher from = Pattern.compile("(?m)^FROM (\\S+)").matcher(dockerfile);
        assertThat(from.find()).isTrue();
        assertThat(from.group(1)).matches("eclipse-temurin:2[15][0-9._]*_\\d+-jre-\\w+");
        Matcher copy = Pattern.compile("(?m)^COPY (\\S+) (\\S+)").matcher(dockerfile);
        int copies = 0;
        while (copy.find()) {
            copies++;
            assertThat(ROOT.resolve(copy.group(1))).as("COPY source " + copy.group(1)).isRegularFile();
        }
        assertThat(copies).isPositive();
        Matcher user = Pattern.compile("(?m)^USER (\\S+)").matcher(dockerfile);
        assertThat(user.find()).isTrue();
        assertThat(user.group(1)).doesNotStartWith("0").doesNotStartWith("root");
        assertThat(dockerfile).contains("HEALTHCHECK", "/health/ready", "-Xmx512m");
        assertThat(jarEntries()).contains("dev/credledger/app/HealthProbe.class", "dev/credledger/app/Main.class");
    }

    private static List<String> jarEntries() throws IOException {
        try (var jar = new java.util.jar.JarFile(ROOT.resolve("query-api/target/credledger.jar").toFile())) {
            return jar.stream().map(java.util.jar.JarEntry::getName).toList();
        }
    }
}
