package dev.credledger.api;

import dev.credledger.events.secret.SecretFormat;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/**
 * Refuses, before anything is sent to Kafka, input that carries what looks like one of the ledger's secrets
 * (pasted into the wrong box): an account ID, a name or a CIDR is a Kafka key or value kept for good. Fragments
 * count ({@link SecretFormat#containsSecretFragment}). The answer names the field, never echoes the value.
 */
public final class SecretInput {

    public static final String CODE = "SECRET_IN_INPUT";

    private SecretInput() {}

    /** {@code value}, or a 422 problem if it carries a secret fragment ({@link #carriesSecret}). */
    public static String refuse(String field, String value) {
        if (carriesSecret(value)) {
            throw new Problem(422, "secret-in-input", "Secret in input", "'" + field + "' contains what looks like a "
                    + "credledger secret; secrets are never stored, so this request was not sent. If it is a real "
                    + "secret, treat it as leaked and refresh or delete it.").with("code", CODE).with("field", field);
        }
        return value;
    }

    /**
     * Whether {@code text} carries the start of one of the ledger's secrets as written, once percent-decoded (a secret
     * in a URL's query, even encoded twice), or with control, format and space characters taken out (a zero-width
     * space or a line break splitting it).
     */
    public static boolean carriesSecret(String text) {
        if (text == null) {
            return false;
        }
        String decoded = text;
        for (int round = 0; round < 3; round++) {
            String squeezed = squeezed(decoded);
            if (SecretFormat.containsSecretFragment(decoded) || SecretFormat.containsSecretFragment(squeezed)) {
                return true;
            }
            String next = percentDecoded(squeezed);
            if (next.equals(decoded)) {
                return false;
            }
            decoded = next;
        }
        return SecretFormat.containsSecretFragment(decoded);
    }

    private static String squeezed(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().filter(cp -> !Character.isISOControl(cp) && !Character.isWhitespace(cp)
                        && !Character.isSpaceChar(cp) && Character.getType(cp) != Character.FORMAT)
                .forEach(out::appendCodePoint);
        return out.toString();
    }

    /** %XX decoded where it is well-formed, left as it is elsewhere ({@code +} stays: a secret has none). */
    private static String percentDecoded(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(text.length());
        byte[] raw = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            int hi = i + 2 < raw.length ? Character.digit(raw[i + 1], 16) : -1;
            int lo = i + 2 < raw.length ? Character.digit(raw[i + 2], 16) : -1;
            if (raw[i] == '%' && hi >= 0 && lo >= 0) {
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                bytes.write(raw[i]);
            }
        }
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Every path and query parameter of the request. */
    public static void checkParameters(Context ctx) {
        for (Map.Entry<String, String> p : ctx.pathParamMap().entrySet()) {
            refuse(p.getKey(), p.getValue());
        }
        for (Map.Entry<String, List<String>> q : ctx.queryParamMap().entrySet()) {
            refuse("query parameter name", q.getKey());
            for (String value : q.getValue()) {
                refuse(q.getKey(), value);
            }
        }
    }

    /**
     * The User-Agent as it may be recorded: withheld whole if any part of it looks like a secret (checked
     * before truncation, so no prefix of a secret slips through), control and format characters (C0, C1,
     * bidi overrides) dropped, at most {@code max} characters without splitting a surrogate pair.
     */
    public static String userAgent(String agent, int max) {
        if (agent == null) {
            return null;
        }
        StringBuilder printable = new StringBuilder(agent.length());
        agent.codePoints()
                .filter(cp -> !Character.isISOControl(cp) && Character.getType(cp) != Character.FORMAT
                        && Character.getType(cp) != Character.UNASSIGNED && Character.getType(cp) != Character.PRIVATE_USE
                        && Character.getType(cp) != Character.SURROGATE)
                .forEach(printable::appendCodePoint);
        // Checked on the raw and on the cleaned text: "clat\t_sbx_..." becomes a fragment once the tab is dropped.
        if (SecretFormat.containsSecretFragment(agent) || SecretFormat.containsSecretFragment(printable.toString())) {
            return "(withheld: it contained a secret)";
        }
        int end = printable.length() <= max ? printable.length()
                : Character.isHighSurrogate(printable.charAt(max - 1)) ? max - 1 : max;
        return printable.substring(0, end);
    }
}
