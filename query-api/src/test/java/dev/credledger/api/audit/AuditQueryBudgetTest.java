package dev.credledger.api.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.credledger.api.Problem;
import dev.credledger.api.QueryLimiter;
import dev.credledger.api.SortedStore;
import dev.credledger.events.avro.Actor;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.Channel;
import dev.credledger.events.avro.Outcome;
import dev.credledger.events.model.AccountId;
import dev.credledger.processors.topology.Keys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The work one audit query may do is bounded. The store here is a sorted map standing in for RocksDB's
 * range scan (what is checked is the query's budget, not the store); the HTTP side is in ProbeFindingsTest.
 */
class AuditQueryBudgetTest {

    private static final AccountId ACCOUNT = new AccountId("big");

    @Test
    void aFilterThatMatchesNothingStopsAfterTheScanBudgetAndGivesACursorToContinue() {
        SortedStore<AuditRecord> store = new SortedStore<>();
        int total = AuditQuery.MAX_SCANNED * 2 + 500;
        for (int i = 1; i <= total; i++) {
            AuditRecord r = record(i);
            store.put(Keys.audit(r.getAccountId(), r.getOccurredAt(), r.getSequence()), r);
        }
        AuditQuery query = new AuditQuery();
        AuditQuery.Filter noSuchType = new AuditQuery.Filter(null, null, "NoSuch", null, null, null, 1000, null);

        Map<String, Object> first = query.page(store, ACCOUNT, noSuchType);

        assertThat((List<?>) first.get("items")).isEmpty();
        assertThat(store.reads()).isBetween((long) AuditQuery.MAX_SCANNED, AuditQuery.MAX_SCANNED + 1L);
        String cursor = (String) first.get("nextCursor");
        assertThat(cursor).isNotNull();

        int pages = 1;
        while (cursor != null) {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            cursor = (String) query.page(store, ACCOUNT, new AuditQuery.Filter(null, null, "NoSuch", null, null, null, 1000,
                    decoded)).get("nextCursor");
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(store.reads()).isBetween((long) total, total + 3L);
    }

    @Test
    void theQueryLimiterAdmitsAtMostTheBoundPerKeyAndAnswers429Beyond() throws Exception {
        QueryLimiter limiter = new QueryLimiter(2);
        CountDownLatch inside = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> holders = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            holders.add(Thread.ofPlatform().start(() -> limiter.run("auditor-key", () -> {
                inside.countDown();
                await(release);
            })));
        }
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> limiter.run("auditor-key", () -> { }))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(429);
                    assertThat(p.retryAfterSeconds()).isEqualTo(1);
                });
        boolean[] otherKeyRan = {false};
        limiter.run("another-key", () -> otherKeyRan[0] = true);
        assertThat(otherKeyRan[0]).isTrue();

        release.countDown();
        for (Thread t : holders) {
            t.join(10_000);
        }
        boolean[] ranAfter = {false};
        limiter.run("auditor-key", () -> ranAfter[0] = true);
        assertThat(ranAfter[0]).isTrue();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static AuditRecord record(long sequence) {
        return AuditRecord.newBuilder()
                .setAccountId(ACCOUNT.value()).setSequence(sequence).setEventId(UUID.randomUUID()).setType("IpAllowed")
                .setEnvironment(null).setOccurredAt(Instant.ofEpochMilli(1_790_000_000_000L + sequence))
                .setActor(new Actor("a", "127.0.0.1", null, Channel.HTTP_API)).setOutcome(Outcome.ACCEPTED)
                .setReasonCode(null).setDetail(null).setSubjectId(null).setCommandId(null).setCorrelationId(null)
                .setPrevHash("").setHash("").build();
    }
}
