package dev.credledger.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code serve --demo}: the embedded default with every feature on and a key for every role, kept in
 * {@code <data-dir>/demo-keys.env} (owner-only, one {@code CREDLEDGER_…=} line per key, so a shell can {@code source}
 * it), and a sample account {@code acme} with a short history, made through the real command path at the first start.
 * Never for production: it listens on loopback only, takes unsigned leak reports, and delivers webhooks to loopback.
 */
final class Demo {

    static final String KEYS_FILE = "demo-keys.env";
    static final String DATA_DIR = "./data-demo";
    static final String RECEIVER = "demo-receiver";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The role keys by environment variable name, in the order the banner lists them. */
    record Keys(Map<String, String> byVariable, boolean created) {
        String admin() {
            return byVariable.get("CREDLEDGER_ADMIN_TOKEN");
        }

        String get(String variable) {
            return byVariable.get(variable);
        }
    }

    private Demo() {}

    /** The demo's keys: read from {@code dataDir}, or generated and written there at the first start. */
    static Keys keys(Path dataDir) {
        Path file = dataDir.resolve(KEYS_FILE);
        Map<String, String> keys = new LinkedHashMap<>();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                    int eq = line.indexOf('=');
                    if (!line.startsWith("#") && eq > 0) {
                        keys.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
                    }
                }
                return new Keys(keys, false);
            }
            Files.createDirectories(dataDir);
            keys.put("CREDLEDGER_ADMIN_TOKEN", key("cladm_"));
            keys.put("CREDLEDGER_AUDITOR_TOKEN", key("claud_"));
            keys.put("CREDLEDGER_VERIFIER_TOKEN", key("clver_"));
            keys.put("CREDLEDGER_SIGNER_TOKEN", key("clsig_"));
            keys.put("CREDLEDGER_SCANNER_TOKEN", key("clscn_"));
            keys.put("CREDLEDGER_RECEIVER_TOKENS", RECEIVER + "=" + key("clrcv_"));
            StringBuilder text = new StringBuilder("# credledger serve --demo: the demo's role keys (demo only; never reuse them)\n");
            keys.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text, StandardCharsets.US_ASCII);
            return new Keys(keys, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the demo keys " + file, e);
        }
    }

    /** The demo's settings on top of what the options gave: every role keyed, unsigned reports, loopback webhooks. */
    static Settings apply(Settings s, Keys keys) {
        String receiver = keys.get("CREDLEDGER_RECEIVER_TOKENS");
        String receiverKey = receiver.substring(receiver.indexOf('=') + 1);
        return s.withTokens(keys.admin(), keys.get("CREDLEDGER_AUDITOR_TOKEN"), keys.get("CREDLEDGER_VERIFIER_TOKEN"))
                .withSigning(keys.get("CREDLEDGER_SIGNER_TOKEN"), s.sealingKeyFile()).withDemo()
                .withLeaks(new Settings.Leaks(keys.get("CREDLEDGER_SCANNER_TOKEN"), s.leaks().reportKeysFile(), true))
                .withDeliveries(new dev.credledger.api.delivery.DeliveryPolicy(true, s.deliveries().attempts(),
                        s.deliveries().backoff()))
                .withSignals(new Settings.Signals(Map.of(RECEIVER, receiverKey), s.signals().issuer(), s.signals().signingKeyFile()));
    }

    /**
     * The sample account {@code acme}, through the HTTP API as any client would: API access enabled in sandbox, a
     * client credential {@code billing-sync}, the auth token refreshed as compromised, and a leak report of a second
     * client credential, {@code ci-runner}, found in a public repository. Run once, at the demo's first start.
     */
    static void seed(String httpUrl, Keys keys) throws IOException, InterruptedException {
        String env = httpUrl + "/v1/accounts/acme/environments/sandbox";
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            post(http, env + "/api/enable", keys.admin(), null);
            post(http, env + "/credentials", keys.admin(), "{\"name\":\"billing-sync\"}");
            post(http, env + "/api/refresh", keys.admin(), "{\"reason\":\"COMPROMISED\"}");
            JsonNode leaked = post(http, env + "/credentials", keys.admin(), "{\"name\":\"ci-runner\"}");
            String report = JSON.writeValueAsString(java.util.List.of(Map.of(
                    "token", leaked.path("clientSecret").asText(), "type", "credledger_client_secret",
                    "url", "https://github.com/acme/ci-config/blob/3f1c2e9/.env", "source", "content")));
            post(http, httpUrl + "/v1/leaks", keys.get("CREDLEDGER_SCANNER_TOKEN"), report);
            send(http, "PUT", httpUrl + "/v1/accounts/acme/credential-policy", keys.admin(),
                    "{\"maxAgeDays\":365,\"expiryWarningDays\":14}");
            post(http, env + "/credentials", keys.admin(),
                    "{\"name\":\"reports-reader\",\"ttlSeconds\":2592000,\"scopes\":[\"reports:read\"]}");
        }
    }

    private static JsonNode post(HttpClient http, String url, String key, String body) throws IOException, InterruptedException {
        return send(http, "POST", url, key, body);
    }

    private static JsonNode send(HttpClient http, String method, String url, String key, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key);
        request = body == null ? request.method(method, HttpRequest.BodyPublishers.noBody())
                : request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IOException("the demo's sample account: " + url.replaceFirst("^https?://[^/]+", "") + " answered "
                    + r.statusCode() + " " + r.body());
        }
        return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    private static String key(String prefix) {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }
}
