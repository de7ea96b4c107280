package dev.credledger.api.usage;

import dev.credledger.api.OwnerRouting;
import dev.credledger.api.Problem;
import dev.credledger.api.Requests;
import dev.credledger.api.StoreLocator;
import dev.credledger.events.avro.VerificationCounts;
import dev.credledger.events.model.AccountId;
import dev.credledger.processors.topology.Stores;
import dev.credledger.processors.topology.UsageWindows;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * {@code GET /v1/accounts/{account}/credentials/{credentialId}/usage?from=&to=&granularity=hour|day}: a credential's
 * verifications by outcome, per hour or per day (UTC), for the windows that overlap {@code [from, to)} (default: the
 * last 24 hours) and hold any; a day is the sum of all its hours. Answered by the instance that holds the account (forwarded there otherwise).
 */
public final class UsageRoutes {

    private final OwnerRouting owner;
    private final StoreLocator locator;
    private final Duration retention;

    public UsageRoutes(OwnerRouting owner, StoreLocator locator, Duration retention) {
        this.owner = owner;
        this.locator = locator;
        this.retention = retention;
    }

    public void usage(Context ctx) {
        AccountId account = Requests.account(ctx);
        UUID credentialId = Requests.credentialId(ctx);
        Instant to = instant(ctx, "to", Instant.now());
        Instant from = instant(ctx, "from", to.minus(Duration.ofDays(1)));
        String granularity = ctx.queryParam("granularity") == null ? "hour" : ctx.queryParam("granularity");
        if (!granularity.equals("hour") && !granularity.equals("day")) {
            throw Problem.invalidParameter("granularity", "granularity is hour or day");
        }
        if (!from.isBefore(to)) {
            throw Problem.invalidParameter("from", "from must be before to");
        }
        if (Duration.between(from, to).compareTo(retention.plus(UsageWindows.WINDOW)) > 0) {
            throw Problem.invalidParameter("from", "a range spans at most the usage retention (" + retention.toDays() + " days)");
        }
        owner.answer(ctx, Stores.COMMAND_ACCOUNTS, account, (ignored, c) -> {
            ReadOnlyWindowStore<String, VerificationCounts> windows = locator.localWindows(Stores.USAGE_WINDOWS, account.value());
            if (windows == null) {
                throw Problem.unavailable("the account's usage is moving between instances; retry");
            }
            OwnerRouting.respond(c, Map.of("items", items(windows, UsageWindows.key(account.value(), credentialId.toString()),
                    from, to, granularity.equals("day"))));
        });
    }

    /** The windows of {@code key} that overlap {@code [from, to)}, as hours or summed per UTC day, oldest first. */
    static List<Map<String, Object>> items(ReadOnlyWindowStore<String, VerificationCounts> windows, String key, Instant from,
            Instant to, boolean byDay) {
        TreeMap<Long, VerificationCounts> buckets = new TreeMap<>();
        // A day is summed whole: from the start of the day (UTC) the range begins in.
        Instant firstStart = byDay ? from.truncatedTo(ChronoUnit.DAYS) : Instant.ofEpochMilli(UsageWindows.windowStart(from.toEpochMilli()));
        try (WindowStoreIterator<VerificationCounts> it = windows.fetch(key, firstStart, to.minusMillis(1))) {
            while (it.hasNext()) {
                KeyValue<Long, VerificationCounts> window = it.next();
                long bucket = byDay ? Instant.ofEpochMilli(window.key).truncatedTo(ChronoUnit.DAYS).toEpochMilli() : window.key;
                buckets.merge(bucket, window.value, UsageWindows::plus);
            }
        }
        List<Map<String, Object>> items = new ArrayList<>();
        buckets.forEach((start, counts) -> {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("start", Instant.ofEpochMilli(start).toString());
            item.put("valid", counts.getValid());
            item.put("invalid", new TreeMap<>(counts.getInvalid()));
            items.add(item);
        });
        return items;
    }

    /** The sum of every outcome of {@code key} in {@code [from, to)}: what the credential report calls verifications30d. */
    public static long total(ReadOnlyWindowStore<String, VerificationCounts> windows, String key, Instant from, Instant to) {
        long total = 0;
        try (WindowStoreIterator<VerificationCounts> it = windows.fetch(key, from, to)) {
            while (it.hasNext()) {
                VerificationCounts counts = it.next().value;
                total += counts.getValid() + counts.getInvalid().values().stream().mapToLong(Long::longValue).sum();
            }
        }
        return total;
    }

    private static Instant instant(Context ctx, String name, Instant otherwise) {
        String value = ctx.queryParam(name);
        if (value == null) {
            return otherwise;
        }
        try {
            return java.time.OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw Problem.invalidParameter(name, name + " is an ISO-8601 instant, such as 2026-12-01T00:00:00Z");
        }
    }
}
