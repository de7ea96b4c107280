package dev.credledger.events.sealing;

/**
 * Wraps and unwraps data keys; the only place a key-encryption key (KEK) is used. {@link FileKeyring} keeps
 * KEKs in a local file; a cloud KMS fits behind the same four methods (wrap and unwrap are its Encrypt and
 * Decrypt with the authenticated data as encryption context; the KEK ID is the KMS key's ID or ARN).
 *
 * <p>Implementations never put key material in an exception message, a log line or {@code toString()}.
 */
public interface KeyEncryptionKey {

    /** The KEK that wraps new data keys. */
    String currentId();

    /** Whether {@code kekId} can still unwrap (the current KEK, or an older one kept during a rotation). */
    boolean canUnwrap(String kekId);

    /** A data key wrapped, and the KEK that wrapped it. */
    record Wrapped(String kekId, byte[] wrapped) {}

    /** {@code dataKey} wrapped by the current KEK, bound to {@code associatedData}. */
    Wrapped wrap(byte[] dataKey, byte[] associatedData);

    /**
     * The data key {@code wrapped} by {@code kekId} with the same {@code associatedData}.
     *
     * @throws SealingException if the KEK is unknown, or the wrapped key or its binding was altered
     */
    byte[] unwrap(String kekId, byte[] wrapped, byte[] associatedData);
}
