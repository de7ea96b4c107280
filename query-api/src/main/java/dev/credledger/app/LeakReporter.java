package dev.credledger.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sends what {@code credledger scan} found to a ledger's {@code POST /v1/leaks}, as a secret scanner of GitHub's
 * partner program would: a JSON array of {@code {"token","type","url","source"}} — {@code type}
 * {@code credledger_<kind>}, {@code url} the file and line as a {@code file:} URL, {@code source}
 * {@code credledger-scan}. The secrets travel only in this request's body; nothing here prints one.
 */
final class LeakReporter {

    static final class Failed extends Exception {
        Failed(String message) {
            super(message);
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A request stays under the ledger's limits (1,000 items, 64 KiB): findings go in batches of at most this. */
    static final int BATCH_ITEMS = 100;
    static final int BATCH_BYTES = 48 * 1024;

    private LeakReporter() {}

    /** What the ledger did with one reported secret: {@code revoked}, {@code notified}, {@code not_active} or {@code unknown}. */
    record Outcome(ScanCommand.Finding finding, String outcome) {}

    /** The report's answer: what became of each secret, and a one-line summary. */
    record Result(List<Outcome> outcomes, String summary) {}

    static final List<String> OUTCOMES = List.of("revoked", "notified", "not_active", "unknown");

    /** Reports the findings, each secret once; says what the ledger did with each. */
    static Result report(String url, String bearer, List<ScanCommand.Finding> findings) throws Failed {
        URI target = target(url);
        if (bearer == null || bearer.isBlank()) {
            throw new Failed("give the scanner key (--scanner-token, or CREDLEDGER_SCANNER_TOKEN)");
        }
        List<Map<String, String>> items = new ArrayList<>();
        List<ScanCommand.Finding> reported = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (ScanCommand.Finding f : findings) {
            if (!seen.add(f.token())) {
                continue; // the same secret in several places: reported once, where it was first found
            }
            reported.add(f);
            Map<String, String> item = new LinkedHashMap<>();
            item.put("token", f.token());
            item.put("type", "credledger_" + f.kind().name().toLowerCase(Locale.ROOT));
            item.put("url", f.file().toAbsolutePath().normalize().toUri() + "#L" + f.line());
            item.put("source", "credledger-scan");
            items.add(item);
        }
        Map<String, Integer> labels = new TreeMap<>();
        List<String> answers = new ArrayList<>();
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            List<Map<String, String>> batch = new ArrayList<>();
            int bytes = 2;
            for (Map<String, String> item : items) {
                int size = json(item).length() + 1;
                if (!batch.isEmpty() && (batch.size() == BATCH_ITEMS || bytes + size > BATCH_BYTES)) {
                    send(client, target, bearer, batch, labels, answers);
                    batch.clear();
                    bytes = 2;
                }
                batch.add(item);
                bytes += size;
            }
            send(client, target, bearer, batch, labels, answers);
        }
        List<Outcome> outcomes = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        OUTCOMES.forEach(o -> counts.put(o, 0));
        for (int i = 0; i < reported.size(); i++) {
            String outcome = i < answers.size() && OUTCOMES.contains(answers.get(i)) ? answers.get(i) : "unknown";
            outcomes.add(new Outcome(reported.get(i), outcome));
            counts.merge(outcome, 1, Integer::sum);
        }
        String where = target.toString().replaceFirst("\\?outcomes=true$", "");
        StringBuilder summary = new StringBuilder("reported " + items.size() + " to " + where + ": " + labels + ";");
        counts.forEach((o, n) -> summary.append(' ').append(o).append(' ').append(n).append(','));
        summary.setLength(summary.length() - 1);
        return new Result(outcomes, summary.toString());
    }

    private static String json(Object value) throws Failed {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new Failed("cannot write the report");
        }
    }

    private static void send(HttpClient client, URI target, String bearer, List<Map<String, String>> batch,
            Map<String, Integer> labels, List<String> outcomes) throws Failed {
        HttpResponse<String> response;
        try {
            HttpRequest request = HttpRequest.newBuilder(target)
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + bearer.strip())
                    .POST(HttpRequest.BodyPublishers.ofString(json(batch)))
                    .build();
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Failed("cannot reach " + target + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failed("interrupted");
        }
        if (response.statusCode() != 200) {
            String detail;
            try {
                detail = MAPPER.readTree(response.body()).path("detail").asText("");
            } catch (IOException e) {
                detail = "";
            }
            throw new Failed(target + " answered " + response.statusCode() + (detail.isEmpty() ? "" : ": " + detail));
        }
        try {
            for (JsonNode item : MAPPER.readTree(response.body())) {
                labels.merge(item.path("label").asText("?"), 1, Integer::sum);
                outcomes.add(item.path("outcome").asText("unknown"));
            }
        } catch (IOException e) {
            throw new Failed(target + " answered 200 with a body that is not the expected JSON array");
        }
    }

    private static boolean loopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return h.equals("localhost") || h.equals("::1") || h.matches("127(\\.\\d{1,3}){3}");
    }

    /** The ledger's base URL, or the full URL of its leak endpoint. */
    private static URI target(String url) throws Failed {
        try {
            URI uri = URI.create(url.strip());
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new Failed("--report takes an http(s) URL, not " + url);
            }
            // The report carries secrets and the scanner key: in clear only to this machine.
            if (uri.getScheme().equals("http") && !loopback(uri.getHost())) {
                throw new Failed("--report sends secrets and a key: use https (http only to localhost), not " + url);
            }
            String base = uri.toString();
            // ?outcomes=true: the answer also says, per secret, whether it was revoked or only notified.
            String leaks = base.endsWith("/v1/leaks") ? base : base.replaceAll("/+$", "") + "/v1/leaks";
            return URI.create(leaks + "?outcomes=true");
        } catch (IllegalArgumentException e) {
            throw new Failed("--report: not a URL: " + url);
        }
    }
}
