package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credledger.api.Http;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A shutdown (what the SIGTERM hook runs) under a load of creates: no command that was sent is answered
 * 500, no request in flight loses its connection, and every credential that exists afterwards was either
 * answered 201 (its secret delivered) or answered 503 with its commandId.
 */
class ShutdownUnderLoadTest {

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger();

    private static final String ACCOUNT = "shutdown-load";
    private static final String BASE = "/v1/accounts/" + ACCOUNT + "/environments/sandbox";

    record Outcome(int status, JsonNode body, String retryAfter, String failure) {}

    @Test
    void inFlightCommandsAreAnsweredAndNewOnesGet503() throws Exception {
        Http http = LEDGER.http();
        http.post(BASE + "/api/enable", ADMIN, null);
        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        AtomicInteger sent = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            int client = c;
            clients.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 500; i++) {
                    sent.incrementAndGet();
                    Outcome o;
                    try {
                        Http.Response r = http.post(BASE + "/credentials", ADMIN, "{\"name\":\"load-" + client + "-" + i + "\"}");
                        o = new Outcome(r.status(), r.raw().isEmpty() ? null : r.json(), r.header("Retry-After"), null);
                    } catch (AssertionError e) {
                        o = new Outcome(-1, null, null, e.getMessage());
                    }
                    outcomes.add(o);
                    if (o.status() != 201) {
                        return;
                    }
                }
            }));
        }
        while (sent.get() < 60) {
            LockSupport.parkNanos(1_000_000);
        }
        LEDGER.app().close();
        for (Thread t : clients) {
            t.join(60_000);
        }

        List<Outcome> all = List.copyOf(outcomes);
        assertThat(all).noneMatch(o -> o.status() >= 500 && o.status() != 503);
        assertThat(all).filteredOn(o -> o.status() == 503).allSatisfy(o -> {
            assertThat(o.retryAfter()).isNotNull();
            assertThat(o.body().path("type").asText()).isNotBlank();
        });
        // A request that could not connect (the server had already stopped) was never sent.
        assertThat(all).filteredOn(o -> o.status() == -1)
                .allSatisfy(o -> assertThat(o.failure()).containsAnyOf("ConnectException", "Connection refused"));
        Set<String> answered = new HashSet<>();
        all.stream().filter(o -> o.status() == 201).forEach(o -> answered.add(o.body().path("credentialId").asText()));
        long maybeApplied = all.stream().filter(o -> o.status() == 503 && o.body().has("commandId")).count();
        assertThat(answered).hasSizeGreaterThanOrEqualTo(50);

        LEDGER.start();
        Set<String> existing = new HashSet<>();
        long deadline = System.nanoTime() + 30_000_000_000L;
        // After the restart the views may still be applying the last events: poll until they show every answer.
        while (!existing.containsAll(answered) && System.nanoTime() < deadline) {
            existing.clear();
            for (JsonNode item : LEDGER.http().get(BASE + "/credentials", AUDITOR).json().path("items")) {
                existing.add(item.path("credentialId").asText());
            }
            LockSupport.parkNanos(50_000_000);
        }
        assertThat(existing).containsAll(answered);
        assertThat(existing.size() - answered.size()).isLessThanOrEqualTo((int) maybeApplied);

        // The audit trail tells the same story: each answered creation once, an unanswered one only under the commandId
        // its 503 named, and the chain intact across the shutdown.
        Set<String> named = new HashSet<>();
        all.stream().filter(o -> o.status() == 503 && o.body().has("commandId"))
                .forEach(o -> named.add(o.body().path("commandId").asText()));
        List<String> created = new ArrayList<>();
        Set<String> createdByUnanswered = new HashSet<>();
        String cursor = null;
        do {
            JsonNode page = LEDGER.http().get("/v1/accounts/" + ACCOUNT + "/audit?limit=1000"
                    + (cursor == null ? "" : "&cursor=" + cursor), AUDITOR).json();
            for (JsonNode r : page.path("items")) {
                if (r.path("type").asText().equals("ClientCredentialCreated")) {
                    created.add(r.path("credentialId").asText());
                    if (!answered.contains(r.path("credentialId").asText())) {
                        createdByUnanswered.add(r.path("commandId").asText());
                    }
                }
            }
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText(null);
        } while (cursor != null);
        assertThat(created).as("each creation once").doesNotHaveDuplicates().containsAll(answered);
        assertThat(named).as("a creation nobody was answered for was named by a 503").containsAll(createdByUnanswered);
        assertThat(LEDGER.http().get("/v1/accounts/" + ACCOUNT + "/audit/verify", AUDITOR).json().path("intact").asBoolean())
                .isTrue();
    }
}
