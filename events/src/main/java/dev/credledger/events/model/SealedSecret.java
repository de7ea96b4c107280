package dev.credledger.events.model;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;

/**
 * A secret the ledger must be able to use, sealed (see {@code dev.credledger.events.sealing.Envelope}):
 * AES-256-GCM output under the data key {@code dataKeyId} of its account and environment, whose wrapping KEK
 * was {@code kekId} when it was sealed. Carries no plaintext; without the data key it is noise.
 */
public record SealedSecret(UUID secretId, UUID dataKeyId, String kekId, byte[] sealed) {

    public SealedSecret {
        Objects.requireNonNull(secretId, "secretId");
        Objects.requireNonNull(dataKeyId, "dataKeyId");
        Objects.requireNonNull(kekId, "kekId");
        sealed = Objects.requireNonNull(sealed, "sealed").clone();
        if (sealed.length < 12 + 16) {
            throw new IllegalArgumentException("a sealed secret holds at least a 96-bit nonce and a 128-bit tag");
        }
    }

    @Override
    public byte[] sealed() {
        return sealed.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SealedSecret other && secretId.equals(other.secretId) && dataKeyId.equals(other.dataKeyId)
                && kekId.equals(other.kekId) && Arrays.equals(sealed, other.sealed);
    }

    @Override
    public int hashCode() {
        return Objects.hash(secretId, dataKeyId, kekId, Arrays.hashCode(sealed));
    }

    @Override
    public String toString() {
        return "SealedSecret[secretId=" + secretId + ", dataKeyId=" + dataKeyId + ", kekId=" + kekId + ", sealed="
                + HexFormat.of().formatHex(sealed, 0, 4) + "…(" + sealed.length + " bytes)]";
    }
}
