package dev.credledger.events.secret;

import dev.credledger.events.model.SecretRef;
import java.util.Objects;

/**
 * A freshly generated secret: the plaintext, to be shown once to whoever asked for it, and the
 * reference the ledger keeps. {@link #toString()} never shows the plaintext, so logging one is safe.
 */
public record IssuedSecret(String plaintext, SecretRef ref) {

    public IssuedSecret {
        Objects.requireNonNull(plaintext, "plaintext");
        Objects.requireNonNull(ref, "ref");
    }

    @Override
    public String toString() {
        return "IssuedSecret[" + ref.prefix() + "…, id=" + ref.secretId() + "]";
    }
}
