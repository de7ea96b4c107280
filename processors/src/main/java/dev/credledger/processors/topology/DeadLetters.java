package dev.credledger.processors.topology;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** The headers a dead letter carries: why it was set aside, and where it came from. */
public final class DeadLetters {

    public static final String REASON = "credledger.dlq.reason";
    public static final String ERROR = "credledger.dlq.error";
    public static final String SOURCE = "credledger.dlq.source";

    /** Why a record could not be processed. */
    public enum Reason {
        /** Not the Confluent wire format, unknown schema ID, or bytes that do not match their schema. */
        UNDECODABLE,
        /** Decoded, but breaks a command's own invariants (an invalid account ID, a malformed fingerprint...). */
        INVALID_COMMAND,
        /** The record's key is not the command's account: it would reach the wrong single writer. */
        KEY_MISMATCH
    }

    private DeadLetters() {}

    static Headers headers(Headers original, Reason reason, Exception cause, RecordMetadata source) {
        RecordHeaders headers = new RecordHeaders(original.toArray());
        headers.add(REASON, bytes(reason.name()));
        // Class and message only, never a stack trace; messages of this code base never echo input values.
        String message = cause.getMessage() == null ? "" : cause.getMessage();
        headers.add(ERROR, bytes(cause.getClass().getName() + ": " + message.substring(0, Math.min(message.length(), 500))));
        if (source != null) {
            headers.add(SOURCE, bytes(source.topic() + "-" + source.partition() + "@" + source.offset()));
        }
        return headers;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
