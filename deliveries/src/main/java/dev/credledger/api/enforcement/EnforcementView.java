package dev.credledger.api.enforcement;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * What the ledger knows of enforcement: the revocations on {@code credential-revocations} (by ID, by cause, by
 * partition and offset) and, for every instance of every enforcement point, the positions it reported having
 * applied and when each was first reported. Which instances have applied a revocation follows: those whose
 * position in its partition passed its offset. Kafka-free, fed by {@link EnforcementFeed}; every method is
 * synchronized (one writer, readers are HTTP requests and metric scrapes).
 *
 * <p>Every time here is the broker's (the log-append time of a report), never a client's clock. Rules (docs/integration.md,
 * "Proof of enforcement"): an instance counts for a revocation if it was live when the revocation was issued (it
 * had reported within {@code staleAfter} before, or reports without such a gap from before to after). An instance
 * that has not reported for {@code staleAfter} is stale: never pending, listed as stale; a revocation is effective
 * everywhere once every counted instance that is not stale has applied it.
 */
public final class EnforcementView {

    /** Instances tracked at most: names come from clients, so a hostile writer must not grow this without bound. */
    static final int MAX_INSTANCES = 10_000;

    /** How far out of time order revocations may be in a partition (the deciding instances' clocks differ). */
    static final Duration ORDER_SLACK = Duration.ofSeconds(5);

    /** One revocation as the feed has it: where it is, and what an auditor needs to know of it. */
    public record Revocation(UUID eventId, int partition, long offset, String fingerprint, String prefix, String accountId,
                             String environment, String kind, String reason, Instant revokedAt, UUID causedBy) {}

    /**
     * Where one instance of an enforcement point applied a revocation: first by the early copy or by the committed
     * record ({@code early}), and — when it has reported both — how much sooner the early copy applied it
     * ({@code headStartMs}, else null).
     */
    public record Applied(String point, String instance, Instant appliedAt, long lagMs, boolean early, Long headStartMs) {}

    /**
     * A revocation with its enforcement. {@code effectiveEverywhereAt} is null while a point is pending or none counts;
     * {@code committedEverywhereAt} is when the committed record alone had made it so (null while an instance has not
     * reported applying the record): the difference is what the early copy bought.
     */
    public record Status(Revocation revocation, List<Applied> applied, List<String> pending, List<String> stale,
                         Instant effectiveEverywhereAt, Instant committedEverywhereAt) {}

    /** Where the early copy of a revocation is on {@code credential-revocations-early}. */
    public record Early(UUID eventId, int partition, long offset, Instant revokedAt) {}

    /**
     * One instance of an enforcement point as last reported. {@code liveSince}: the first report after its last gap;
     * {@code lagMs}: age of the oldest revocation it counts for and has not applied (0: caught up).
     */
    public record InstanceReport(String point, String instance, Instant liveSince, Instant lastReportAt, boolean stale,
                                 long pendingRevocations, long lagMs) {}

    /** A stretch of time during which an instance reported without a gap longer than {@code staleAfter}. */
    private static final class Live {
        final Instant from;
        Instant to;

        Live(Instant at) {
            this.from = at;
            this.to = at;
        }
    }

    private static final class Instance {
        final String point;
        final String instance;
        final List<Live> live = new ArrayList<>(1);
        final Map<Integer, Long> positions = new HashMap<>();
        /** Per partition: each position reached, and when first (ascending in both, as positions only advance). */
        final Map<Integer, NavigableMap<Long, Instant>> reached = new HashMap<>();
        /** The same on {@code credential-revocations-early}. */
        final Map<Integer, Long> earlyPositions = new HashMap<>();
        final Map<Integer, NavigableMap<Long, Instant>> reachedEarly = new HashMap<>();

        Instance(String point, String instance) {
            this.point = point;
            this.instance = instance;
        }

        Instant lastReportAt() {
            return live.getLast().to;
        }

        /** When this instance first reported a position past {@code offset} in {@code partition}, or null. */
        Instant appliedAt(int partition, long offset) {
            return firstPast(reached, partition, offset);
        }

        /** The same for an early copy, or null (none known). */
        Instant appliedEarlyAt(Early early) {
            return early == null ? null : firstPast(reachedEarly, early.partition(), early.offset());
        }

        private static Instant firstPast(Map<Integer, NavigableMap<Long, Instant>> reached, int partition, long offset) {
            NavigableMap<Long, Instant> history = reached.get(partition);
            Map.Entry<Long, Instant> first = history == null ? null : history.ceilingEntry(offset + 1);
            return first == null ? null : first.getValue();
        }
    }

    private final Duration staleAfter;
    private final Map<UUID, Revocation> byId = new HashMap<>();
    private final Map<UUID, List<UUID>> byCause = new HashMap<>();
    private final Map<Integer, NavigableMap<Long, Revocation>> byOffset = new HashMap<>();
    private final Map<String, Instance> instances = new TreeMap<>();
    /** Every early copy of an event: a decision repeated after an aborted transaction publishes it again. */
    private final Map<UUID, List<Early>> earlyById = new HashMap<>();
    private final Map<Integer, NavigableMap<Long, Early>> earlyByOffset = new HashMap<>();

    public EnforcementView(Duration staleAfter) {
        this.staleAfter = Objects.requireNonNull(staleAfter, "staleAfter");
    }

    public Duration staleAfter() {
        return staleAfter;
    }

    public synchronized void addRevocation(Revocation r) {
        if (byId.putIfAbsent(r.eventId(), r) != null) {
            return;
        }
        byCause.computeIfAbsent(r.causedBy(), c -> new ArrayList<>(2)).add(r.eventId());
        byOffset.computeIfAbsent(r.partition(), p -> new TreeMap<>()).put(r.offset(), r);
    }

    /**
     * An early copy of a revocation (the same event ID as its committed record, which may come before or after it). A
     * decision repeated after an aborted transaction publishes another copy, with the same event ID and a later
     * {@code revokedAt}: each is kept, and only the one decided with the committed record ({@link #earlyCopyOf}) counts.
     */
    public synchronized void addEarly(Early e) {
        if (earlyByOffset.computeIfAbsent(e.partition(), p -> new TreeMap<>()).putIfAbsent(e.offset(), e) == null) {
            earlyById.computeIfAbsent(e.eventId(), id -> new ArrayList<>(1)).add(e);
        }
    }

    /**
     * The early copy published by the decision that was committed: the one with the committed record's
     * {@code revokedAt}. An earlier copy belongs to an attempt that aborted, and a client that started after it
     * may never have read it; none (or none left) — the record alone.
     */
    private Early earlyCopyOf(Revocation r) {
        List<Early> copies = earlyById.get(r.eventId());
        if (copies != null) {
            for (Early e : copies) {
                if (e.revokedAt().equals(r.revokedAt())) {
                    return e;
                }
            }
        }
        return null;
    }

    /** A report without early positions: {@link #report(String, String, Instant, Map, Map)}. */
    public synchronized boolean report(String point, String instance, Instant at, Map<Integer, Long> positions) {
        return report(point, instance, at, positions, Map.of());
    }

    /**
     * A report of {@code point}/{@code instance}, appended by the broker at {@code at}: it has applied every
     * revocation below {@code positions}, and every early copy below {@code earlyPositions}. Returns false (and keeps
     * nothing) for a new instance beyond {@link #MAX_INSTANCES}.
     */
    public synchronized boolean report(String point, String instance, Instant at, Map<Integer, Long> positions,
            Map<Integer, Long> earlyPositions) {
        Instance i = instances.get(point + "|" + instance);
        if (i == null) {
            if (instances.size() >= MAX_INSTANCES) {
                return false;
            }
            i = new Instance(point, instance);
            instances.put(point + "|" + instance, i);
        }
        if (i.live.isEmpty() || Duration.between(i.lastReportAt(), at).compareTo(staleAfter) > 0) {
            i.live.add(new Live(at));
        } else if (at.isAfter(i.lastReportAt())) {
            i.live.getLast().to = at;
        }
        advance(i.positions, i.reached, positions, at);
        advance(i.earlyPositions, i.reachedEarly, earlyPositions, at);
        return true;
    }

    private static void advance(Map<Integer, Long> current, Map<Integer, NavigableMap<Long, Instant>> reached,
            Map<Integer, Long> positions, Instant at) {
        for (Map.Entry<Integer, Long> p : positions.entrySet()) {
            Long before = current.get(p.getKey());
            if (before == null || p.getValue() > before) {
                current.put(p.getKey(), p.getValue());
                reached.computeIfAbsent(p.getKey(), k -> new TreeMap<>()).putIfAbsent(p.getValue(), at);
            }
        }
    }

    /**
     * {@code position} in {@code partition}, or less: never past a revocation issued after {@code at} (a report
     * written at {@code at} cannot have applied it). Revocations follow time closely in offset order — not exactly:
     * instants come from the deciding instances' clocks, which may differ a little — so the scan goes back from the
     * newest until {@link #ORDER_SLACK} before {@code at}.
     */
    public synchronized long notPast(int partition, Instant at, long position) {
        return notPast(byOffset.get(partition), Revocation::revokedAt, Revocation::offset, at, position);
    }

    /** {@link #notPast} on {@code credential-revocations-early}. */
    public synchronized long notPastEarly(int partition, Instant at, long position) {
        return notPast(earlyByOffset.get(partition), Early::revokedAt, Early::offset, at, position);
    }

    private static <T> long notPast(NavigableMap<Long, T> revocations, java.util.function.Function<T, Instant> revokedAt,
            java.util.function.ToLongFunction<T> offset, Instant at, long position) {
        if (revocations == null) {
            return position;
        }
        long bound = position;
        Instant stop = at.minus(ORDER_SLACK);
        for (T r : revocations.headMap(position, false).descendingMap().values()) {
            if (revokedAt.apply(r).isBefore(stop)) {
                break;
            }
            if (revokedAt.apply(r).isAfter(at)) {
                bound = offset.applyAsLong(r);
            }
        }
        return bound;
    }

    public synchronized Revocation revocation(UUID eventId) {
        return byId.get(eventId);
    }

    /**
     * The revocations revoked at or after {@code since}, newest first, at most {@code limit}. Each partition is read from
     * its newest offset back, and stops a minute past {@code since} (offsets follow decision times within a minute:
     * instants come from the deciding instances' clocks), so the cost follows the revocations asked for, not all kept.
     */
    public synchronized List<Revocation> since(Instant since, int limit) {
        Instant stop = since.minus(Duration.ofMinutes(1));
        List<Revocation> out = new ArrayList<>();
        for (NavigableMap<Long, Revocation> partition : byOffset.values()) {
            for (Revocation r : partition.descendingMap().values()) {
                if (r.revokedAt().isBefore(stop)) {
                    break;
                }
                if (!r.revokedAt().isBefore(since)) {
                    out.add(r);
                }
            }
        }
        out.sort(java.util.Comparator.comparing(Revocation::revokedAt).reversed());
        return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
    }

    public synchronized List<Revocation> causedBy(UUID eventId) {
        return byCause.getOrDefault(eventId, List.of()).stream().map(byId::get).toList();
    }

    public synchronized Status status(Revocation r, Instant now) {
        List<Applied> applied = new ArrayList<>();
        TreeSet<String> pending = new TreeSet<>();
        TreeSet<String> stale = new TreeSet<>();
        Instant everywhere = null;
        Instant committedEverywhere = null;
        boolean committedEverywhereKnown = true;
        Early early = earlyCopyOf(r);
        for (Instance i : instances.values()) {
            if (!counts(i, r)) {
                continue;
            }
            Instant committed = i.appliedAt(r.partition(), r.offset());
            Instant ahead = i.appliedEarlyAt(early);
            Instant at = earliest(committed, ahead);
            if (at != null) {
                boolean byEarly = ahead != null && (committed == null || ahead.isBefore(committed));
                applied.add(new Applied(i.point, i.instance, at, millisBetween(r.revokedAt(), at), byEarly,
                        byEarly && committed != null ? millisBetween(ahead, committed) : null));
                everywhere = everywhere == null || at.isAfter(everywhere) ? at : everywhere;
                if (committed == null) {
                    // Applied by the early copy only: the record's moment is unknown — unless the instance has gone
                    // silent, which leaves it out of "everywhere" as it would any other silent instance.
                    committedEverywhereKnown &= isStale(i, now);
                } else if (committedEverywhere == null || committed.isAfter(committedEverywhere)) {
                    committedEverywhere = committed;
                }
            } else if (isStale(i, now)) {
                stale.add(i.point);
            } else {
                pending.add(i.point);
            }
        }
        stale.removeAll(pending);
        applied.sort(Comparator.comparing(Applied::appliedAt));
        return new Status(r, applied, List.copyOf(pending), List.copyOf(stale), pending.isEmpty() ? everywhere : null,
                pending.isEmpty() && committedEverywhereKnown ? committedEverywhere : null);
    }

    /** When {@code i} applied {@code r}: by its committed record or its early copy, whichever it reported first. */
    private Instant appliedAt(Instance i, Revocation r) {
        return earliest(i.appliedAt(r.partition(), r.offset()), i.appliedEarlyAt(earlyCopyOf(r)));
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    /** Every instance seen, by point then instance name. */
    public synchronized List<InstanceReport> instances(Instant now) {
        List<InstanceReport> out = new ArrayList<>();
        for (Instance i : instances.values()) {
            long pendingCount = 0;
            Instant oldest = null;
            Instant liveUntil = i.lastReportAt().plus(staleAfter);
            for (Map.Entry<Integer, NavigableMap<Long, Revocation>> partition : byOffset.entrySet()) {
                long position = i.positions.getOrDefault(partition.getKey(), 0L);
                for (Revocation r : partition.getValue().tailMap(position, true).values()) {
                    if (r.revokedAt().isAfter(liveUntil)) {
                        break; // issued after it went silent: not its to apply (offsets follow time closely enough)
                    }
                    if (counts(i, r)) {
                        pendingCount++;
                        oldest = oldest == null || r.revokedAt().isBefore(oldest) ? r.revokedAt() : oldest;
                    }
                }
            }
            out.add(new InstanceReport(i.point, i.instance, i.live.getLast().from, i.lastReportAt(), isStale(i, now),
                    pendingCount, oldest == null ? 0 : millisBetween(oldest, now)));
        }
        return out;
    }

    /** Per point, the largest lag of its live instances (0 when all are caught up or stale). */
    public synchronized Map<String, Long> lagByPoint(Instant now) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (InstanceReport i : instances(now)) {
            out.merge(i.point(), i.stale() ? 0L : i.lagMs(), Math::max);
        }
        return out;
    }

    /**
     * Whether {@code r} was not effective at every instance that counted for it within {@code alertAfter} of being
     * issued: an instance still live at that deadline that had not applied it by then makes it late (one that went
     * silent before the deadline is left out, as it is from "everywhere"). Judged at {@code now}, after the deadline.
     */
    public synchronized boolean late(Revocation r, Duration alertAfter, Instant now) {
        Instant deadline = r.revokedAt().plus(alertAfter);
        for (Instance i : instances.values()) {
            if (!counts(i, r) || isStale(i, deadline)) {
                continue;
            }
            Instant at = appliedAt(i, r);
            if (at == null || at.isAfter(deadline)) {
                return true;
            }
        }
        return false;
    }

    /** Forgets revocations issued before {@code before} (gone from the feed by its retention) and what was reported then. */
    public synchronized void forgetBefore(Instant before) {
        byId.values().removeIf(r -> {
            if (!r.revokedAt().isBefore(before)) {
                return false;
            }
            byOffset.get(r.partition()).remove(r.offset());
            List<UUID> siblings = byCause.get(r.causedBy());
            if (siblings != null) {
                siblings.remove(r.eventId());
                if (siblings.isEmpty()) {
                    byCause.remove(r.causedBy());
                }
            }
            return true;
        });
        earlyById.values().removeIf(copies -> {
            copies.removeIf(e -> {
                if (!e.revokedAt().isBefore(before)) {
                    return false;
                }
                earlyByOffset.get(e.partition()).remove(e.offset());
                return true;
            });
            return copies.isEmpty();
        });
        instances.values().removeIf(i -> i.lastReportAt().isBefore(before));
        for (Instance i : instances.values()) {
            // A position reached before the cut is at or below the offset of every revocation issued after it.
            i.reached.values().forEach(history -> history.values().removeIf(at -> at.isBefore(before)));
            i.reachedEarly.values().forEach(history -> history.values().removeIf(at -> at.isBefore(before)));
            i.live.removeIf(l -> l.to.isBefore(before));
        }
    }

    public synchronized int revocations() {
        return byId.size();
    }

    /** Whether {@code i} was live when {@code r} was issued: it had reported shortly before, and went on reporting. */
    private boolean counts(Instance i, Revocation r) {
        for (Live l : i.live) {
            if (!l.from.isAfter(r.revokedAt()) && !l.to.plus(staleAfter).isBefore(r.revokedAt())) {
                return true;
            }
        }
        return false;
    }

    private boolean isStale(Instance i, Instant now) {
        return Duration.between(i.lastReportAt(), now).compareTo(staleAfter) > 0;
    }

    private static long millisBetween(Instant from, Instant to) {
        return Math.max(0, to.toEpochMilli() - from.toEpochMilli());
    }
}
