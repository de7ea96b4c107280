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

    /** {@code value}, or a 422 problem if it carries a secret fragment. */
    public static String refuse(String field, String value) {
        if (SecretFormat.containsSecretFragment(value)) {
            throw new Problem(422, "secret-in-input", "Secret in input", "'" + field + "' contains what looks like a "
                    + "credledger secret; secrets are never stored, so this request was not sent. If it is a real "
                    + "secret, treat it as leaked and refresh or delete it.").with("code", CODE).with("field", field);
        }
        return value;
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
