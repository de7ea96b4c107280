package dev.credledger.events.model;

/** What a secret is, with the kind marker its plaintext starts with. */
public enum CredentialKind {
    /** The {@code X-Auth-Token} of an account+environment. */
    AUTH_TOKEN("clat"),
    /** The private salt that signs webhooks; only disable + enable makes a new one. */
    PRIVATE_SALT("clps"),
    /** The secret of a named client credential. */
    CLIENT_SECRET("clcs");

    private final String marker;

    CredentialKind(String marker) {
        this.marker = marker;
    }

    public String marker() {
        return marker;
    }

    /** The kind whose marker this is, or {@code null}. */
    static CredentialKind fromMarker(String marker) {
        for (CredentialKind k : values()) {
            if (k.marker.equals(marker)) {
                return k;
            }
        }
        return null;
    }
}
