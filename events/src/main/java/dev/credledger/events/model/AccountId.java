package dev.credledger.events.model;

import java.util.Objects;
import java.util.regex.Pattern;

/** An account's ID: 1–64 characters of {@code A-Z a-z 0-9 _ -}. */
public record AccountId(String value) {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /**
     * The Shared Signals transmitter's own account: its audit trail records who changed which stream. Reserved: no
     * command of the credential API may name it.
     */
    public static final AccountId SSF_TRANSMITTER = new AccountId("_ssf");

    public AccountId {
        Objects.requireNonNull(value, "account ID");
        if (!VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("account ID must be 1-64 characters of A-Z a-z 0-9 _ -");
        }
    }

    public static boolean isValid(String value) {
        return value != null && VALID.matcher(value).matches();
    }

    @Override
    public String toString() {
        return value;
    }
}
