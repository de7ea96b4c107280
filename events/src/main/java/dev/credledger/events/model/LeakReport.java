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
        // Only printable text is kept: no control, format (zero-width, bidi override), private-use or unassigned
        // characters, which could hide a secret from the check or disguise the audit text.
        StringBuilder printable = new StringBuilder(value.length());
        value.codePoints().filter(LeakReport::printable).forEach(printable::appendCodePoint);
        String kept = printable.toString();
        if (SecretFormat.containsSecretFragment(value) || SecretFormat.containsSecretFragment(kept)
                || SecretFormat.containsSecretFragment(squeezed(kept))) {
            return WITHHELD;
        }
        int end = kept.length() <= max ? kept.length() : Character.isHighSurrogate(kept.charAt(max - 1)) ? max - 1 : max;
        return kept.substring(0, end);
    }

    private static boolean printable(int cp) {
        int type = Character.getType(cp);
        return !Character.isISOControl(cp) && type != Character.FORMAT && type != Character.UNASSIGNED
                && type != Character.PRIVATE_USE && type != Character.SURROGATE;
    }

    /** The text percent-decoded (leniently) and without white space: how a URL can carry a secret in disguise. */
    private static String squeezed(String text) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length() && Character.digit(text.charAt(i + 1), 16) >= 0
                    && Character.digit(text.charAt(i + 2), 16) >= 0) {
                bytes.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                i += 2;
            } else if (!Character.isWhitespace(c) && c != '+') {
                byte[] b = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
            }
        }
        String decoded = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(decoded.length());
        decoded.codePoints().filter(cp -> printable(cp) && !Character.isWhitespace(cp)).forEach(out::appendCodePoint);
        return out.toString();
    }
}
