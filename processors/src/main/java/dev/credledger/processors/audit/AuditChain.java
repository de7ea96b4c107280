package dev.credledger.processors.audit;

import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.Outcome;
import dev.credledger.events.mapping.DomainToAvro;
import dev.credledger.events.mapping.Enums;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.EventMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/**
 * Builds and checks an account's hash chain.
 *
 * <p>{@code hash = SHA-256(prevHash + "\n" + canonical(record))}, hex. The canonical form lists the
 * record's fields in a fixed order, each as {@code <length>:<value>} (empty for absent values), so no
 * value can be made to look like another: sequence, eventId, accountId, type, environment, occurredAt
 * (epoch millis), actorId, sourceIp, userAgent, channel, outcome, reasonCode, detail, subjectId,
 * commandId, correlationId. The first record of an account has {@link #GENESIS} as its previous hash.
 */
public final class AuditChain {

    /** The previous hash of an account's first record. */
    public static final String GENESIS = "0".repeat(64);

    private AuditChain() {}

    /** The audit record of {@code event}, chained to {@code prevHash}. */
    public static AuditRecord next(String prevHash, CredentialEvent event) {
        EventMetadata m = event.metadata();
        boolean rejected = event instanceof CredentialEvent.CommandRejected;
        AuditRecord.Builder record = AuditRecord.newBuilder()
                .setAccountId(m.accountId().value())
                .setSequence(m.sequence())
                .setEventId(m.eventId())
                .setType(event.getClass().getSimpleName())
                .setEnvironment(Enums.convert(m.environment(), dev.credledger.events.avro.Environment.class))
                .setOccurredAt(m.occurredAt())
                .setActor(DomainToAvro.actor(m.actor()))
                .setOutcome(rejected ? Outcome.REJECTED : Outcome.ACCEPTED)
                .setReasonCode(event instanceof CredentialEvent.CommandRejected r ? r.reasonCode() : null)
                .setDetail(detail(event))
                .setSubjectId(subject(event))
                .setCommandId(m.causationId())
                .setCorrelationId(m.correlationId())
                .setPrevHash(prevHash)
                .setHash("");
        // The hash covers every other field: set last, on the same builder (a copy of the record would deep-copy it).
        return record.setHash(hash(prevHash, record.build())).build();
    }

    /** The hash a record must carry, given the previous record's hash. */
    public static String hash(String prevHash, AuditRecord r) {
        String canonical = field(r.getSequence()) + field(r.getEventId()) + field(r.getAccountId()) + field(r.getType())
                + field(r.getEnvironment()) + field(r.getOccurredAt().toEpochMilli()) + field(r.getActor().getActorId())
                + field(r.getActor().getSourceIp()) + field(r.getActor().getUserAgent()) + field(r.getActor().getChannel())
                + field(r.getOutcome()) + field(r.getReasonCode()) + field(r.getDetail()) + field(r.getSubjectId())
                + field(r.getCommandId()) + field(r.getCorrelationId());
        return sha256(prevHash + "\n" + canonical);
    }

    /**
     * The sequence number of the first record that breaks the chain (wrong previous hash, wrong hash, or a
     * gap in sequence numbers), or empty if the records, oldest first from the account's first, are intact.
     */
    public static Optional<Long> firstBreak(Iterable<AuditRecord> records) {
        String prev = GENESIS;
        long expected = 1;
        for (AuditRecord r : records) {
            if (r.getSequence() != expected || !r.getPrevHash().equals(prev) || !r.getHash().equals(hash(prev, r))) {
                return Optional.of(r.getSequence());
            }
            prev = r.getHash();
            expected++;
        }
        return Optional.empty();
    }

    /**
     * An account's chain checked record by record, oldest first: the first record whose sequence, previous hash or
     * hash is not what the records before it make it, with what was expected and what was found.
     */
    public static final class Check {

        /** The first break: at which record, what the chain required there, and what the record says. */
        public record Break(long sequence, String expected, String found) {}

        private String prev = GENESIS;
        private long expected = 1;
        private long records;
        private Break broken;

        /** Checks the next record; false once the chain is broken (later records are not looked at). */
        public boolean accept(AuditRecord r) {
            if (broken != null) {
                return false;
            }
            records++;
            if (r.getSequence() != expected) {
                broken = new Break(r.getSequence(), "sequence " + expected, "sequence " + r.getSequence());
            } else if (!r.getPrevHash().equals(prev)) {
                broken = new Break(r.getSequence(), prev, r.getPrevHash());
            } else {
                String hash = hash(prev, r);
                if (!r.getHash().equals(hash)) {
                    broken = new Break(r.getSequence(), hash, r.getHash());
                }
            }
            if (broken != null) {
                return false;
            }
            prev = r.getHash();
            expected++;
            return true;
        }

        public long records() {
            return records;
        }

        /** The hash of the last intact record (the chain's head when nothing is broken). */
        public String head() {
            return prev;
        }

        public Optional<Break> broken() {
            return Optional.ofNullable(broken);
        }
    }

    /** What a record says beyond its type and subject: the reason of a rejection, the address or plan changed. */
    private static String detail(CredentialEvent event) {
        return switch (event) {
            case CredentialEvent.CommandRejected r -> r.commandType() + ": " + r.detail();
            case CredentialEvent.IpAllowed e -> "cidr " + e.cidr();
            case CredentialEvent.IpRemoved e -> "cidr " + e.cidr();
            case CredentialEvent.PlanChanged e -> "plan " + e.previousPlan() + " -> " + e.plan();
            case CredentialEvent.LeakReported e -> leak(e);
            case CredentialEvent.LeakPolicyChanged e -> "leak policy " + e.previousMode() + " -> " + e.mode();
            case CredentialEvent.DeliveryTargetChanged e -> delivery(e);
            case CredentialEvent.CredentialExpired e -> e.secret().kind() + " " + e.secret().prefix() + " expired at "
                    + e.expiresAt() + (e.revoked() ? ": revoked" : ": was inactive");
            case CredentialEvent.CredentialExpiring e -> e.secret().kind() + " " + e.secret().prefix() + " expires at "
                    + e.expiresAt();
            case CredentialEvent.CredentialPolicyChanged e -> "credential policy maxAgeDays " + e.maxAgeDays()
                    + ", expiryWarningDays " + e.expiryWarningDays() + ", requireExpiry " + e.requireExpiry();
            case CredentialEvent.CredentialScopesChanged e -> "scopes " + e.previousScopes() + " -> " + e.scopes();
            default -> null;
        };
    }

    private static UUID subject(CredentialEvent event) {
        return switch (event) {
            case CredentialEvent.ApiEnabled e -> e.authToken().secretId();
            case CredentialEvent.AuthTokenRefreshed e -> e.newToken().secretId();
            case CredentialEvent.AuthTokenGraceEnded e -> e.revokedToken().secretId();
            case CredentialEvent.ApiDisabled e -> e.revokedSecrets().isEmpty() ? null : e.revokedSecrets().getFirst().secretId();
            case CredentialEvent.ClientCredentialCreated e -> e.credentialId();
            case CredentialEvent.CredentialDeactivated e -> e.credentialId();
            case CredentialEvent.CredentialReactivated e -> e.credentialId();
            case CredentialEvent.CredentialDeleted e -> e.credentialId();
            case CredentialEvent.IpAllowed e -> null;
            case CredentialEvent.IpRemoved e -> null;
            case CredentialEvent.PlanChanged e -> null;
            case CredentialEvent.CommandRejected e -> e.credentialId();
            case CredentialEvent.LeakReported e -> e.credentialId() != null ? e.credentialId() : e.secret().secretId();
            case CredentialEvent.LeakPolicyChanged e -> null;
            case CredentialEvent.DeliveryTargetChanged e -> uuidOrNull(e.targetId());
            case CredentialEvent.CredentialExpired e -> e.credentialId() != null ? e.credentialId() : e.secret().secretId();
            case CredentialEvent.CredentialExpiring e -> e.credentialId() != null ? e.credentialId() : e.secret().secretId();
            case CredentialEvent.CredentialPolicyChanged e -> null;
            case CredentialEvent.CredentialScopesChanged e -> e.credentialId();
        };
    }

    /** {@code webhook 5f0c… CREATED: https://hooks.example.com [credential.revoked]}, or a stream's, with its receiver. */
    private static String delivery(CredentialEvent.DeliveryTargetChanged e) {
        return (e.targetKind() == CredentialEvent.DeliveryTargetKind.WEBHOOK ? "webhook " : "stream ") + e.targetId() + " "
                + e.change() + (e.receiver() == null ? "" : " of receiver " + e.receiver())
                + (e.destination() == null ? "" : ": " + e.destination()) + (e.events().isEmpty() ? "" : " " + e.events())
                + (e.status() == null ? "" : ", status " + e.status());
    }

    private static UUID uuidOrNull(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Names the report: who reported it, where it was found, and what was done. */
    private static String leak(CredentialEvent.LeakReported e) {
        var r = e.report();
        return "leak of " + e.secret().kind() + " " + e.secret().prefix() + " reported by " + r.reporter()
                + (r.url() == null ? "" : " at " + r.url()) + (r.source() == null ? "" : " (source " + r.source() + ")")
                + ": " + e.outcome();
    }

    private static String field(Object value) {
        String text = value == null ? "" : value.toString();
        return text.length() + ":" + text + ";";
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }
}
