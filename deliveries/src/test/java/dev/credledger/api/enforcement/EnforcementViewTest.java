package dev.credledger.api.enforcement;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The rules of "effective everywhere", given revocations and reports, without Kafka. */
class EnforcementViewTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private static final Duration STALE_AFTER = Duration.ofSeconds(30);

    private final EnforcementView view = new EnforcementView(STALE_AFTER);

    private EnforcementView.Revocation revocation(int partition, long offset, Instant at) {
        EnforcementView.Revocation r = new EnforcementView.Revocation(UUID.randomUUID(), partition, offset, "ab".repeat(32),
                "clat_sbx_abcd", "acme", "SANDBOX", "AUTH_TOKEN", "TOKEN_COMPROMISED", at, UUID.randomUUID());
        view.addRevocation(r);
        return r;
    }

    @Test
    void theRevocationsSinceAnInstantAreListedNewestFirstAcrossPartitionsAndBounded() {
        EnforcementView.Revocation old = revocation(0, 1, T0.minus(Duration.ofHours(2)));
        EnforcementView.Revocation a = revocation(0, 2, T0.plusSeconds(10));
        EnforcementView.Revocation b = revocation(1, 1, T0.plusSeconds(20));
        EnforcementView.Revocation c = revocation(0, 3, T0.plusSeconds(30));

        assertThat(view.since(T0, 10)).containsExactly(c, b, a).doesNotContain(old);
        assertThat(view.since(T0, 2)).containsExactly(c, b);
        assertThat(view.since(T0.plusSeconds(40), 10)).isEmpty();
    }

    @Test
    void aRevocationIsAppliedByTheFirstReportPastItsOffsetAndEffectiveEverywhereAtTheLatestOfThem() {
        view.report("gateway", "gw-1", T0.plusSeconds(1), Map.of(0, 10L));
        view.report("webhooks", "wh-1", T0.plusSeconds(1), Map.of(0, 10L));
        EnforcementView.Revocation r = revocation(0, 10, T0.plusSeconds(5));

        view.report("gateway", "gw-1", T0.plusSeconds(5).plusMillis(3), Map.of(0, 11L));
        EnforcementView.Status halfway = view.status(r, T0.plusSeconds(6));
        assertThat(halfway.pending()).containsExactly("webhooks");
        assertThat(halfway.effectiveEverywhereAt()).isNull();

        view.report("webhooks", "wh-1", T0.plusSeconds(5).plusMillis(8), Map.of(0, 12L));
        view.report("gateway", "gw-1", T0.plusSeconds(7), Map.of(0, 12L)); // later reports change nothing
        EnforcementView.Status done = view.status(r, T0.plusSeconds(8));
        assertThat(done.pending()).isEmpty();
        assertThat(done.applied()).extracting(EnforcementView.Applied::point, EnforcementView.Applied::lagMs)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("gateway", 3L), org.assertj.core.groups.Tuple.tuple("webhooks", 8L));
        assertThat(done.effectiveEverywhereAt()).isEqualTo(T0.plusSeconds(5).plusMillis(8));
    }

    @Test
    void anEarlyCopyAppliedFirstMakesARevocationEffectiveSoonerAndTheHeadStartIsWhatTheRecordCameLater() {
        view.report("gateway", "gw-1", T0.plusSeconds(1), Map.of(0, 10L), Map.of(2, 40L));
        view.report("batch", "b-1", T0.plusSeconds(1), Map.of(0, 10L)); // follows the committed record only
        EnforcementView.Revocation r = revocation(0, 10, T0.plusSeconds(5));
        // Its early copy is elsewhere on the early topic (partitions are not the same), and may be read after reports.
        view.addEarly(new EnforcementView.Early(r.eventId(), 2, 40, r.revokedAt()));

        view.report("gateway", "gw-1", T0.plusSeconds(5).plusMillis(4), Map.of(0, 10L), Map.of(2, 41L));
        EnforcementView.Status early = view.status(r, T0.plusSeconds(6));
        assertThat(early.applied()).extracting(EnforcementView.Applied::point, EnforcementView.Applied::lagMs,
                EnforcementView.Applied::early, EnforcementView.Applied::headStartMs)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("gateway", 4L, true, null));
        assertThat(early.pending()).containsExactly("batch");

        view.report("batch", "b-1", T0.plusSeconds(5).plusMillis(30), Map.of(0, 11L));
        view.report("gateway", "gw-1", T0.plusSeconds(5).plusMillis(25), Map.of(0, 11L), Map.of(2, 42L));
        EnforcementView.Status done = view.status(r, T0.plusSeconds(7));
        assertThat(done.applied()).extracting(EnforcementView.Applied::point, EnforcementView.Applied::lagMs,
                EnforcementView.Applied::early, EnforcementView.Applied::headStartMs)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("gateway", 4L, true, 21L),
                        org.assertj.core.groups.Tuple.tuple("batch", 30L, false, null));
        assertThat(done.effectiveEverywhereAt()).isEqualTo(T0.plusSeconds(5).plusMillis(30));
        assertThat(done.committedEverywhereAt()).isEqualTo(T0.plusSeconds(5).plusMillis(30));
        assertThat(view.late(r, Duration.ofMillis(10), T0.plusSeconds(8))).as("batch took 30 ms").isTrue();
        assertThat(view.late(r, Duration.ofMillis(40), T0.plusSeconds(8))).isFalse();
    }

    @Test
    void withEveryPointOnTheEarlyCopyTheRevocationIsEffectiveBeforeTheRecordAloneWouldHaveMadeIt() {
        view.report("gateway", "gw-1", T0.plusSeconds(1), Map.of(0, 10L), Map.of(0, 0L));
        EnforcementView.Revocation r = revocation(0, 10, T0.plusSeconds(5));
        view.addEarly(new EnforcementView.Early(r.eventId(), 0, 0, r.revokedAt()));
        view.report("gateway", "gw-1", T0.plusSeconds(5).plusMillis(3), Map.of(0, 10L), Map.of(0, 1L));

        EnforcementView.Status before = view.status(r, T0.plusSeconds(6));
        assertThat(before.effectiveEverywhereAt()).isEqualTo(T0.plusSeconds(5).plusMillis(3));
        assertThat(before.committedEverywhereAt()).as("the record not applied yet").isNull();
        assertThat(view.late(r, Duration.ofMillis(5), T0.plusSeconds(6))).isFalse();

        view.report("gateway", "gw-1", T0.plusSeconds(5).plusMillis(20), Map.of(0, 11L), Map.of(0, 1L));
        assertThat(view.status(r, T0.plusSeconds(6)).committedEverywhereAt()).isEqualTo(T0.plusSeconds(5).plusMillis(20));
    }

    @Test
    void onlyTheEarlyCopyOfTheCommittedDecisionCountsNotOneOfAnAttemptThatAborted() {
        view.report("gateway", "gw-1", T0.plusSeconds(1), Map.of(0, 10L), Map.of(0, 5L));
        EnforcementView.Revocation r = revocation(0, 10, T0.plusSeconds(9));
        // The first attempt published its copy at 5 (decided at +5 s) and aborted; the retry decided again at +9 s.
        view.addEarly(new EnforcementView.Early(r.eventId(), 0, 5, T0.plusSeconds(5)));
        view.addEarly(new EnforcementView.Early(r.eventId(), 0, 8, r.revokedAt()));
        view.addEarly(new EnforcementView.Early(r.eventId(), 0, 8, r.revokedAt())); // read twice: kept once

        // Past the aborted attempt's copy only (a client started after it need never have read it): not applied.
        view.report("gateway", "gw-1", T0.plusSeconds(8), Map.of(0, 10L), Map.of(0, 6L));
        assertThat(view.status(r, T0.plusSeconds(9)).applied()).isEmpty();
        view.report("gateway", "gw-1", T0.plusSeconds(9).plusMillis(2), Map.of(0, 10L), Map.of(0, 9L));
        assertThat(view.status(r, T0.plusSeconds(10)).applied()).extracting(EnforcementView.Applied::lagMs,
                EnforcementView.Applied::early).containsExactly(org.assertj.core.groups.Tuple.tuple(2L, true));
    }

    @Test
    void anInstanceThatAppliedOnlyTheEarlyCopyAndWentSilentIsLeftOutOfTheRecordsEverywhere() {
        view.report("gateway", "gw-1", T0.plusSeconds(1), Map.of(0, 10L), Map.of(0, 0L));
        view.report("batch", "b-1", T0.plusSeconds(1), Map.of(0, 10L));
        EnforcementView.Revocation r = revocation(0, 10, T0.plusSeconds(5));
        view.addEarly(new EnforcementView.Early(r.eventId(), 0, 0, r.revokedAt()));
        view.report("gateway", "gw-1", T0.plusSeconds(5).plusMillis(3), Map.of(0, 10L), Map.of(0, 1L));
        view.report("batch", "b-1", T0.plusSeconds(5).plusMillis(40), Map.of(0, 11L));

        assertThat(view.status(r, T0.plusSeconds(6)).committedEverywhereAt()).as("the gateway has not said").isNull();
        EnforcementView.Status later = view.status(r, T0.plusSeconds(60));
        assertThat(later.committedEverywhereAt()).isEqualTo(T0.plusSeconds(5).plusMillis(40));
        assertThat(later.effectiveEverywhereAt()).isEqualTo(T0.plusSeconds(5).plusMillis(40));
    }

    @Test
    void aReportIsNotTakenPastARevocationDecidedAfterItEvenWhenTheRevocationsAreSlightlyOutOfTimeOrder() {
        // Offset 3 was decided after offset 4, by an instance whose clock ran a second ahead.
        revocation(0, 3, T0.plusSeconds(11));
        revocation(0, 4, T0.plusSeconds(10));
        assertThat(view.notPast(0, T0.plusMillis(10_500), 100)).isEqualTo(3);
        assertThat(view.notPast(0, T0.plusSeconds(11), 100)).isEqualTo(100);
    }

    @Test
    void anEarlyPositionIsNeverTakenPastAnEarlyCopyIssuedAfterTheReport() {
        EnforcementView.Revocation r = revocation(0, 0, T0.plusSeconds(5));
        view.addEarly(new EnforcementView.Early(r.eventId(), 1, 7, r.revokedAt()));
        assertThat(view.notPastEarly(1, T0.plusSeconds(4), 100)).isEqualTo(7);
        assertThat(view.notPastEarly(1, T0.plusSeconds(5), 100)).isEqualTo(100);
        assertThat(view.notPastEarly(0, T0.plusSeconds(4), 100)).as("no early copy there").isEqualTo(100);
    }

    @Test
    void aSilentPointIsPendingUntilStaleThenListedAsStaleAndExcludedFromEverywhere() {
        view.report("gateway", "gw-1", T0.plusSeconds(1), Map.of(0, 0L));
        view.report("batch", "b-1", T0.plusSeconds(1), Map.of(0, 0L));
        EnforcementView.Revocation r = revocation(0, 0, T0.plusSeconds(2));
        view.report("gateway", "gw-1", T0.plusSeconds(2), Map.of(0, 1L));

        assertThat(view.status(r, T0.plusSeconds(30)).pending()).containsExactly("batch");
        EnforcementView.Status later = view.status(r, T0.plusSeconds(32));
        assertThat(later.pending()).isEmpty();
        assertThat(later.stale()).containsExactly("batch");
        assertThat(later.effectiveEverywhereAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(view.instances(T0.plusSeconds(32))).filteredOn(EnforcementView.InstanceReport::stale)
                .extracting(EnforcementView.InstanceReport::point).containsExactly("batch");
    }

    @Test
    void aPointOfSeveralInstancesIsPendingUntilEachLiveInstanceApplied() {
        view.report("gateway", "gw-1", T0, Map.of(0, 0L, 1, 0L));
        view.report("gateway", "gw-2", T0, Map.of(0, 0L, 1, 0L));
        EnforcementView.Revocation r = revocation(1, 0, T0.plusSeconds(1));
        view.report("gateway", "gw-1", T0.plusSeconds(1), Map.of(0, 0L, 1, 1L));

        assertThat(view.status(r, T0.plusSeconds(2)).pending()).containsExactly("gateway");
        view.report("gateway", "gw-2", T0.plusSeconds(2), Map.of(0, 0L, 1, 1L));
        assertThat(view.status(r, T0.plusSeconds(2)).effectiveEverywhereAt()).isEqualTo(T0.plusSeconds(2));
    }

    @Test
    void anInstanceNotLiveWhenARevocationWasIssuedDoesNotCountForItButOneRestartedUnderTheSameNameDoes() {
        view.report("gateway", "gw-1", T0, Map.of(0, 0L));
        EnforcementView.Revocation r = revocation(0, 0, T0.plusSeconds(1));
        view.report("gateway", "gw-1", T0.plusSeconds(1), Map.of(0, 1L));
        view.report("newcomer", "n-1", T0.plusSeconds(60), Map.of(0, 1L));
        // gw-1 restarts under the same name; its first report after the restart is past the offset already.
        view.report("gateway", "gw-1", T0.plusSeconds(90), Map.of(0, 1L));

        EnforcementView.Status s = view.status(r, T0.plusSeconds(91));
        assertThat(s.applied()).extracting(EnforcementView.Applied::point).containsExactly("gateway");
        assertThat(s.effectiveEverywhereAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(view.instances(T0.plusSeconds(91))).allMatch(i -> i.pendingRevocations() == 0 && i.lagMs() == 0);
    }

    @Test
    void theLagOfAnInstanceIsTheAgeOfTheOldestRevocationItHasNotApplied() {
        view.report("gateway", "gw-1", T0, Map.of(0, 5L));
        revocation(0, 5, T0.plusSeconds(1));
        revocation(0, 6, T0.plusSeconds(3));

        assertThat(view.lagByPoint(T0.plusSeconds(4))).containsEntry("gateway", 3_000L);
        view.report("gateway", "gw-1", T0.plusSeconds(4), Map.of(0, 6L));
        assertThat(view.lagByPoint(T0.plusSeconds(5))).containsEntry("gateway", 2_000L);
        assertThat(view.instances(T0.plusSeconds(5)).getFirst().pendingRevocations()).isEqualTo(1);
    }

    @Test
    void aRevocationIsLateWhenALivePointAppliedItAfterTheAlertDeadline() {
        view.report("gateway", "gw-1", T0, Map.of(0, 0L));
        EnforcementView.Revocation r = revocation(0, 0, T0.plusSeconds(1));
        view.report("gateway", "gw-1", T0.plusSeconds(7), Map.of(0, 1L));

        assertThat(view.late(r, Duration.ofSeconds(5), T0.plusSeconds(8))).isTrue();
        assertThat(view.late(r, Duration.ofSeconds(10), T0.plusSeconds(12))).isFalse();
        // Judged long after, when the instance has gone silent: it was live at the deadline, so it still counts.
        assertThat(view.late(r, Duration.ofSeconds(5), T0.plusSeconds(120))).isTrue();
    }

    @Test
    void aReportLongAfterTheLastStartsANewLiveSpellAndTheGapCountsForNothing() {
        view.report("gateway", "gw-1", T0, Map.of(0, 0L));
        EnforcementView.Revocation duringGap = revocation(0, 0, T0.plusSeconds(60));
        view.report("gateway", "gw-1", T0.plusSeconds(120), Map.of(0, 1L));

        EnforcementView.Status s = view.status(duringGap, T0.plusSeconds(121));
        assertThat(s.applied()).isEmpty();
        assertThat(s.pending()).isEmpty();
        assertThat(view.instances(T0.plusSeconds(121)).getFirst().liveSince()).isEqualTo(T0.plusSeconds(120));
    }

    @Test
    void aReportIsNeverTakenPastARevocationIssuedAfterItWasWritten() {
        revocation(0, 3, T0.plusSeconds(1));
        revocation(0, 5, T0.plusSeconds(10));
        revocation(0, 7, T0.plusSeconds(20));

        assertThat(view.notPast(0, T0.plusSeconds(5), Long.MAX_VALUE)).isEqualTo(5);
        assertThat(view.notPast(0, T0.plusSeconds(15), 6)).isEqualTo(6);
        assertThat(view.notPast(0, T0.plusSeconds(25), 9)).isEqualTo(9);
        assertThat(view.notPast(1, T0, 4)).isEqualTo(4);
    }

    @Test
    void newInstancesBeyondTheBoundAreNotKept() {
        for (int i = 0; i < EnforcementView.MAX_INSTANCES; i++) {
            assertThat(view.report("point", "i-" + i, T0, Map.of(0, 0L))).isTrue();
        }
        assertThat(view.report("point", "one-too-many", T0, Map.of(0, 0L))).isFalse();
        assertThat(view.report("point", "i-0", T0.plusSeconds(1), Map.of(0, 1L))).isTrue();
        assertThat(view.instances(T0.plusSeconds(1))).hasSize(EnforcementView.MAX_INSTANCES);
    }

    @Test
    void revocationsOlderThanTheRetentionAreForgottenWithTheirCause() {
        view.report("gateway", "gw-1", T0, Map.of(0, 0L));
        EnforcementView.Revocation old = revocation(0, 0, T0.plusSeconds(1));
        view.report("gateway", "gw-1", T0.plusSeconds(90), Map.of(0, 1L));
        EnforcementView.Revocation recent = revocation(0, 1, T0.plusSeconds(100));
        view.report("gateway", "gw-1", T0.plusSeconds(101), Map.of(0, 2L));

        view.forgetBefore(T0.plusSeconds(50));

        assertThat(view.revocation(old.eventId())).isNull();
        assertThat(view.causedBy(old.causedBy())).isEmpty();
        assertThat(view.status(view.revocation(recent.eventId()), T0.plusSeconds(102)).effectiveEverywhereAt())
                .isEqualTo(T0.plusSeconds(101));
    }
}
