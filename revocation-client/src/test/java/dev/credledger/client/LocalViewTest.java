package dev.credledger.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.events.avro.CredentialKind;
import dev.credledger.events.avro.CredentialRevoked;
import dev.credledger.events.avro.RevocationReason;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.avro.TokenStatus;
import dev.credledger.events.model.Environment;
import dev.credledger.events.secret.IssuedSecret;
import dev.credledger.events.secret.SecretFormat;
import dev.credledger.events.verify.Verification;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Early revocations in the local view, fed by hand (no Kafka): what refuses, what supersedes, what is said late. */
class LocalViewTest {

    private static final Instant T0 = Instant.parse("2026-12-07T03:00:00Z");
    private final LocalView view = new LocalView();
    private final IssuedSecret token = new SecretFormat().issue(dev.credledger.events.model.CredentialKind.AUTH_TOKEN,
            Environment.SANDBOX);
    private final String fingerprint = token.ref().fingerprint().hex();

    @Test
    void anEarlyRevocationRefusesTheTokenAtOnceAndTheLookupUpdateThatFollowsKeepsItRefused() {
        view.applyLookup(fingerprint, lookup(TokenStatus.ACTIVE, T0));
        assertThat(verify().active()).isTrue();

        view.applyEarlyRevocation(revocation(T0.plusSeconds(1)), T0.plusSeconds(1));
        assertThat(verify().active()).isFalse();
        assertThat(verify().reason()).isEqualTo(Verification.Reason.REVOKED);

        // Decided again after an abort: the committed lookup is dated later than the early record. Confirmed.
        view.applyLookup(fingerprint, lookup(TokenStatus.REVOKED, T0.plusSeconds(2)));
        assertThat(view.unconfirmed(T0.plus(Duration.ofHours(1)))).isEmpty();
        assertThat(verify().reason()).isEqualTo(Verification.Reason.REVOKED);
    }

    @Test
    void anEarlyRevocationConfirmedByTheRecordIsNeverDropped() {
        view.applyLookup(fingerprint, lookup(TokenStatus.ACTIVE, T0));
        CredentialRevoked early = revocation(T0.plusSeconds(1));
        view.applyEarlyRevocation(early, T0.plusSeconds(1));
        view.applyRevocation(revocation(T0.plusSeconds(2)));

        assertThat(view.unconfirmed(T0.plus(Duration.ofHours(1)))).isEmpty();
        assertThat(verify().active()).isFalse();
    }

    @Test
    void anEarlyRevocationNothingConfirmsStaysAppliedAndIsReportedLateOnce() {
        view.applyLookup(fingerprint, lookup(TokenStatus.ACTIVE, T0));
        view.applyEarlyRevocation(revocation(T0.plusSeconds(1)), T0.plusSeconds(1));

        Instant afterTheWindow = T0.plusSeconds(1).plus(RevocationClient.EARLY_UNCONFIRMED_AFTER).plusMillis(1);
        assertThat(view.unconfirmed(T0.plusSeconds(1))).as("not before the window has passed").isEmpty();
        assertThat(view.unconfirmed(afterTheWindow)).extracting(CredentialRevoked::getFingerprint).containsExactly(fingerprint);
        assertThat(view.unconfirmed(afterTheWindow)).as("said once").isEmpty();
        assertThat(verify().active()).as("never un-applied").isFalse();
    }

    @Test
    void anEarlyRevocationOlderThanTheLookupEntryChangesNothing() {
        // A reactivation already read: an early record of the revocation before it must not refuse the token again.
        view.applyLookup(fingerprint, lookup(TokenStatus.ACTIVE, T0.plusSeconds(5)));
        view.applyEarlyRevocation(revocation(T0.plusSeconds(1)), T0.plusSeconds(6));

        assertThat(verify().active()).isTrue();
        assertThat(view.unconfirmed(T0.plus(Duration.ofHours(1)))).isEmpty();
    }

    @Test
    void anEarlyRevocationOfTheSameMillisecondAsAnActiveEntryStillRefuses() {
        // Two commands can share a millisecond: the ACTIVE entry of that instant is the older fact.
        view.applyLookup(fingerprint, lookup(TokenStatus.ACTIVE, T0.plusSeconds(1)));
        view.applyEarlyRevocation(revocation(T0.plusSeconds(1)), T0.plusSeconds(1));
        assertThat(verify().active()).isFalse();

        view.applyLookup(fingerprint, lookup(TokenStatus.ACTIVE, T0.plusSeconds(1)));
        assertThat(verify().active()).as("the same ACTIVE entry again does not lift it").isFalse();
        view.applyLookup(fingerprint, lookup(TokenStatus.REVOKED, T0.plusSeconds(1)));
        assertThat(verify().reason()).isEqualTo(Verification.Reason.REVOKED);
    }

    private Verification.Decision verify() {
        return view.verify(token.plaintext(), Environment.SANDBOX, null);
    }

    private TokenLookup lookup(TokenStatus status, Instant updatedAt) {
        return TokenLookup.newBuilder().setSecretId(token.ref().secretId()).setAccountId("acme")
                .setEnvironment(dev.credledger.events.avro.Environment.SANDBOX).setKind(CredentialKind.AUTH_TOKEN)
                .setPrefix(token.ref().prefix()).setStatus(status).setCredentialId(null).setClientId(null)
                .setExpiresAt(null).setRevocationReason(status == TokenStatus.REVOKED ? RevocationReason.TOKEN_COMPROMISED : null)
                .setUpdatedAt(updatedAt).build();
    }

    private CredentialRevoked revocation(Instant revokedAt) {
        return CredentialRevoked.newBuilder().setEventId(UUID.nameUUIDFromBytes(fingerprint.getBytes()))
                .setCredentialId(token.ref().secretId()).setAccountId("acme")
                .setEnvironment(dev.credledger.events.avro.Environment.SANDBOX).setKind(CredentialKind.AUTH_TOKEN)
                .setFingerprint(fingerprint).setPrefix(token.ref().prefix()).setReason(RevocationReason.TOKEN_COMPROMISED)
                .setRevokedAt(revokedAt).setCausedBy(UUID.randomUUID()).build();
    }
}
