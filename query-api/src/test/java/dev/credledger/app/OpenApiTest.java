package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.SIGNER;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credledger.api.Http;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /openapi.json} kept true: every registered route is documented and every documented route exists; every
 * example in it validates against its schema; and the answers of a walk through every route validate against it
 * (status documented, body matching its schema), checked with an independent JSON Schema validator.
 */
class OpenApiTest {

    private static final String RECEIVER = "openapi-receiver-key";
    private static final String SCANNER = "openapi-scanner-key";

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger(s -> s
            .withSignals(new Settings.Signals(Map.of("openapi-idp", RECEIVER), null, null))
            .withLeaks(new Settings.Leaks(SCANNER, null, true))
            // Checkpoints soon, for the proof route; webhooks to a loopback port nothing listens on, not the internet.
            .withAuditLog(new Settings.AuditLog(null, "credledger.local/audit", java.time.Duration.ofMillis(500)))
            .withDeliveries(new dev.credledger.api.delivery.DeliveryPolicy(true, 1, java.time.Duration.ofMillis(100))));

    @Test
    void everyRegisteredRouteIsDocumentedAndEveryDocumentedRouteExists() {
        OpenApiContract contract = OpenApiContract.fetch(LEDGER.http());
        Set<String> registered = new TreeSet<>();
        for (String route : LEDGER.app().routes()) {
            if (!route.matches("(GET|HEAD|POST|PUT|PATCH|DELETE) .*")) {
                continue; // before and after handlers
            }
            registered.add(route.startsWith("HEAD ") ? "GET " + route.substring(5) : route); // every GET answers HEAD
        }
        assertThat(new TreeSet<>(contract.routes())).isEqualTo(registered);
        assertThat(contract.document.path("openapi").asText()).isEqualTo("3.1.0");
    }

    @Test
    void everyExampleInTheDocumentValidatesAgainstItsSchema() {
        OpenApiContract contract = OpenApiContract.fetch(LEDGER.http());
        List<String> problems = new ArrayList<>();
        int[] examples = {0};
        walk(contract.document, "", (pointer, node) -> {
            if (node.has("example") && node.has("schema")) {
                examples[0]++;
                problems.addAll(contract.validate(pointer + "/schema", node.get("example")));
            }
        });
        assertThat(examples[0]).as("examples found").isGreaterThan(40);
        assertThat(problems).isEmpty();
    }

    @Test
    void theAnswersOfAWalkThroughEveryRouteValidateAgainstTheDocument() {
        OpenApiContract contract = OpenApiContract.fetch(LEDGER.http());
        List<String> problems = new ArrayList<>();
        Set<String> covered = new TreeSet<>();
        Checked http = (method, path, key, body, headers) -> {
            Http.Response r = LEDGER.http().send(method, path, key, body, headers);
            problems.addAll(contract.check(method, path, r.status(), r.header("Content-Type"), r.raw()));
            OpenApiContract.Operation o = contract.match(method, path.contains("?") ? path.substring(0, path.indexOf('?')) : path);
            if (o != null && r.status() / 100 == 2) {
                covered.add(o.method() + " " + o.path()); // reached: its success answer was checked
            }
            return r;
        };
        String env = "/v1/accounts/oa/environments/sandbox";
        JsonNode enabled = http.send("POST", env + "/api/enable", ADMIN, null).json();
        http.send("GET", env + "/api", AUDITOR, null);
        http.send("POST", env + "/allowed-ips", ADMIN, "{\"cidr\":\"10.9.0.0/16\"}");
        http.send("DELETE", env + "/allowed-ips?cidr=10.9.0.0/16", ADMIN, null);
        String credential = http.send("POST", env + "/credentials", ADMIN, "{\"name\":\"ci-service\",\"ttlSeconds\":86400,"
                + "\"scopes\":[\"payments:read\"]}").json().path("credentialId").asText();
        http.send("PUT", env + "/credentials/" + credential + "/scopes", ADMIN, "{\"scopes\":[\"payments:read\",\"refunds:write\"]}");
        http.send("GET", env + "/credentials?includeDeleted=true", AUDITOR, null);
        http.send("POST", env + "/credentials/" + credential + "/deactivate", ADMIN, null);
        http.send("POST", env + "/credentials/" + credential + "/activate", ADMIN, null);
        http.send("GET", "/v1/accounts/oa/credentials/" + credential + "/history", AUDITOR, null);
        http.send("GET", "/v1/accounts/oa/credentials/" + credential + "/usage?granularity=day", AUDITOR, null);
        http.send("DELETE", env + "/credentials/" + credential, ADMIN, null);
        http.send("PUT", "/v1/accounts/oa/plan", ADMIN, "{\"plan\":\"PROFESSIONAL\"}");
        http.send("PUT", "/v1/accounts/oa/leak-policy", ADMIN, "{\"mode\":\"notify\"}");
        http.send("PUT", "/v1/accounts/oa/credential-policy", ADMIN, "{\"maxAgeDays\":90,\"expiryWarningDays\":14}");
        http.send("POST", "/v1/verify", VERIFIER, null, "X-Auth-Token", enabled.path("authToken").asText());
        http.send("POST", env + "/mac", SIGNER, "{\"payload\":\"hello\"}");
        http.send("POST", env + "/mac/verify", SIGNER, "{\"payload\":\"hello\",\"mac\":\"00\"}");
        http.send("POST", "/v1/macs", SIGNER, "{\"items\":[{\"accountId\":\"oa\",\"environment\":\"sandbox\",\"payload\":\"x\"}]}");
        http.send("POST", "/v1/leaks", SCANNER, "[{\"token\":\"" + enabled.path("authToken").asText() + "\",\"type\":\"credledger\",\"url\":\"https://example.com/x\",\"source\":\"content\"}]");
        JsonNode refreshed = http.send("POST", env + "/api/refresh", ADMIN, "{\"reason\":\"COMPROMISED\"}").json();
        String revocationId = refreshed.path("revoked").get(0).path("revocationId").asText();
        JsonNode webhook = http.send("POST", env + "/webhooks", ADMIN, "{\"url\":\"http://127.0.0.1:9/hook\",\"events\":[\"credential.revoked\"]}").json();
        String webhookId = webhook.path("webhookId").asText();
        http.send("GET", env + "/webhooks", AUDITOR, null);
        http.send("POST", env + "/webhooks/" + webhookId + "/rotate-secret", ADMIN, null);
        http.send("GET", env + "/webhooks/" + webhookId + "/deliveries", AUDITOR, null);
        http.send("DELETE", env + "/webhooks/" + webhookId, ADMIN, null);
        http.send("GET", "/v1/accounts/oa/audit?limit=5", AUDITOR, null);
        http.send("GET", "/v1/accounts/oa/audit/export?format=ndjson", AUDITOR, null);
        http.send("GET", "/v1/accounts/oa/audit/verify", AUDITOR, null);
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        while (LEDGER.http().get("/v1/accounts/oa/audit/1/proof", AUDITOR).status() != 200 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofMillis(100).toNanos()); // a checkpoint
        }
        http.send("GET", "/v1/accounts/oa/audit/1/proof", AUDITOR, null);
        http.send("GET", "/v1/audit/verifier-key", null, null);
        JsonNode checkpoints = http.send("GET", "/v1/audit/checkpoints", AUDITOR, null).json();
        String origin = checkpoints.findValues("origin").getFirst().asText();
        http.send("GET", "/v1/audit/consistency?origin=" + java.net.URLEncoder.encode(origin, java.nio.charset.StandardCharsets.UTF_8)
                + "&from=1&to=1", AUDITOR, null);
        http.send("GET", "/v1/accounts/oa/state", AUDITOR, null);
        http.send("GET", "/v1/audit?actor=admin", AUDITOR, null);
        http.send("GET", "/v1/secrets/" + dev.credledger.events.model.Fingerprint.hexOf(enabled.path("privateSalt").asText()),
                AUDITOR, null);
        http.send("POST", "/v1/secrets/lookup", AUDITOR, "{\"secret\":\"" + enabled.path("privateSalt").asText() + "\"}");
        JsonNode revocation = http.send("GET", "/v1/revocations/" + revocationId, AUDITOR, null).json();
        http.send("GET", "/v1/revocations?causedBy=" + revocation.findValues("causedBy").getFirst().asText(), AUDITOR, null);
        http.send("GET", "/v1/enforcement-points", AUDITOR, null);
        http.send("GET", "/v1/reports/credentials?format=json", AUDITOR, null);
        http.send("GET", "/.well-known/ssf-configuration", null, null);
        http.send("GET", "/ssf/jwks.json", null, null);
        String stream = http.send("POST", "/ssf/streams", RECEIVER, "{\"description\":\"openapi\"}").json().path("stream_id").asText();
        http.send("GET", "/ssf/streams", RECEIVER, null);
        http.send("GET", "/ssf/streams?stream_id=" + stream, RECEIVER, null);
        http.send("PATCH", "/ssf/streams", RECEIVER, "{\"stream_id\":\"" + stream + "\",\"description\":\"patched\"}");
        http.send("PUT", "/ssf/streams", RECEIVER, "{\"stream_id\":\"" + stream + "\"}");
        http.send("GET", "/ssf/status?stream_id=" + stream, RECEIVER, null);
        http.send("POST", "/ssf/status", RECEIVER, "{\"stream_id\":\"" + stream + "\",\"status\":\"enabled\"}");
        http.send("POST", "/ssf/verify", RECEIVER, "{\"stream_id\":\"" + stream + "\",\"state\":\"s\"}");
        http.send("POST", "/ssf/streams/" + stream + "/poll", RECEIVER, "{\"returnImmediately\":true}");
        http.send("DELETE", "/ssf/streams?stream_id=" + stream, RECEIVER, null);
        http.send("POST", env + "/api/disable", ADMIN, null);
        http.send("GET", "/health/live", null, null);
        http.send("GET", "/health/ready", null, null);
        http.send("GET", "/metrics", null, null);
        http.send("GET", "/openapi.json", null, null);
        http.send("GET", "/docs", null, null);
        http.send("GET", "/docs/docs-init.js", null, null);
        http.send("GET", "/v1/whoami", VERIFIER, null);
        http.send("GET", "/console", null, null);
        http.send("GET", "/console/console.js", null, null);
        // And a few refusals: their problems are documented too.
        http.send("GET", "/v1/accounts/oa/environments/prod/api", AUDITOR, null);
        http.send("POST", env + "/api/enable", null, null);
        http.send("POST", env + "/credentials", AUDITOR, "{\"name\":\"x\"}");

        assertThat(problems).isEmpty();
        Set<String> missed = new TreeSet<>(contract.routes());
        missed.removeAll(covered);
        missed.removeAll(Set.of("GET /v1/revocations/stream", "GET /internal/v1/audit-slice",
                "GET /internal/v1/credential-report-slice"));
        assertThat(missed).as("routes the walk did not reach (the stream never ends; slices are asked by instances)").isEmpty();
    }

    @FunctionalInterface
    private interface Checked {
        Http.Response send(String method, String path, String key, String body, String... headers);
    }

    private static void walk(JsonNode node, String pointer, java.util.function.BiConsumer<String, JsonNode> visit) {
        if (node.isObject()) {
            visit.accept(pointer, node);
            node.fields().forEachRemaining(e -> walk(e.getValue(), pointer + "/" + OpenApiContract.escape(e.getKey()), visit));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), pointer + "/" + i, visit);
            }
        }
    }
}
