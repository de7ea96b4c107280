package dev.credledger.events.mapping;

import dev.credledger.events.avro.Actor;
import dev.credledger.events.avro.ApiDisabled;
import dev.credledger.events.avro.ApiEnabled;
import dev.credledger.events.avro.AuthTokenGraceEnded;
import dev.credledger.events.avro.AuthTokenRefreshed;
import dev.credledger.events.avro.Channel;
import dev.credledger.events.avro.ClientCredentialCreated;
import dev.credledger.events.avro.CommandRejected;
import dev.credledger.events.avro.CredentialDeactivated;
import dev.credledger.events.avro.CredentialDeleted;
import dev.credledger.events.avro.CredentialKind;
import dev.credledger.events.avro.CredentialReactivated;
import dev.credledger.events.avro.Environment;
import dev.credledger.events.avro.IpAllowed;
import dev.credledger.events.avro.IpRemoved;
import dev.credledger.events.avro.Plan;
import dev.credledger.events.avro.PlanChanged;
import dev.credledger.events.avro.RefreshReason;
import dev.credledger.events.avro.RevocationReason;
import dev.credledger.events.avro.SecretRef;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.CredentialRevoked;
import dev.credledger.events.model.EventMetadata;
import java.util.List;

/** Domain records to the Avro classes that go on the wire. */
public final class DomainToAvro {

    private DomainToAvro() {}

    /** A domain event as the value of {@code credential-events}. */
    public static dev.credledger.events.avro.CredentialEvent event(CredentialEvent event) {
        EventMetadata m = event.metadata();
        return dev.credledger.events.avro.CredentialEvent.newBuilder()
                .setEventId(m.eventId())
                .setAccountId(m.accountId().value())
                .setEnvironment(Enums.convert(m.environment(), Environment.class))
                .setOccurredAt(m.occurredAt())
                .setActor(actor(m.actor()))
                .setCorrelationId(m.correlationId())
                .setCausationId(m.causationId())
                .setSequence(m.sequence())
                .setPayload(payload(event))
                .build();
    }

    /** A domain revocation as the value of {@code credential-revocations}. */
    public static dev.credledger.events.avro.CredentialRevoked revocation(CredentialRevoked r) {
        return dev.credledger.events.avro.CredentialRevoked.newBuilder()
                .setEventId(r.eventId())
                .setCredentialId(r.secret().secretId())
                .setAccountId(r.accountId().value())
                .setEnvironment(Enums.convert(r.environment(), Environment.class))
                .setKind(Enums.convert(r.secret().kind(), CredentialKind.class))
                .setFingerprint(r.secret().fingerprint().hex())
                .setPrefix(r.secret().prefix())
                .setReason(Enums.convert(r.reason(), RevocationReason.class))
                .setRevokedAt(r.revokedAt())
                .setCausedBy(r.causedBy())
                .build();
    }

    private static Object payload(CredentialEvent event) {
        return switch (event) {
            case CredentialEvent.ApiEnabled e -> new ApiEnabled(secret(e.authToken()), secret(e.privateSalt()),
                    sealed(e.sealedSalt()), e.tokenExpiresAt());
            case CredentialEvent.AuthTokenRefreshed e -> new AuthTokenRefreshed(
                    secret(e.newToken()), secret(e.previousToken()),
                    Enums.convert(e.reason(), RefreshReason.class), e.graceUntil(), e.newTokenExpiresAt(), e.previousExpired());
            case CredentialEvent.AuthTokenGraceEnded e -> new AuthTokenGraceEnded(
                    secret(e.revokedToken()), Enums.convert(e.reason(), RefreshReason.class));
            case CredentialEvent.ApiDisabled e -> new ApiDisabled(secrets(e.revokedSecrets()), e.removedIps(),
                    e.shreddedDataKeyId());
            case CredentialEvent.ClientCredentialCreated e -> new ClientCredentialCreated(
                    e.credentialId(), e.name(), e.clientId(), secret(e.clientSecret()), e.expiresAt(), e.scopes());
            case CredentialEvent.CredentialDeactivated e ->
                    new CredentialDeactivated(e.credentialId(), secret(e.clientSecret()));
            case CredentialEvent.CredentialReactivated e ->
                    new CredentialReactivated(e.credentialId(), secret(e.clientSecret()));
            case CredentialEvent.CredentialDeleted e ->
                    new CredentialDeleted(e.credentialId(), e.name(), secret(e.clientSecret()));
            case CredentialEvent.IpAllowed e -> new IpAllowed(e.cidr());
            case CredentialEvent.IpRemoved e -> new IpRemoved(e.cidr());
            case CredentialEvent.PlanChanged e -> new PlanChanged(
                    Enums.convert(e.previousPlan(), Plan.class), Enums.convert(e.plan(), Plan.class));
            case CredentialEvent.CommandRejected e ->
                    new CommandRejected(e.commandId(), e.commandType(), e.reasonCode(), e.detail(), e.credentialId());
            case CredentialEvent.LeakReported e -> new dev.credledger.events.avro.LeakReported(secret(e.secret()),
                    e.credentialId(), leakReport(e.report()),
                    Enums.convert(e.outcome(), dev.credledger.events.avro.LeakOutcome.class));
            case CredentialEvent.LeakPolicyChanged e -> new dev.credledger.events.avro.LeakPolicyChanged(
                    Enums.convert(e.previousMode(), dev.credledger.events.avro.LeakMode.class),
                    Enums.convert(e.mode(), dev.credledger.events.avro.LeakMode.class));
            case CredentialEvent.DeliveryTargetChanged e -> new dev.credledger.events.avro.DeliveryTargetChanged(
                    Enums.convert(e.targetKind(), dev.credledger.events.avro.DeliveryTargetKind.class), e.targetId(),
                    Enums.convert(e.change(), dev.credledger.events.avro.DeliveryChange.class), e.destination(),
                    e.events(), e.receiver(), e.status());
            case CredentialEvent.CredentialExpired e -> new dev.credledger.events.avro.CredentialExpired(
                    secret(e.secret()), e.credentialId(), e.expiresAt(), e.revoked());
            case CredentialEvent.CredentialExpiring e -> new dev.credledger.events.avro.CredentialExpiring(
                    secret(e.secret()), e.credentialId(), e.expiresAt());
            case CredentialEvent.CredentialPolicyChanged e -> new dev.credledger.events.avro.CredentialPolicyChanged(
                    e.maxAgeDays(), e.expiryWarningDays(), e.requireExpiry());
            case CredentialEvent.CredentialScopesChanged e -> new dev.credledger.events.avro.CredentialScopesChanged(
                    e.credentialId(), secret(e.clientSecret()), e.previousScopes(), e.scopes());
        };
    }

    public static dev.credledger.events.avro.LeakReport leakReport(dev.credledger.events.model.LeakReport r) {
        return new dev.credledger.events.avro.LeakReport(r.reporter(), r.url(), r.source(), r.tokenType());
    }

    /** An actor as its Avro record. */
    public static Actor actor(dev.credledger.events.model.Actor a) {
        return new Actor(a.actorId(), a.sourceIp(), a.userAgent(), Enums.convert(a.channel(), Channel.class));
    }

    /** A secret reference as its Avro record. */
    public static dev.credledger.events.avro.SealedSecret sealed(dev.credledger.events.model.SealedSecret s) {
        return s == null ? null : new dev.credledger.events.avro.SealedSecret(s.secretId(), s.dataKeyId(), s.kekId(),
                "AES-256-GCM", java.nio.ByteBuffer.wrap(s.sealed()));
    }

    public static SecretRef secret(dev.credledger.events.model.SecretRef s) {
        return new SecretRef(
                s.secretId(), Enums.convert(s.kind(), CredentialKind.class), s.prefix(), s.fingerprint().hex());
    }

    private static List<SecretRef> secrets(List<dev.credledger.events.model.SecretRef> secrets) {
        return secrets.stream().map(DomainToAvro::secret).toList();
    }
}
