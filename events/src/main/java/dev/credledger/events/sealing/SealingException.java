package dev.credledger.events.sealing;

/** Sealing or unsealing failed. The message names what, never key material or plaintext. */
public final class SealingException extends RuntimeException {

    public SealingException(String message) {
        super(message);
    }

    public SealingException(String message, Throwable cause) {
        // The cause's own message is dropped: JCE messages are generic, but nothing key-related may pass.
        super(message + " (" + cause.getClass().getSimpleName() + ")");
    }
}
