package dev.credledger.events.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes that are not in the Confluent wire format, or name a schema the registry does not have:
 * a poison record, not a transient failure. Retrying will not help; dead-letter it.
 */
public class WireFormatException extends SerializationException {

    public WireFormatException(String message) {
        super(message);
    }

    public WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The 4-byte schema ID is not known to the registry. */
    public static final class UnknownSchemaId extends WireFormatException {
        private final int schemaId;

        public UnknownSchemaId(String message, int schemaId, Throwable cause) {
            super(message, cause);
            this.schemaId = schemaId;
        }

        public int schemaId() {
            return schemaId;
        }
    }
}
