package dev.credledger.events.testing;

import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Actor;
import dev.credledger.events.model.Channel;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.CredentialRevoked;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.EventMetadata;
import dev.credledger.events.model.Plan;
import dev.credledger.events.model.RefreshReason;
import dev.credledger.events.model.RevocationReason;
import dev.credledger.events.model.SecretRef;
import dev.credledger.events.secret.SecretFormat;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** One of every event, with every optional field set, for round-trip tests. */
public final class SampleEvents {

    private static final SecretFormat SECRETS = new SecretFormat();
    private static final AccountId ACCOUNT = new AccountId("acme-corp_1");

    private SampleEvents() {}

    public static List<CredentialEvent> oneOfEach() {
        SecretRef token = secret(CredentialKind.AUTH_TOKEN);
        SecretRef salt = secret(CredentialKind.PRIVATE_SALT);
        SecretRef newToken = secret(CredentialKind.AUTH_TOKEN);
        SecretRef clientSecret = secret(CredentialKind.CLIENT_SECRET);
        UUID credentialId = UUID.randomUUID();
        UUID dataKeyId = UUID.randomUUID();
        byte[] sealed = new byte[12 + 46 + 16];
        new java.util.Random(1).nextBytes(sealed);
        return List.of(
                new CredentialEvent.ApiEnabled(meta(1, Environment.LIVE), token, salt,
                        new dev.credledger.events.model.SealedSecret(salt.secretId(), dataKeyId, "kek-0011223344556677", sealed)),
                new CredentialEvent.AuthTokenRefreshed(meta(2, Environment.LIVE), newToken, token,
                        RefreshReason.COMPROMISED, Instant.parse("2026-11-26T10:15:30.123Z")),
                new CredentialEvent.AuthTokenGraceEnded(meta(3, Environment.LIVE), token, RefreshReason.ROUTINE),
                new CredentialEvent.IpAllowed(meta(4, Environment.LIVE), "203.0.113.0/24"),
                new CredentialEvent.IpRemoved(meta(5, Environment.LIVE), "2001:db8::/32"),
                new CredentialEvent.ApiDisabled(meta(6, Environment.LIVE), List.of(newToken, salt),
                        List.of("203.0.113.0/24", "198.51.100.7/32"), dataKeyId),
                new CredentialEvent.ClientCredentialCreated(meta(7, Environment.LIVE), credentialId, "billing-sync",
                        SECRETS.newClientId(Environment.LIVE), clientSecret),
                new CredentialEvent.CredentialDeactivated(meta(8, Environment.LIVE), credentialId, clientSecret),
                new CredentialEvent.CredentialReactivated(meta(9, Environment.LIVE), credentialId, clientSecret),
                new CredentialEvent.CredentialDeleted(meta(10, Environment.LIVE), credentialId, "billing-sync", clientSecret),
                new CredentialEvent.PlanChanged(meta(11, null), Plan.FREE, Plan.TEAMS),
                new CredentialEvent.CommandRejected(meta(12, Environment.SANDBOX), UUID.randomUUID(), "RefreshAuthToken",
                        "API_NOT_ENABLED", "API access is not enabled for sandbox", null),
                new CredentialEvent.CommandRejected(meta(13, Environment.SANDBOX), UUID.randomUUID(), "DeleteCredential",
                        "CREDENTIAL_DELETED", "credential is deleted; delete is final", credentialId),
                new CredentialEvent.LeakReported(meta(14, Environment.LIVE), clientSecret, credentialId,
                        new dev.credledger.events.model.LeakReport("github-key-1", "https://github.com/o/r/blob/abc/app.env",
                                "content", "credledger_client_secret"), dev.credledger.events.model.LeakOutcome.REVOKED),
                new CredentialEvent.LeakPolicyChanged(meta(15, null), dev.credledger.events.model.LeakMode.REVOKE,
                        dev.credledger.events.model.LeakMode.NOTIFY),
                new CredentialEvent.DeliveryTargetChanged(meta(16, Environment.LIVE), CredentialEvent.DeliveryTargetKind.WEBHOOK,
                        UUID.randomUUID().toString(), CredentialEvent.DeliveryChange.SECRET_ROTATED,
                        "https://hooks.example.com:8443", List.of("credential.revoked"), null, null),
                new CredentialEvent.ClientCredentialCreated(meta(17, Environment.LIVE), credentialId, "reports-reader",
                        SECRETS.newClientId(Environment.LIVE), clientSecret, Instant.parse("2027-02-24T10:15:30.789Z"),
                        List.of("payments:read", "reports.export")),
                new CredentialEvent.AuthTokenRefreshed(meta(18, Environment.LIVE), newToken, token, RefreshReason.ROUTINE, null,
                        Instant.parse("2027-01-01T00:00:00Z"), true),
                new CredentialEvent.CredentialExpired(meta(19, Environment.LIVE), clientSecret, credentialId,
                        Instant.parse("2027-02-24T10:15:30.789Z"), true),
                new CredentialEvent.CredentialExpiring(meta(20, Environment.LIVE), token, null, Instant.parse("2027-01-01T00:00:00Z")),
                new CredentialEvent.CredentialPolicyChanged(meta(21, null), 90, 14, true),
                new CredentialEvent.CredentialScopesChanged(meta(22, Environment.LIVE), credentialId, clientSecret,
                        List.of("payments:read", "reports.export"), null));
    }

    public static CredentialRevoked revocation() {
        return CredentialRevoked.of(ACCOUNT, Environment.LIVE, secret(CredentialKind.AUTH_TOKEN),
                RevocationReason.TOKEN_COMPROMISED, Instant.parse("2026-11-26T10:15:30.456Z"), UUID.randomUUID());
    }

    public static SecretRef secret(CredentialKind kind) {
        return SECRETS.issue(kind, Environment.LIVE).ref();
    }

    private static EventMetadata meta(long sequence, Environment environment) {
        return new EventMetadata(UUID.randomUUID(), ACCOUNT, environment, Instant.parse("2026-11-26T10:00:00.789Z"),
                new Actor("alice@example.com", "198.51.100.23", "curl/8.5.0", Channel.HTTP_API),
                UUID.randomUUID(), UUID.randomUUID(), sequence);
    }
}
