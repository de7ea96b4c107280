package dev.credledger.processors.wire;

import dev.credledger.events.avro.state.AccountStateRecord;
import dev.credledger.events.avro.state.ApiAccessState;
import dev.credledger.events.avro.state.CredentialState;
import dev.credledger.events.mapping.AvroToDomain;
import dev.credledger.events.mapping.DomainToAvro;
import dev.credledger.events.mapping.Enums;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.Plan;
import dev.credledger.events.model.RefreshReason;
import dev.credledger.processors.domain.AccountState;
import dev.credledger.processors.domain.ApiAccess;
import dev.credledger.processors.domain.Credential;
import dev.credledger.processors.domain.CredentialPolicy;
import dev.credledger.processors.domain.CredentialStatus;
import dev.credledger.processors.domain.GraceToken;

/** Domain state to and from the Avro records kept in state stores. */
public final class StateCodec {

    private StateCodec() {}

    public static AccountStateRecord toAvro(AccountState s) {
        return new AccountStateRecord(Enums.convert(s.plan(), dev.credledger.events.avro.Plan.class), s.sequence(),
                s.stateVersion(), s.lastOccurredAt(), s.liveApiEnabled(), s.activeLiveCredentials(),
                Enums.convert(s.leakMode(), dev.credledger.events.avro.LeakMode.class), s.policy().maxAgeDays(),
                s.policy().expiryWarningDays(), s.policy().requireExpiry());
    }

    public static AccountState fromAvro(AccountStateRecord a) {
        return new AccountState(Enums.convert(a.getPlan(), Plan.class), a.getSequence(), a.getStateVersion(),
                a.getLastOccurredAt(), a.getLiveApiEnabled(), a.getActiveLiveCredentials(),
                Enums.convert(a.getLeakMode(), dev.credledger.events.model.LeakMode.class),
                new CredentialPolicy(a.getMaxAgeDays(), a.getExpiryWarningDays(), a.getRequireExpiry()));
    }

    public static ApiAccessState toAvro(ApiAccess s) {
        GraceToken g = s.graceToken();
        return ApiAccessState.newBuilder()
                .setEnabled(s.enabled())
                .setToken(s.token() == null ? null : DomainToAvro.secret(s.token()))
                .setSalt(s.salt() == null ? null : DomainToAvro.secret(s.salt()))
                .setGraceToken(g == null ? null : DomainToAvro.secret(g.token()))
                .setGraceUntil(g == null ? null : g.graceUntil())
                .setGraceReason(g == null ? null : Enums.convert(g.reason(), dev.credledger.events.avro.RefreshReason.class))
                .setAllowedIps(s.allowedIps())
                .setEnabledAt(s.enabledAt())
                .setUpdatedAt(s.updatedAt())
                .setSealedSalt(DomainToAvro.sealed(s.sealedSalt()))
                .setEnabledBy(s.enabledBy())
                .setTokenIssuedAt(s.tokenIssuedAt())
                .setTokenExpiresAt(s.tokenExpiresAt())
                .setTokenExpired(s.tokenExpired())
                .build();
    }

    public static ApiAccess fromAvro(ApiAccessState a) {
        GraceToken grace = a.getGraceToken() == null ? null : new GraceToken(AvroToDomain.secret(a.getGraceToken()),
                a.getGraceUntil(), Enums.convert(a.getGraceReason(), RefreshReason.class));
        return new ApiAccess(a.getEnabled(),
                a.getToken() == null ? null : AvroToDomain.secret(a.getToken()),
                a.getSalt() == null ? null : AvroToDomain.secret(a.getSalt()),
                grace, a.getAllowedIps(), a.getEnabledAt(), a.getUpdatedAt(), AvroToDomain.sealed(a.getSealedSalt()),
                a.getEnabledBy(), a.getTokenIssuedAt(), a.getTokenExpiresAt(), a.getTokenExpired());
    }

    public static CredentialState toAvro(Credential c) {
        return new CredentialState(c.credentialId(), Enums.convert(c.environment(), dev.credledger.events.avro.Environment.class),
                c.name(), c.clientId(), DomainToAvro.secret(c.secret()),
                Enums.convert(c.status(), dev.credledger.events.avro.state.CredentialStatus.class), c.createdAt(), c.updatedAt(),
                c.createdBy(), c.expiresAt(), c.scopes());
    }

    public static Credential fromAvro(CredentialState a) {
        return new Credential(a.getCredentialId(), Enums.convert(a.getEnvironment(), Environment.class), a.getName(),
                a.getClientId(), AvroToDomain.secret(a.getSecret()), Enums.convert(a.getStatus(), CredentialStatus.class),
                a.getCreatedAt(), a.getUpdatedAt(), a.getCreatedBy(), a.getExpiresAt(), a.getScopes());
    }
}
