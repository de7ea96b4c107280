package dev.credledger.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The front door through the real launcher ({@code ./credledger}, as a user types it, from a directory of their own):
 * {@code serve --demo} with its keys, sample account, banner and {@code /docs}; {@code status} and {@code stop} finding
 * it by {@code data-demo/credledger.json}; {@code replay} without an address; a clean restart whose log has no ERROR
 * and no stack trace.
 */
class FrontDoorIT {

    private static final Path LAUNCHER = Path.of("..", "credledger").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void theDemoStartsWithEveryKeyAndASampleAccountAndTheCliFindsItStopsItAndRestartsItCleanly() throws Exception {
        Path home = Files.createTempDirectory("credledger-front-door-");
        int http = LedgerProcess.freePort();
        List<String> ports = List.of("--http-port", Integer.toString(http), "--kafka-port",
                Integer.toString(LedgerProcess.freePort()), "--registry-port", Integer.toString(LedgerProcess.freePort()));
        String base = "http://127.0.0.1:" + http;

        Process demo = launch(home, home.resolve("first.log"), "serve", "--demo", ports);
        awaitReady(demo, base, home.resolve("first.log"));
        Path keysFile = home.resolve("data-demo/demo-keys.env");
        Map<String, String> keys = keys(keysFile);
        assertThat(keys).containsKeys("CREDLEDGER_ADMIN_TOKEN", "CREDLEDGER_AUDITOR_TOKEN", "CREDLEDGER_VERIFIER_TOKEN",
                "CREDLEDGER_SIGNER_TOKEN", "CREDLEDGER_SCANNER_TOKEN", "CREDLEDGER_RECEIVER_TOKENS");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keysFile))).isEqualTo("rw-------");
        assertThat(get(base + "/health/ready", null).path("demo").asBoolean()).isTrue();
        String auditor = keys.get("CREDLEDGER_AUDITOR_TOKEN");
        awaitTrue("the sample account acme", () -> get(base + "/v1/accounts/acme/environments/sandbox/api", auditor)
                .path("enabled").asBoolean());
        awaitTrue("its history: enable, two credentials, a refresh, a leak report's revocation", () ->
                get(base + "/v1/accounts/acme/audit?limit=100", auditor).path("items").size() >= 5);
        String banner = Files.readString(home.resolve("first.log"));
        assertThat(banner).contains("DEMO", keys.get("CREDLEDGER_ADMIN_TOKEN"), base + "/docs", base + "/metrics");

        HttpResponse<String> docs = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/docs")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(docs.statusCode()).isEqualTo(200);
        assertThat(docs.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("script-src 'self'").doesNotContain("unsafe-eval"));
        assertThat(docs.body()).contains("/docs/swagger-ui-bundle.js").doesNotContain("<script>");
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/docs/swagger-ui-bundle.js")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).contains("SwaggerUIBundle");

        String rendered = renderedByChromium(base + "/docs");
        if (rendered != null) {
            // Swagger UI ran under the page's Content-Security-Policy and drew the operations from /openapi.json.
            assertThat(rendered).contains("opblock-summary-path", "/v1/accounts/{account}/environments/{env}/api/enable",
                    base);
        }

        // The audit console, on the demo: served under its policy, its modules run in Chromium and show the sign-in.
        assertThat(banner).contains(base + "/console/");
        HttpResponse<String> console = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/console/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(console.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        String consolePage = renderedByChromium(base + "/console/");
        if (consolePage != null) {
            assertThat(consolePage).contains("Sign in", "API key (auditor or admin)");
        }

        Run status = run(home, "status");
        assertThat(status.exit()).as(status.out()).isZero();
        assertThat(status.out()).contains("credledger is up (demo)", base, "Ready            yes");
        Run second = run(home, "serve", "--demo", "--http-port", Integer.toString(LedgerProcess.freePort()), "--kafka-port",
                Integer.toString(LedgerProcess.freePort()), "--registry-port", Integer.toString(LedgerProcess.freePort()));
        assertThat(second.exit()).as(second.out()).isEqualTo(2);
        assertThat(second.out().strip()).as("one line, no stack trace").doesNotContain("\n")
                .contains("is in use by another ledger", "--data-dir");
        // A token committed by mistake, reported to the local ledger without an address: revoked, and said so.
        String leaked = post(base + "/v1/accounts/front-door/environments/sandbox/api/enable",
                keys.get("CREDLEDGER_ADMIN_TOKEN")).path("authToken").asText();
        Path repo = Files.createDirectories(home.resolve("repo"));
        Files.writeString(repo.resolve("settings.env"), "TOKEN=" + leaked + "\n");
        Run scan = run(home, Map.of("CREDLEDGER_SCANNER_TOKEN", keys.get("CREDLEDGER_SCANNER_TOKEN")), "scan", "--report",
                "repo");
        assertThat(scan.exit()).as(scan.out()).isEqualTo(1);
        assertThat(scan.out()).contains("settings.env:1: sha256:", " revoked", "revoked 1, notified 0").doesNotContain(leaked);
        Run replay = run(home, "replay", "--account", "acme", "--format", "table");
        assertThat(replay.exit()).as(replay.out()).isZero();
        assertThat(replay.out()).contains("acme").doesNotContain(" WARN ", " INFO ");

        Run stop = run(home, "stop");
        assertThat(stop.exit()).as(stop.out()).isZero();
        assertThat(demo.isAlive()).isFalse();
        assertThat(home.resolve("data-demo/credledger.json")).doesNotExist();
        assertThat(run(home, "status").exit()).isEqualTo(StatusCommand.DOWN);

        Process again = launch(home, home.resolve("second.log"), "serve", "--demo", ports);
        try {
            awaitReady(again, base, home.resolve("second.log"));
            String log = Files.readString(home.resolve("second.log"));
            assertThat(log).as("the same keys, printed again").contains(keys.get("CREDLEDGER_AUDITOR_TOKEN"));
            assertThat(log.lines().filter(l -> l.contains(" ERROR ") || l.startsWith("\tat ")).toList())
                    .as("a clean restart logs no ERROR and no stack trace").isEmpty();
        } finally {
            assertThat(run(home, "stop").exit()).isZero();
        }
    }

    private record Run(int exit, String out) {}

    /** The page's DOM once a headless Chromium ran its scripts; {@code null} (said) where Chromium is not installed. */
    private static String renderedByChromium(String url) throws Exception {
        Path chromium = java.util.stream.Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser").map(Path::of)
                .filter(Files::isExecutable).findFirst().orElse(null);
        if (chromium == null) {
            System.out.println("FrontDoorIT: no chromium here (apt-get install chromium): the /docs page was not rendered");
            return null;
        }
        Path out = Files.createTempFile("docs-dom-", ".html");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--virtual-time-budget=10000", "--dump-dom", url).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium exits").isTrue();
        return Files.readString(out);
    }

    private static Process launch(Path home, Path log, String command, String flag, List<String> more) throws Exception {
        List<String> line = new ArrayList<>(List.of(LAUNCHER.toString(), command, flag));
        line.addAll(more);
        return new ProcessBuilder(line).directory(home.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static Run run(Path home, String... args) throws Exception {
        return run(home, Map.of(), args);
    }

    private static Run run(Path home, Map<String, String> env, String... args) throws Exception {
        List<String> line = new ArrayList<>(List.of(LAUNCHER.toString()));
        line.addAll(List.of(args));
        Path out = Files.createTempFile(home, "run-", ".out");
        ProcessBuilder builder = new ProcessBuilder(line).directory(home.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().putAll(env);
        Process p = builder.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", args) + " exits").isTrue();
        return new Run(p.exitValue(), Files.readString(out));
    }

    private static void awaitReady(Process p, String base, Path log) throws Exception {
        awaitTrue("ready (see " + log + ")", () -> {
            if (!p.isAlive()) {
                throw new AssertionError("exited with " + p.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200 && Files.readString(log).contains("credledger is ready");
            } catch (java.io.IOException e) {
                return false;
            }
        });
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitTrue(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
    }

    private static JsonNode post(String url, String key) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).body();
        return JSON.readTree(body);
    }

    private static JsonNode get(String url, String key) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url));
        if (key != null) {
            r.header("Authorization", "Bearer " + key);
        }
        String body = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString()).body();
        return body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    }

    private static Map<String, String> keys(Path file) throws Exception {
        Map<String, String> keys = new java.util.LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                keys.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return keys;
    }
}
