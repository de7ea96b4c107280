package dev.credledger.api.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.api.SortedStore;
import dev.credledger.events.avro.Actor;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.Channel;
import dev.credledger.events.avro.Outcome;
import dev.credledger.processors.topology.Keys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cross-account pages merged from the partitions of several instances come out in one global order, and
 * following the cursors gives every matching record exactly once, however the slices stop. The stores are
 * sorted maps standing in for RocksDB's range scans (what is checked is the merge, not the store); the same
 * over HTTP on a real broker, one and two instances, is in IncidentAnalysisTest and TwoInstancesTest.
 */
class PartyActivityTest {

    private static final String ACTOR = "oncall|ops";
    private static final long T0 = 1_790_000_000_000L;

    /** Partitions of one instance. */
    private record Instance(List<PartyActivity.Partition> partitions) {}

    private record Written(String key, AuditRecord record) {}

    @Test
    void recordsOfThreePartitionsComeOutOldestFirstWhateverPartitionHoldsThem() {
        List<SortedStore<String>> indexes = List.of(new SortedStore<>(), new SortedStore<>(), new SortedStore<>());
        List<SortedStore<AuditRecord>> trails = List.of(new SortedStore<>(), new SortedStore<>(), new SortedStore<>());
        // Partition 2 holds the oldest record, partition 0 the newest; two share a millisecond and sort by account.
        write(indexes.get(0), trails.get(0), "acct-c", 1, T0 + 30, ACTOR);
        write(indexes.get(1), trails.get(1), "acct-b", 7, T0 + 10, ACTOR);
        write(indexes.get(2), trails.get(2), "acct-a", 3, T0, ACTOR);
        write(indexes.get(2), trails.get(2), "acct-a", 4, T0 + 10, ACTOR);
        write(indexes.get(1), trails.get(1), "acct-b", 8, T0 + 20, "someone-else");

        PartyActivity.Slice slice = PartyActivity.scan(partitions(indexes, trails), from(), to(), r -> true, 100);

        assertThat(slice.items()).extracting(f -> f.item().get("accountId") + "#" + f.item().get("sequence"))
                .containsExactly("acct-a#3", "acct-a#4", "acct-b#7", "acct-c#1");
        assertThat(slice.exhausted()).isTrue();
    }

    @Test
    void anActorWhoseIdContainsTheSeparatorDoesNotShareAnotherActorsPrefix() {
        SortedStore<String> index = new SortedStore<>();
        SortedStore<AuditRecord> trail = new SortedStore<>();
        write(index, trail, "acct-a", 1, T0, "oncall");
        write(index, trail, "acct-a", 2, T0 + 1, "oncall|ops");

        PartyActivity.Slice slice = PartyActivity.scan(List.of(new PartyActivity.Partition(index, trail)),
                Keys.actorPrefix("oncall"), Keys.actorPrefix("oncall") + "~", r -> true, 100);

        assertThat(slice.items()).extracting(f -> f.item().get("sequence")).containsExactly(1L);
    }

    @ParameterizedTest(name = "page size {0}")
    @ValueSource(ints = {1, 3, 7, 100})
    void followingTheCursorsAcrossThreeInstancesGivesEveryMatchingRecordOnceInOrder(int limit) {
        Random random = new Random(limit);
        List<Instance> instances = new ArrayList<>();
        List<Written> written = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<PartyActivity.Partition> partitions = new ArrayList<>();
            for (int p = 0; p <= i; p++) { // instances hold one, two and three partitions
                SortedStore<String> index = new SortedStore<>();
                SortedStore<AuditRecord> trail = new SortedStore<>();
                for (int n = 0; n < 40; n++) {
                    String account = "acct-" + i + "-" + p + "-" + random.nextInt(4);
                    written.add(write(index, trail, account, n, T0 + random.nextInt(500), ACTOR));
                }
                partitions.add(new PartyActivity.Partition(index, trail));
            }
            instances.add(new Instance(partitions));
        }
        // A filter that skips most records makes the instances' slices stop at different places.
        Predicate<AuditRecord> wanted = r -> r.getSequence() % 3 == 0;
        List<String> expected = written.stream().filter(w -> wanted.test(w.record())).map(Written::key).sorted().toList();

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            String fromKey = cursor == null ? from() : cursor + "\u0000";
            List<PartyActivity.Slice> slices = new ArrayList<>();
            for (Instance instance : instances) {
                slices.add(PartyActivity.scan(instance.partitions(), fromKey, to(), wanted, limit));
            }
            PartyActivity.Page page = PartyActivity.merge(slices, limit);
            assertThat(page.items()).hasSizeLessThanOrEqualTo(limit);
            for (Map<String, Object> item : page.items()) {
                seen.add(Keys.byActor(ACTOR, Instant.parse((String) item.get("time")), (String) item.get("accountId"),
                        (Long) item.get("sequence")));
            }
            cursor = page.nextKey();
            pages++;
        } while (cursor != null && pages < 10_000);

        assertThat(seen).containsExactlyElementsOf(expected);
        Set<String> distinct = new HashSet<>(seen);
        assertThat(distinct).hasSameSizeAs(seen);
    }

    @Test
    void aSliceThatStoppedEarlyHoldsBackWhatOthersFoundBeyondIt() {
        PartyActivity.Found a1 = found("k1");
        PartyActivity.Found b1 = found("k2");
        PartyActivity.Found b2 = found("k5");
        PartyActivity.Slice stoppedAtK3 = new PartyActivity.Slice(List.of(a1), "k3", false);
        PartyActivity.Slice finished = new PartyActivity.Slice(List.of(b1, b2), "k5", true);

        PartyActivity.Page page = PartyActivity.merge(List.of(stoppedAtK3, finished), 10);

        assertThat(page.items()).containsExactly(a1.item(), b1.item());
        assertThat(page.nextKey()).isEqualTo("k3");
    }

    private static PartyActivity.Found found(String key) {
        return new PartyActivity.Found(key, Map.of("key", key));
    }

    private static String from() {
        return Keys.actorPrefix(ACTOR);
    }

    private static String to() {
        return Keys.actorPrefix(ACTOR) + "~";
    }

    private static List<PartyActivity.Partition> partitions(List<SortedStore<String>> indexes, List<SortedStore<AuditRecord>> trails) {
        List<PartyActivity.Partition> out = new ArrayList<>();
        for (int i = 0; i < indexes.size(); i++) {
            out.add(new PartyActivity.Partition(indexes.get(i), trails.get(i)));
        }
        return out;
    }

    private static Written write(SortedStore<String> index, SortedStore<AuditRecord> trail, String account, long sequence,
            long millis, String actor) {
        Instant at = Instant.ofEpochMilli(millis);
        AuditRecord record = AuditRecord.newBuilder()
                .setAccountId(account).setSequence(sequence).setEventId(UUID.randomUUID()).setType("IpAllowed")
                .setEnvironment(null).setOccurredAt(at)
                .setActor(new Actor(actor, "127.0.0.1", null, Channel.HTTP_API)).setOutcome(Outcome.ACCEPTED)
                .setReasonCode(null).setDetail(null).setSubjectId(null).setCommandId(null).setCorrelationId(null)
                .setPrevHash("").setHash("").build();
        String auditKey = Keys.audit(account, at, sequence);
        String key = Keys.byActor(actor, at, account, sequence);
        trail.put(auditKey, record);
        index.put(key, "");
        assertThat(Keys.auditKeyOfParty(key)).isEqualTo(auditKey);
        return new Written(key, record);
    }
}
