package dev.credledger.events.model;

import dev.credledger.events.secret.SecretFormat;
import java.util.Objects;

/**
 * Where a secret scanner found a secret, as it said. Every field comes from outside: each is bounded to printable
 * text of a fixed length, and a field that holds anything shaped like a credledger secret is withheld — a report must
 * not carry a secret into the log that records it.
 *
 * @param reporter the key identifier that signed the report, or the role whose key sent it unsigned
 * @param url where the secret was found, or {@code null}
 * @param source the kind of place (GitHub: {@code content}, {@code commit}, {@code gist}, ...), or {@code null}
 * @param tokenType the scanner's name for what it matched, or {@code null}
 */
public record LeakReport(String reporter, String url, String source, String tokenType) {

    public static final int MAX_URL = 2048;
    public static final int MAX_NAME = 128;
    static final String WITHHELD = "(withheld: it looked like a secret)";

    public LeakReport {
        Objects.requireNonNull(reporter, "reporter");
        reporter = clean(reporter, MAX_NAME);
        url = clean(url, MAX_URL);
        source = clean(source, MAX_NAME);
        tokenType = clean(tokenType, MAX_NAME);
    }

    private static String clean(String value, int max) {
        if (value == null) {
            return null;
        }
        if (SecretFormat.containsSecretFragment(value)) {
            return WITHHELD;
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), max));
        value.codePoints().limit(max).forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return out.toString();
    }
}
