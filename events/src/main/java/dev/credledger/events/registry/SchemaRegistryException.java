package dev.credledger.events.registry;

/**
 * The registry answered with an error. {@link #errorCode()} is Confluent's code ({@code 40401},
 * {@code 42201}, ...), {@link #httpStatus()} the HTTP status; -1 where there was no answer.
 * Subclasses name the cases a caller may want to handle.
 */
public class SchemaRegistryException extends RuntimeException {

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(String message, int httpStatus, int errorCode) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = -1;
        this.errorCode = -1;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public int errorCode() {
        return errorCode;
    }

    /** The registry could not be reached (connection refused, timeout, TLS failure). Retriable. */
    public static final class Unreachable extends SchemaRegistryException {
        public Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** 40401: the subject does not exist. */
    public static final class SubjectNotFound extends SchemaRegistryException {
        public SubjectNotFound(String message, int httpStatus, int errorCode) {
            super(message, httpStatus, errorCode);
        }
    }

    /** 40402: the subject exists but not that version. */
    public static final class VersionNotFound extends SchemaRegistryException {
        public VersionNotFound(String message, int httpStatus, int errorCode) {
            super(message, httpStatus, errorCode);
        }
    }

    /** 40403: no schema with that ID (or not under that subject). */
    public static final class SchemaNotFound extends SchemaRegistryException {
        public SchemaNotFound(String message, int httpStatus, int errorCode) {
            super(message, httpStatus, errorCode);
        }
    }

    /** 409: the schema breaks the subject's compatibility level. */
    public static final class IncompatibleSchema extends SchemaRegistryException {
        public IncompatibleSchema(String message, int httpStatus, int errorCode) {
            super(message, httpStatus, errorCode);
        }
    }

    /** 42201: the registry could not parse the schema. */
    public static final class InvalidSchema extends SchemaRegistryException {
        public InvalidSchema(String message, int httpStatus, int errorCode) {
            super(message, httpStatus, errorCode);
        }
    }
}
