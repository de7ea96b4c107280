package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.api.Http;
import dev.credledger.embedded.BrokerFootprint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What one command costs the broker, counted, not timed: one client sends one command over HTTP, and once nothing
 * moves any more, the end offsets of every partition of every topic — the ledger's, the changelogs, the schema
 * registry's and the broker's own {@code __consumer_offsets} and {@code __transaction_state} — are compared with
 * before. Data records and transaction markers both count (a marker takes an offset). Each command type has a budget
 * (docs/benchmarks.md, "Record budget"); this test fails when a change makes a command write more, so that the next feature
 * cannot quietly add a hop. A first account goes through the same commands unmeasured, so that one-time costs
 * (producer IDs, schema registrations, first fetches) are not charged to a command.
 */
class RecordBudgetTest {

    /** The budgets, by command: records and markers on every topic. See docs/benchmarks.md, "Record budget". */
    static final Map<String, Integer> BUDGETS = budgets();

    /** Long enough for the commit after the answer, short of the checkpoint interval's wall-clock punctuation. */
    private static final Duration QUIET = Duration.ofMillis(1500);

    /**
     * Checkpoints an hour apart: a signed checkpoint is a transaction of its own, at most one per interval however many
     * commands came (docs/benchmarks.md, "Record budget"), and one falling inside a command's count would charge it to that command.
     */
    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger(s -> s.withAuditLog(
            new Settings.AuditLog(null, "credledger.local/audit", Duration.ofHours(1))));

    /**
     * Each budget is what the command writes today with every record keyed by a secret's fingerprint (lookups,
     * revocations) on a partition of its own, the worst case: those partitions follow from random secrets, and each
     * partition a transaction writes gets a marker. A revocation costs one record more on credential-revocations-early
     * (not transactional, so no marker): the head start for enforcement points (docs/integration.md, "Early revocations").
     */
    private static Map<String, Integer> budgets() {
        Map<String, Integer> b = new LinkedHashMap<>();
        b.put("plan", 28);
        b.put("enable", 38);
        b.put("refresh", 37);
        b.put("create credential", 36);
        b.put("deactivate", 35);
        b.put("reactivate", 33);
        b.put("allow ip", 32);
        b.put("remove ip", 35);
        b.put("delete credential", 37);
        b.put("disable", 47);
        b.put("refused", 28);
        // Issue 27: a policy is one account-wide event, like a plan (two more here only for where its audit record falls
        // in the partition's Merkle log: the tree's frontier is 4 to 7 records); an expiry adds its two deadlines
        // (expiry and rotation notice) to the deadline store's changelog; a scope change updates the credential and its
        // lookup, like a reactivation.
        b.put("credential policy", 30);
        b.put("create with expiry", 38);
        b.put("change scopes", 34);
        return b;
    }

    @Test
    void everyCommandTypeWritesNoMoreRecordsThanItsBudget() {
        Http http = LEDGER.http();
        Map<String, Map<String, Long>> counted = new LinkedHashMap<>();
        try (BrokerFootprint footprint = new BrokerFootprint(LEDGER.app().bootstrapServers(), true)) {
            lifecycle(http, "budget-warm-up", footprint, null);
            lifecycle(http, "budget-a", footprint, counted);
        }

        StringBuilder table = new StringBuilder("records and markers per command (one client, one command at a time):\n");
        counted.forEach((command, byTopic) -> table.append(String.format("  %-18s %3d  %s%n", command,
                byTopic.values().stream().mapToLong(Long::longValue).sum(), byTopic)));
        System.out.print(table);
        assertThat(counted.keySet()).containsExactlyElementsOf(BUDGETS.keySet());
        List<String> over = new ArrayList<>();
        counted.forEach((command, byTopic) -> {
            long total = byTopic.values().stream().mapToLong(Long::longValue).sum();
            if (total > BUDGETS.get(command)) {
                over.add(command + ": " + total + " > " + BUDGETS.get(command) + " " + byTopic);
            }
        });
        assertThat(over).as("commands over their record budget\n%s", table).isEmpty();
    }

    /** The seeds' lifecycle on one account, each step counted into {@code counted} if it is given. */
    private static void lifecycle(Http http, String account, BrokerFootprint footprint, Map<String, Map<String, Long>> counted) {
        String env = "/v1/accounts/" + account + "/environments/sandbox";
        step(footprint, counted, "plan", () -> http.send("PUT", "/v1/accounts/" + account + "/plan", ADMIN, "{\"plan\":\"PROFESSIONAL\"}"), 200);
        step(footprint, counted, "enable", () -> http.post(env + "/api/enable", ADMIN, null), 201);
        step(footprint, counted, "refresh", () -> http.post(env + "/api/refresh", ADMIN, "{\"reason\":\"ROUTINE\"}"), 200);
        Http.Response created = step(footprint, counted, "create credential",
                () -> http.post(env + "/credentials", ADMIN, "{\"name\":\"budget-cred\"}"), 201);
        String credential = env + "/credentials/" + created.json().path("credentialId").asText();
        step(footprint, counted, "deactivate", () -> http.post(credential + "/deactivate", ADMIN, null), 200);
        step(footprint, counted, "reactivate", () -> http.post(credential + "/activate", ADMIN, null), 200);
        step(footprint, counted, "allow ip", () -> http.post(env + "/allowed-ips", ADMIN, "{\"cidr\":\"203.0.113.0/24\"}"), 201);
        step(footprint, counted, "remove ip", () -> http.send("DELETE", env + "/allowed-ips?cidr=203.0.113.0/24", ADMIN, null), 204);
        step(footprint, counted, "delete credential", () -> http.send("DELETE", credential, ADMIN, null), 204);
        step(footprint, counted, "disable", () -> http.post(env + "/api/disable", ADMIN, null), 200);
        step(footprint, counted, "refused", () -> http.post(env + "/api/refresh", ADMIN, "{\"reason\":\"ROUTINE\"}"), 409);
        step(footprint, counted, "credential policy", () -> http.send("PUT", "/v1/accounts/" + account + "/credential-policy",
                ADMIN, "{\"maxAgeDays\":90,\"expiryWarningDays\":14}"), 200);
        Http.Response expiring = step(footprint, counted, "create with expiry", () -> http.post(env + "/credentials", ADMIN,
                "{\"name\":\"budget-expiring\",\"ttlSeconds\":2592000,\"scopes\":[\"payments:read\"]}"), 201);
        step(footprint, counted, "change scopes", () -> http.send("PUT", env + "/credentials/"
                + expiring.json().path("credentialId").asText() + "/scopes", ADMIN, "{\"scopes\":[\"reports:read\"]}"), 200);
    }

    private static Http.Response step(BrokerFootprint footprint, Map<String, Map<String, Long>> counted, String command,
            java.util.function.Supplier<Http.Response> send, int status) {
        BrokerFootprint.Snapshot before = footprint.settled(QUIET, Duration.ofSeconds(60));
        Http.Response r = send.get();
        assertThat(r.status()).as("%s: %s", command, r).isEqualTo(status);
        if (counted != null) {
            Map<String, Long> byTopic = new TreeMap<>();
            footprint.settled(QUIET, Duration.ofSeconds(60)).recordsSince(before)
                    .forEach((topic, added) -> byTopic.put(topic.replace("credledger-", ""), added));
            counted.put(command, byTopic);
        }
        return r;
    }
}
