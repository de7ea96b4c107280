package dev.credledger.processors.domain;

import dev.credledger.events.secret.SecretFormat;
import java.util.regex.Pattern;

/**
 * Names of client credentials: 6–64 characters, only letters, digits, {@code _} and {@code -}, no spaces,
 * and never one of the ledger's own secrets (which fit those rules: a pasted secret must not become a name).
 */
public final class CredentialNames {

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{6,64}");

    private CredentialNames() {}

    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches() && !SecretFormat.containsSecretFragment(name);
    }
}
