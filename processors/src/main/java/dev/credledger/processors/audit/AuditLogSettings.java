package dev.credledger.processors.audit;

import dev.credledger.events.tlog.NoteKey;
import java.time.Duration;
import java.util.Objects;

/**
 * How the audit logs are named and signed.
 *
 * @param name the logs' common name: log {@code p} (partition p of credential-audit) has origin {@code <name>/<p>};
 *     also the signing key's name. A schema-less URL without spaces or '+' (C2SP), unique to the deployment.
 * @param key the Ed25519 key that signs checkpoints
 * @param checkpointInterval a log that grew gets a checkpoint at most this often
 */
public record AuditLogSettings(String name, NoteKey key, Duration checkpointInterval) {

    public AuditLogSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        if (!key.name().equals(name)) {
            throw new IllegalArgumentException("the signing key is named after the log");
        }
        if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
            throw new IllegalArgumentException("--checkpoint-interval must be positive");
        }
    }

    /** A log named {@code name} signed by a new key (tests and benchmarks). */
    public static AuditLogSettings ephemeral(String name, Duration checkpointInterval) {
        return new AuditLogSettings(name, NoteKey.generate(name), checkpointInterval);
    }
}
