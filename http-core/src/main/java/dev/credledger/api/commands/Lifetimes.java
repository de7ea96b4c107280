package dev.credledger.api.commands;

import dev.credledger.api.Problem;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What a request may ask of a new secret's life and reach, checked at the edge before a command is sent: an expiry
 * ({@code expiresAt} or a time to live, never both; in the future and at most three years ahead) and scopes (at most
 * 50, each 1–64 characters of {@code [a-z0-9:._-]}, kept sorted and without repeats). The account's credential policy
 * is the ledger's to apply: it may shorten an expiry, or refuse one.
 */
public final class Lifetimes {

    /** The furthest ahead an expiry may be. */
    public static final Duration MAX_LIFETIME = Duration.ofDays(3 * 365 + 1);
    public static final int MAX_SCOPES = 50;
    private static final Pattern SCOPE = Pattern.compile("[a-z0-9:._-]{1,64}");

    private Lifetimes() {}

    /**
     * The expiry asked for, or {@code null} for none: from {@code expiresAt} (ISO-8601 with an offset, like
     * {@code 2027-03-01T00:00:00Z}) or {@code ttl} seconds from {@code now}. Field names are those of the request.
     */
    public static Instant expiry(String expiresAtField, String expiresAt, String ttlField, Long ttl, Instant now) {
        if (expiresAt != null && ttl != null) {
            throw Problem.badRequest("give '" + expiresAtField + "' or '" + ttlField + "', not both");
        }
        Instant latest = now.plus(MAX_LIFETIME);
        if (ttl != null) {
            if (ttl < 1 || ttl > MAX_LIFETIME.toSeconds()) {
                throw Problem.invalidParameter(ttlField, ttlField + " is 1 to " + MAX_LIFETIME.toSeconds() + " seconds (3 years)");
            }
            return now.plusSeconds(ttl);
        }
        if (expiresAt == null) {
            return null;
        }
        Instant at;
        try {
            at = java.time.OffsetDateTime.parse(expiresAt).toInstant();
        } catch (DateTimeParseException e) {
            throw Problem.invalidParameter(expiresAtField, expiresAtField + " is an ISO-8601 instant with an offset, "
                    + "such as 2027-03-01T00:00:00Z");
        }
        if (!at.isAfter(now)) {
            throw Problem.invalidParameter(expiresAtField, expiresAtField + " must be in the future");
        }
        if (at.isAfter(latest)) {
            throw Problem.invalidParameter(expiresAtField, expiresAtField + " is at most 3 years ahead");
        }
        return at;
    }

    /** The scopes asked for, sorted and without repeats, or {@code null} (unrestricted) when the field was absent. */
    public static List<String> scopes(String field, List<String> scopes) {
        if (scopes == null) {
            return null;
        }
        if (scopes.size() > MAX_SCOPES) {
            throw Problem.invalidParameter(field, "at most " + MAX_SCOPES + " scopes");
        }
        TreeSet<String> sorted = new TreeSet<>();
        for (String scope : scopes) {
            if (scope == null || !SCOPE.matcher(scope).matches()) {
                throw Problem.invalidParameter(field, "a scope is 1-64 characters of a-z, 0-9, ':', '.', '_' and '-'");
            }
            sorted.add(scope);
        }
        return List.copyOf(sorted);
    }
}
