package dev.credledger.events.mapping;

import dev.credledger.events.avro.ApiDisabled;
import dev.credledger.events.avro.ApiEnabled;
import dev.credledger.events.avro.AuthTokenGraceEnded;
import dev.credledger.events.avro.AuthTokenRefreshed;
import dev.credledger.events.avro.ClientCredentialCreated;
import dev.credledger.events.avro.CommandRejected;
import dev.credledger.events.avro.CredentialDeactivated;
import dev.credledger.events.avro.CredentialDeleted;
import dev.credledger.events.avro.CredentialReactivated;
import dev.credledger.events.avro.IpAllowed;
import dev.credledger.events.avro.IpRemoved;
import dev.credledger.events.avro.PlanChanged;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Actor;
import dev.credledger.events.model.Channel;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.CredentialRevoked;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.EventMetadata;
import dev.credledger.events.model.Fingerprint;
import dev.credledger.events.model.Plan;
import dev.credledger.events.model.RefreshReason;
import dev.credledger.events.model.RevocationReason;
import dev.credledger.events.model.SecretRef;
import java.util.List;

/**
 * Avro classes read from the wire to domain records. Values that break a domain invariant (a malformed
 * fingerprint, say) fail here with {@link IllegalArgumentException}, before they reach the domain.
 */
public final class AvroToDomain {

    private AvroToDomain() {}

    /** A value of {@code credential-events} as a domain event. */
    public static CredentialEvent event(dev.credledger.events.avro.CredentialEvent a) {
        EventMetadata m = new EventMetadata(
                a.getEventId(),
                new AccountId(a.getAccountId()),
                Enums.convert(a.getEnvironment(), Environment.class),
                a.getOccurredAt(),
                actor(a.getActor()),
                a.getCorrelationId(),
                a.getCausationId(),
                a.getSequence());
        return switch (a.getPayload()) {
            case ApiEnabled p -> new CredentialEvent.ApiEnabled(m, secret(p.getAuthToken()), secret(p.getPrivateSalt()),
                    sealed(p.getSealedSalt()), p.getTokenExpiresAt());
            case AuthTokenRefreshed p -> new CredentialEvent.AuthTokenRefreshed(
                    m, secret(p.getNewToken()), secret(p.getPreviousToken()),
                    Enums.convert(p.getReason(), RefreshReason.class), p.getGraceUntil(), p.getNewTokenExpiresAt(),
                    p.getPreviousExpired());
            case AuthTokenGraceEnded p -> new CredentialEvent.AuthTokenGraceEnded(
                    m, secret(p.getRevokedToken()), Enums.convert(p.getReason(), RefreshReason.class));
            case ApiDisabled p -> new CredentialEvent.ApiDisabled(m, secrets(p.getRevokedSecrets()), p.getRemovedIps(),
                    p.getShreddedDataKeyId());
            case ClientCredentialCreated p -> new CredentialEvent.ClientCredentialCreated(
                    m, p.getCredentialId(), p.getName(), p.getClientId(), secret(p.getClientSecret()),
                    p.getExpiresAt(), p.getScopes());
            case CredentialDeactivated p ->
                    new CredentialEvent.CredentialDeactivated(m, p.getCredentialId(), secret(p.getClientSecret()));
            case CredentialReactivated p ->
                    new CredentialEvent.CredentialReactivated(m, p.getCredentialId(), secret(p.getClientSecret()));
            case CredentialDeleted p ->
                    new CredentialEvent.CredentialDeleted(m, p.getCredentialId(), p.getName(), secret(p.getClientSecret()));
            case IpAllowed p -> new CredentialEvent.IpAllowed(m, p.getCidr());
            case IpRemoved p -> new CredentialEvent.IpRemoved(m, p.getCidr());
            case PlanChanged p -> new CredentialEvent.PlanChanged(
                    m, Enums.convert(p.getPreviousPlan(), Plan.class), Enums.convert(p.getPlan(), Plan.class));
            case CommandRejected p -> new CredentialEvent.CommandRejected(
                    m, p.getCommandId(), p.getCommandType(), p.getReasonCode(), p.getDetail(), p.getCredentialId());
            case dev.credledger.events.avro.LeakReported p -> new CredentialEvent.LeakReported(m, secret(p.getSecret()),
                    p.getCredentialId(), leakReport(p.getReport()),
                    Enums.convert(p.getOutcome(), dev.credledger.events.model.LeakOutcome.class));
            case dev.credledger.events.avro.LeakPolicyChanged p -> new CredentialEvent.LeakPolicyChanged(m,
                    Enums.convert(p.getPreviousMode(), dev.credledger.events.model.LeakMode.class),
                    Enums.convert(p.getMode(), dev.credledger.events.model.LeakMode.class));
            case dev.credledger.events.avro.DeliveryTargetChanged p -> new CredentialEvent.DeliveryTargetChanged(m,
                    Enums.convert(p.getTargetKind(), CredentialEvent.DeliveryTargetKind.class), p.getTargetId(),
                    Enums.convert(p.getChange(), CredentialEvent.DeliveryChange.class), p.getDestination(),
                    p.getEvents(), p.getReceiver(), p.getStatus());
            case dev.credledger.events.avro.CredentialExpired p -> new CredentialEvent.CredentialExpired(m,
                    secret(p.getSecret()), p.getCredentialId(), p.getExpiresAt(), p.getRevoked());
            case dev.credledger.events.avro.CredentialExpiring p -> new CredentialEvent.CredentialExpiring(m,
                    secret(p.getSecret()), p.getCredentialId(), p.getExpiresAt());
            case dev.credledger.events.avro.CredentialPolicyChanged p -> new CredentialEvent.CredentialPolicyChanged(m,
                    p.getMaxAgeDays(), p.getExpiryWarningDays(), p.getRequireExpiry());
            case dev.credledger.events.avro.CredentialScopesChanged p -> new CredentialEvent.CredentialScopesChanged(m,
                    p.getCredentialId(), secret(p.getClientSecret()), p.getPreviousScopes(), p.getScopes());
            default -> throw new IllegalArgumentException(
                    "unknown credential event payload " + a.getPayload().getClass().getName());
        };
    }

    /** A value of {@code credential-revocations} as a domain revocation. */
    public static CredentialRevoked revocation(dev.credledger.events.avro.CredentialRevoked a) {
        SecretRef secret = new SecretRef(
                a.getCredentialId(), Enums.convert(a.getKind(), CredentialKind.class),
                a.getPrefix(), new Fingerprint(a.getFingerprint()));
        return new CredentialRevoked(
                a.getEventId(), new AccountId(a.getAccountId()), Enums.convert(a.getEnvironment(), Environment.class),
                secret, Enums.convert(a.getReason(), RevocationReason.class), a.getRevokedAt(), a.getCausedBy());
    }

    public static dev.credledger.events.model.LeakReport leakReport(dev.credledger.events.avro.LeakReport r) {
        return new dev.credledger.events.model.LeakReport(r.getReporter(), r.getUrl(), r.getSource(), r.getTokenType());
    }

    /** An Avro actor as the domain's. */
    public static Actor actor(dev.credledger.events.avro.Actor a) {
        return new Actor(a.getActorId(), a.getSourceIp(), a.getUserAgent(), Enums.convert(a.getChannel(), Channel.class));
    }

    /** An Avro secret reference as the domain's; throws on a malformed fingerprint or prefix. */
    public static dev.credledger.events.model.SealedSecret sealed(dev.credledger.events.avro.SealedSecret s) {
        if (s == null) {
            return null;
        }
        if (!"AES-256-GCM".equals(s.getAlgorithm())) {
            throw new IllegalArgumentException("sealed with an unknown algorithm: " + s.getAlgorithm());
        }
        java.nio.ByteBuffer buffer = s.getSealed().duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return new dev.credledger.events.model.SealedSecret(s.getSecretId(), s.getDataKeyId(), s.getKekId(), bytes);
    }

    public static SecretRef secret(dev.credledger.events.avro.SecretRef s) {
        return new SecretRef(
                s.getSecretId(), Enums.convert(s.getKind(), CredentialKind.class), s.getPrefix(),
                new Fingerprint(s.getFingerprint()));
    }

    private static List<SecretRef> secrets(List<dev.credledger.events.avro.SecretRef> secrets) {
        return secrets.stream().map(AvroToDomain::secret).toList();
    }
}
