package dev.credledger.api.enforcement;

import dev.credledger.api.Json;
import dev.credledger.api.Problem;
import dev.credledger.api.Requests;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /v1/revocations/{eventId}}, {@code GET /v1/revocations?causedBy=} and {@code GET /v1/enforcement-points}:
 * when each enforcement point applied each revocation, and which have not yet. Every instance answers from its own
 * {@link EnforcementView} (no routing): 503 until its feed has read both topics to where they ended at its start, and
 * whenever the feed has stopped polling.
 */
public final class EnforcementRoutes {

    private final EnforcementView view;
    private final BooleanSupplier healthy;

    /** @param healthy whether the view's feed has caught up and is still polling */
    public EnforcementRoutes(EnforcementView view, BooleanSupplier healthy) {
        this.view = view;
        this.healthy = healthy;
    }

    public void revocation(Context ctx) {
        UUID eventId = Requests.uuid("eventId", ctx.pathParam("eventId"));
        requireCaughtUp();
        EnforcementView.Revocation r = view.revocation(eventId);
        if (r == null) {
            throw Problem.notFound("no revocation " + eventId + " on credential-revocations (the ID is the revocationId "
                    + "of a command's answer; revocations older than the topic's retention are forgotten)");
        }
        respond(ctx, status(view.status(r, Instant.now())));
    }

    /** The most revocations {@code GET /v1/revocations?since=} answers with (newest first). */
    public static final int MAX_RECENT = 500;

    /** {@code GET /v1/revocations?causedBy=<event ID>} or {@code ?since=<ISO-8601 instant>} (at most 24 h back). */
    public void causedBy(Context ctx) {
        String causedBy = ctx.queryParam("causedBy");
        String since = ctx.queryParam("since");
        if ((causedBy == null || causedBy.isBlank()) == (since == null || since.isBlank())) {
            throw Problem.invalidParameter("causedBy", "give causedBy=<the ID of a credential-events event> or "
                    + "since=<an ISO-8601 instant, at most 24 hours ago>, one of them");
        }
        if (since != null) {
            recent(ctx, since);
            return;
        }
        UUID cause = Requests.uuid("causedBy", causedBy);
        requireCaughtUp();
        Instant now = Instant.now();
        respond(ctx, Map.of("items", view.causedBy(cause).stream().map(r -> status(view.status(r, now))).toList()));
    }

    private void recent(Context ctx, String since) {
        Instant from;
        try {
            from = java.time.OffsetDateTime.parse(since).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw Problem.invalidParameter("since", "since is an ISO-8601 instant, such as 2026-12-07T10:00:00Z");
        }
        Instant now = Instant.now();
        if (from.isBefore(now.minus(java.time.Duration.ofHours(24)))) {
            throw Problem.invalidParameter("since", "since is at most 24 hours ago");
        }
        requireCaughtUp();
        List<EnforcementView.Revocation> found = view.since(from, MAX_RECENT + 1);
        List<Map<String, Object>> items = found.stream().limit(MAX_RECENT).map(r -> status(view.status(r, now))).toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", items);
        out.put("truncated", found.size() > MAX_RECENT);
        respond(ctx, out);
    }

    public void enforcementPoints(Context ctx) {
        requireCaughtUp();
        Map<String, List<EnforcementView.InstanceReport>> byPoint = new LinkedHashMap<>();
        for (EnforcementView.InstanceReport i : view.instances(Instant.now())) {
            byPoint.computeIfAbsent(i.point(), p -> new ArrayList<>()).add(i);
        }
        List<Map<String, Object>> items = new ArrayList<>();
        byPoint.forEach((name, instances) -> {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("name", name);
            point.put("stale", instances.stream().allMatch(EnforcementView.InstanceReport::stale));
            point.put("lastReportAt", instances.stream().map(EnforcementView.InstanceReport::lastReportAt)
                    .max(Instant::compareTo).map(Instant::toString).orElse(null));
            point.put("lagMs", instances.stream().filter(i -> !i.stale()).mapToLong(EnforcementView.InstanceReport::lagMs).max().orElse(0));
            point.put("instances", instances.stream().map(i -> {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("instance", i.instance());
                out.put("liveSince", i.liveSince().toString());
                out.put("lastReportAt", i.lastReportAt().toString());
                out.put("stale", i.stale());
                out.put("lagMs", i.lagMs());
                out.put("pendingRevocations", i.pendingRevocations());
                return out;
            }).toList());
            items.add(point);
        });
        respond(ctx, Map.of("items", items, "staleAfter", view.staleAfter().toString()));
    }

    private void requireCaughtUp() {
        if (!healthy.getAsBoolean()) {
            throw Problem.unavailable("enforcement reports are being read on this instance (at start, or after a stall)");
        }
    }

    private static Map<String, Object> status(EnforcementView.Status s) {
        EnforcementView.Revocation r = s.revocation();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("eventId", r.eventId());
        out.put("fingerprint", r.fingerprint());
        out.put("prefix", r.prefix());
        out.put("accountId", r.accountId());
        out.put("environment", r.environment().toLowerCase(Locale.ROOT));
        out.put("kind", r.kind());
        out.put("reason", r.reason());
        out.put("revokedAt", r.revokedAt().toString());
        out.put("causedBy", r.causedBy());
        out.put("enforcementPoints", s.applied().stream().map(a -> {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("name", a.point());
            point.put("instance", a.instance());
            point.put("appliedAt", a.appliedAt().toString());
            point.put("lagMs", a.lagMs());
            point.put("copy", a.early() ? "early" : "committed");
            point.put("headStartMs", a.headStartMs());
            return point;
        }).toList());
        out.put("pending", s.pending());
        out.put("stale", s.stale());
        out.put("effectiveEverywhereAt", s.effectiveEverywhereAt() == null ? null : s.effectiveEverywhereAt().toString());
        out.put("committedEverywhereAt", s.committedEverywhereAt() == null ? null : s.committedEverywhereAt().toString());
        return out;
    }

    private static void respond(Context ctx, Map<String, ?> body) {
        ctx.status(200).contentType("application/json").result(Json.write(body));
    }
}
