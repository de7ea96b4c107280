package dev.credledger.api.reports;

import dev.credledger.api.Problem;
import dev.credledger.api.Requests;
import dev.credledger.events.avro.SecretRef;
import dev.credledger.events.avro.state.ApiAccessState;
import dev.credledger.events.avro.state.CredentialState;
import dev.credledger.events.model.Environment;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The credential report, after AWS IAM's: one row per live credential — the current auth token and the private salt
 * of each environment with API access on, and every client credential not deleted — with where it came from, how old
 * it is and when it was last used. Rows are produced one at a time from the view stores of one partition, in key
 * order (account, environment), so a report of any size takes constant memory.
 *
 * <p>Per kind: an auth token's {@code createdAt}/{@code createdBy} are those of the environment's API access (its first
 * token), {@code lastRotatedAt} when the current token replaced an earlier one (null if never), and its age counts from
 * when the current token was issued; a private salt is never rotated (only disable and enable replace it); a client
 * secret neither.
 */
public final class CredentialReport {

    public static final List<String> COLUMNS = List.of("accountId", "environment", "kind", "credentialId", "name", "prefix",
            "status", "createdAt", "createdBy", "lastRotatedAt", "lastUsedAt", "ageDays", "expiresAt", "scopes", "verifications30d");

    /**
     * Which rows: all filters given must hold. {@code unusedForDays}: not used within that many days, counting from
     * the credential's issue when it was never used (a credential made yesterday is not "unused for 90 days").
     * {@code expiringWithinDays}: not yet expired, and expiring within that many days; {@code expired}: whether its
     * expiry has passed (recorded or not).
     */
    public record Filter(Environment environment, Integer olderThanDays, Integer unusedForDays, Boolean neverUsed,
            Integer expiringWithinDays, Boolean expired) {

        public static Filter of(Context ctx) {
            String env = ctx.queryParam("environment");
            return new Filter(env == null ? null : Requests.environment("environment", env), days(ctx, "olderThanDays"),
                    days(ctx, "unusedForDays"), bool(ctx, "neverUsed"), days(ctx, "expiringWithinDays"), bool(ctx, "expired"));
        }

        /** The filter as query parameters, each followed by {@code &} (empty when none): for another instance's part. */
        String query() {
            StringBuilder q = new StringBuilder();
            if (environment != null) {
                q.append("environment=").append(environment.pathName()).append('&');
            }
            if (olderThanDays != null) {
                q.append("olderThanDays=").append(olderThanDays).append('&');
            }
            if (unusedForDays != null) {
                q.append("unusedForDays=").append(unusedForDays).append('&');
            }
            if (neverUsed != null) {
                q.append("neverUsed=").append(neverUsed).append('&');
            }
            if (expiringWithinDays != null) {
                q.append("expiringWithinDays=").append(expiringWithinDays).append('&');
            }
            if (expired != null) {
                q.append("expired=").append(expired).append('&');
            }
            return q.toString();
        }

        boolean keeps(Environment env, Instant issuedAt, Instant lastUsedAt, Instant expiresAt, Instant now) {
            if (environment != null && env != environment) {
                return false;
            }
            boolean isExpired = expiresAt != null && !now.isBefore(expiresAt);
            if (expired != null && expired != isExpired) {
                return false;
            }
            if (expiringWithinDays != null && (expiresAt == null || isExpired
                    || expiresAt.isAfter(now.plus(Duration.ofDays(expiringWithinDays))))) {
                return false;
            }
            if (olderThanDays != null && !Duration.between(issuedAt, now).minusDays(olderThanDays).isPositive()) {
                return false;
            }
            if (neverUsed != null && neverUsed != (lastUsedAt == null)) {
                return false;
            }
            Instant lastActivity = lastUsedAt != null ? lastUsedAt : issuedAt;
            return unusedForDays == null || Duration.between(lastActivity, now).minusDays(unusedForDays).isPositive();
        }

        private static Integer days(Context ctx, String name) {
            String v = ctx.queryParam(name);
            if (v == null) {
                return null;
            }
            try {
                int days = Integer.parseInt(v);
                if (days >= 0 && days <= 36_500) {
                    return days;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw Problem.invalidParameter(name, name + " is a whole number of days, 0 to 36500");
        }

        private static Boolean bool(Context ctx, String name) {
            String v = ctx.queryParam(name);
            if (v == null) {
                return null;
            }
            return switch (v) {
                case "true" -> true;
                case "false" -> false;
                default -> throw Problem.invalidParameter(name, name + " is true or false");
            };
        }
    }

    private final Function<UUID, Instant> lastUse;
    /** The hourly verification counts of the partition being reported. */
    private org.apache.kafka.streams.state.ReadOnlyWindowStore<String, dev.credledger.events.avro.VerificationCounts> usage;
    private final Filter filter;
    private final Instant now;

    public CredentialReport(Function<UUID, Instant> lastUse, Filter filter, Instant now) {
        this.lastUse = lastUse;
        this.filter = filter;
        this.now = now;
    }

    /**
     * Every row of one partition: its API access entries ({@code account|ENV}) and credentials
     * ({@code account|ENV|id}) walked together in key order, so each environment's token and salt precede its
     * credentials.
     */
    public void partition(ReadOnlyKeyValueStore<String, ApiAccessState> access, ReadOnlyKeyValueStore<String, CredentialState> credentials,
            org.apache.kafka.streams.state.ReadOnlyWindowStore<String, dev.credledger.events.avro.VerificationCounts> usage,
            Consumer<Map<String, Object>> rows) {
        this.usage = usage;
        try (KeyValueIterator<String, ApiAccessState> a = access.all(); KeyValueIterator<String, CredentialState> c = credentials.all()) {
            Peeking<ApiAccessState> accesses = new Peeking<>(a);
            Peeking<CredentialState> creds = new Peeking<>(c);
            while (accesses.hasNext() || creds.hasNext()) {
                boolean accessFirst = !creds.hasNext()
                        || (accesses.hasNext() && accesses.peek().key.compareTo(creds.peek().key) < 0);
                if (accessFirst) {
                    KeyValue<String, ApiAccessState> kv = accesses.next();
                    access(kv.key, kv.value, rows);
                } else {
                    KeyValue<String, CredentialState> kv = creds.next();
                    credential(kv.key.substring(0, kv.key.indexOf('|')), kv.value, rows);
                }
            }
        }
    }

    private void access(String key, ApiAccessState a, Consumer<Map<String, Object>> rows) {
        if (!a.getEnabled()) {
            return;
        }
        String account = key.substring(0, key.indexOf('|'));
        Environment env = Environment.valueOf(key.substring(key.indexOf('|') + 1));
        Instant enabledAt = a.getEnabledAt() != null ? a.getEnabledAt() : a.getUpdatedAt();
        // State written before token issue times were kept: the enable time is the best known.
        Instant tokenIssuedAt = a.getTokenIssuedAt() != null ? a.getTokenIssuedAt() : enabledAt;
        emit(rows, account, env, a.getToken(), null, a.getTokenExpired() ? "EXPIRED" : "ACTIVE", enabledAt, a.getEnabledBy(),
                tokenIssuedAt.equals(enabledAt) ? null : tokenIssuedAt, tokenIssuedAt, a.getTokenExpiresAt());
        emit(rows, account, env, a.getSalt(), null, "ACTIVE", enabledAt, a.getEnabledBy(), null, enabledAt, null);
    }

    private void credential(String account, CredentialState c, Consumer<Map<String, Object>> rows) {
        if (c.getStatus().name().equals("DELETED")) {
            return;
        }
        Environment env = Environment.valueOf(c.getEnvironment().name());
        emit(rows, account, env, c.getSecret(), c, c.getStatus().name(), c.getCreatedAt(), c.getCreatedBy(), null,
                c.getCreatedAt(), c.getExpiresAt());
    }

    private void emit(Consumer<Map<String, Object>> rows, String account, Environment env, SecretRef secret,
            CredentialState credential, String status, Instant createdAt, String createdBy, Instant lastRotatedAt,
            Instant issuedAt, Instant expiresAt) {
        Instant lastUsedAt = lastUse.apply(secret.getSecretId());
        if (!filter.keeps(env, issuedAt, lastUsedAt, expiresAt, now)) {
            return;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("accountId", account);
        row.put("environment", env.pathName());
        row.put("kind", secret.getKind().name());
        row.put("credentialId", credential != null ? credential.getCredentialId() : secret.getSecretId());
        row.put("name", credential != null ? credential.getName() : null);
        row.put("prefix", secret.getPrefix());
        row.put("status", status);
        row.put("createdAt", createdAt.toString());
        row.put("createdBy", createdBy);
        row.put("lastRotatedAt", lastRotatedAt == null ? null : lastRotatedAt.toString());
        row.put("lastUsedAt", lastUsedAt == null ? null : lastUsedAt.toString());
        row.put("ageDays", Duration.between(issuedAt, now).toDays());
        row.put("expiresAt", expiresAt == null ? null : expiresAt.toString());
        row.put("scopes", credential == null ? null : credential.getScopes());
        row.put("verifications30d", dev.credledger.api.usage.UsageRoutes.total(usage,
                dev.credledger.processors.topology.UsageWindows.key(account, String.valueOf(row.get("credentialId"))),
                now.minus(Duration.ofDays(30)), now));
        rows.accept(row);
    }

    /** An iterator that can show its next entry without taking it. */
    private static final class Peeking<V> {
        private final Iterator<KeyValue<String, V>> it;
        private KeyValue<String, V> next;

        Peeking(Iterator<KeyValue<String, V>> it) {
            this.it = it;
        }

        boolean hasNext() {
            return next != null || it.hasNext();
        }

        KeyValue<String, V> peek() {
            if (next == null) {
                next = it.next();
            }
            return next;
        }

        KeyValue<String, V> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            KeyValue<String, V> out = peek();
            next = null;
            return out;
        }
    }
}
