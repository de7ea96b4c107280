package dev.credledger.events.sealing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * Envelope encryption as the ledger uses it. A data key (256 random bits) belongs to one account and
 * environment; it is stored only wrapped by a KEK, bound by authenticated data to its account, environment
 * and ID, so a wrapped key moved to another account does not unwrap. A secret is sealed with AES-256-GCM
 * under the data key, bound to its account, environment and secret ID in the same way.
 */
public final class Envelope {

    private Envelope() {}

    /** A data key in the clear, for as long as one computation needs it. {@link #toString()} never shows it. */
    public static final class DataKey implements AutoCloseable {
        private final UUID id;
        private final byte[] key;

        DataKey(UUID id, byte[] key) {
            this.id = id;
            this.key = key;
        }

        /** A data key from bytes kept elsewhere (a cache of unwrapped keys); the bytes are copied. */
        public static DataKey of(UUID id, byte[] key) {
            if (key.length != AesGcm.KEY_BYTES) {
                throw new SealingException("a data key is 256 bits");
            }
            return new DataKey(id, key.clone());
        }

        public UUID id() {
            return id;
        }

        /** A copy of the key bytes, for a cache that overwrites them when it drops them. */
        public byte[] copy() {
            return key.clone();
        }

        byte[] key() {
            return key;
        }

        /** Overwrites the key bytes (best effort: the JVM may have copied them). */
        @Override
        public void close() {
            Arrays.fill(key, (byte) 0);
        }

        @Override
        public String toString() {
            return "DataKey[" + id + "]";
        }
    }

    /** A new data key and its wrapped form, as stored. */
    public record NewDataKey(DataKey key, String kekId, byte[] wrapped) {}

    public static NewDataKey newDataKey(KeyEncryptionKey kek, String account, String environment) {
        UUID id = UUID.randomUUID();
        byte[] key = AesGcm.newKey();
        KeyEncryptionKey.Wrapped wrapped = kek.wrap(key, dataKeyBinding(account, environment, id));
        return new NewDataKey(new DataKey(id, key), wrapped.kekId(), wrapped.wrapped());
    }

    /** Unwraps a stored data key. */
    public static DataKey unwrap(KeyEncryptionKey kek, String kekId, byte[] wrapped, String account, String environment,
            UUID dataKeyId) {
        return new DataKey(dataKeyId, kek.unwrap(kekId, wrapped, dataKeyBinding(account, environment, dataKeyId)));
    }

    /** The data key wrapped again by the current KEK (a rotation): the same key, the same binding. */
    public static KeyEncryptionKey.Wrapped rewrap(KeyEncryptionKey kek, String kekId, byte[] wrapped, String account,
            String environment, UUID dataKeyId) {
        try (DataKey key = unwrap(kek, kekId, wrapped, account, environment, dataKeyId)) {
            return kek.wrap(key.key(), dataKeyBinding(account, environment, dataKeyId));
        }
    }

    public static byte[] seal(DataKey key, byte[] secret, String account, String environment, UUID secretId) {
        return AesGcm.seal(key.key(), secret, secretBinding(account, environment, secretId));
    }

    /** The secret; the caller overwrites it once used. */
    public static byte[] open(DataKey key, byte[] sealed, String account, String environment, UUID secretId) {
        return AesGcm.open(key.key(), sealed, secretBinding(account, environment, secretId));
    }

    static byte[] dataKeyBinding(String account, String environment, UUID dataKeyId) {
        return ("credledger-data-key/v1\n" + account + "\n" + environment + "\n" + dataKeyId).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] secretBinding(String account, String environment, UUID secretId) {
        return ("credledger-sealed-secret/v1\n" + account + "\n" + environment + "\n" + secretId).getBytes(StandardCharsets.UTF_8);
    }
}
