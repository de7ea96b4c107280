package dev.credledger.events.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.credledger.events.secret.IssuedSecret;
import dev.credledger.events.secret.SecretFormat;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DomainInvariantsTest {

    private final IssuedSecret secret = new SecretFormat().issue(CredentialKind.AUTH_TOKEN, Environment.LIVE);

    @Test
    void secretRefRefusesAWholeSecretAsItsPrefixAndDoesNotEchoIt() {
        assertThatThrownBy(() -> new SecretRef(UUID.randomUUID(), CredentialKind.AUTH_TOKEN, secret.plaintext(),
                secret.ref().fingerprint()))
                .isInstanceOf(IllegalArgumentException.class)
                .message().doesNotContain(secret.plaintext());
    }

    @Test
    void fingerprintRefusesAnythingButSha256HexAndDoesNotEchoIt() {
        assertThatThrownBy(() -> new Fingerprint(secret.plaintext()))
                .isInstanceOf(IllegalArgumentException.class)
                .message().doesNotContain(secret.plaintext());
    }

    @Test
    void secretRefRefusesAPrefixOfAnotherKind() {
        assertThatThrownBy(() -> new SecretRef(UUID.randomUUID(), CredentialKind.PRIVATE_SALT, secret.ref().prefix(),
                secret.ref().fingerprint()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eventRefusesASecretOfTheWrongKind() {
        EventMetadata meta = new EventMetadata(UUID.randomUUID(), new AccountId("a"), Environment.LIVE, Instant.now(),
                Actor.system(), null, null, 1);
        assertThatThrownBy(() -> new CredentialEvent.ApiEnabled(meta, secret.ref(), secret.ref()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void accountIdsAreOneToSixtyFourSafeCharacters() {
        assertThat(AccountId.isValid("a")).isTrue();
        assertThat(AccountId.isValid("A-z_09".repeat(10) + "abcd")).isTrue();
        assertThat(AccountId.isValid("x".repeat(65))).isFalse();
        assertThat(AccountId.isValid("")).isFalse();
        assertThat(AccountId.isValid("acme corp")).isFalse();
        assertThat(AccountId.isValid("acme/../x")).isFalse();
    }

    @Test
    void fingerprintsCompareEqualOnlyWhenEqual() {
        Fingerprint a = Fingerprint.of("one");
        assertThat(a.matchesInConstantTime(Fingerprint.of("one"))).isTrue();
        assertThat(a.matchesInConstantTime(Fingerprint.of("two"))).isFalse();
    }

    @Test
    void revocationIdIsStableForTheSameCauseAndSecret() {
        UUID cause = UUID.randomUUID();
        UUID secretId = UUID.randomUUID();
        assertThat(CredentialRevoked.idFor(cause, secretId)).isEqualTo(CredentialRevoked.idFor(cause, secretId));
        assertThat(CredentialRevoked.idFor(cause, secretId)).isNotEqualTo(CredentialRevoked.idFor(cause, UUID.randomUUID()));
    }

    @Test
    void environmentParsesUrlNamesOnly() {
        assertThat(Environment.fromPathName("sandbox")).isEqualTo(Environment.SANDBOX);
        assertThat(Environment.fromPathName("LIVE")).isEqualTo(Environment.LIVE);
        assertThatThrownBy(() -> Environment.fromPathName("production")).isInstanceOf(IllegalArgumentException.class);
    }
}
