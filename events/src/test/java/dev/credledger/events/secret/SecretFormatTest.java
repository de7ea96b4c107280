package dev.credledger.events.secret;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.Fingerprint;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class SecretFormatTest {

    private final SecretFormat format = new SecretFormat();

    @ParameterizedTest
    @EnumSource(CredentialKind.class)
    void issuedSecretNamesItsKindAndEnvironmentAndPassesItsChecksum(CredentialKind kind) {
        IssuedSecret secret = format.issue(kind, Environment.LIVE);

        assertThat(secret.plaintext()).matches(kind.marker() + "_live_[0-9A-Za-z]{38}");
        assertThat(SecretFormat.parse(secret.plaintext()))
                .contains(new SecretFormat.Parsed(kind, Environment.LIVE));
    }

    @Test
    void prefixIsKindEnvironmentAndFirstFourRandomCharacters() {
        IssuedSecret secret = format.issue(CredentialKind.AUTH_TOKEN, Environment.SANDBOX);

        assertThat(secret.ref().prefix()).isEqualTo(secret.plaintext().substring(0, "clat_sbx_".length() + 4));
        assertThat(secret.ref().environment()).isEqualTo(Environment.SANDBOX);
    }

    @Test
    void fingerprintIsSha256HexOfTheWholeSecret() {
        IssuedSecret secret = format.issue(CredentialKind.CLIENT_SECRET, Environment.LIVE);

        assertThat(secret.ref().fingerprint()).isEqualTo(Fingerprint.of(secret.plaintext()));
        assertThat(secret.ref().fingerprint().hex()).hasSize(64);
    }

    @Test
    void oneChangedCharacterFailsTheChecksumOffline() {
        String plaintext = format.issue(CredentialKind.AUTH_TOKEN, Environment.LIVE).plaintext();
        char[] chars = plaintext.toCharArray();
        chars[15] = chars[15] == 'a' ? 'b' : 'a';

        assertThat(SecretFormat.parse(new String(chars))).isEmpty();
    }

    @Test
    void randomStringsAndNullAreNotSecrets() {
        assertThat(SecretFormat.parse(null)).isEmpty();
        assertThat(SecretFormat.parse("clat_live_" + "A".repeat(38))).isEmpty();
        assertThat(SecretFormat.parse("Bearer abc")).isEmpty();
        assertThat(SecretFormat.parse("clat_prod_" + "A".repeat(38))).isEmpty();
    }

    @Test
    void issuedSecretsAreDistinct() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            assertThat(seen.add(format.issue(CredentialKind.AUTH_TOKEN, Environment.LIVE).plaintext())).isTrue();
        }
    }

    @Test
    void clientIdsAreRecognisableAndNotSecrets() {
        String clientId = format.newClientId(Environment.SANDBOX);

        assertThat(clientId).matches("clid_sbx_[0-9A-Za-z]{20}");
        assertThat(SecretFormat.isClientId(clientId)).isTrue();
        assertThat(SecretFormat.parse(clientId)).isEmpty();
    }

    @Test
    void findsASecretInsideOtherTextButNotAStringThatOnlyLooksLikeOne() {
        String secret = format.issue(CredentialKind.CLIENT_SECRET, Environment.LIVE).plaintext();

        assertThat(SecretFormat.containsSecret("pasted: " + secret + " by mistake")).isTrue();
        assertThat(SecretFormat.containsSecret(secret.substring(0, 45) + (secret.charAt(45) == 'a' ? 'b' : 'a'))).isFalse();
        assertThat(SecretFormat.containsSecret("billing-sync")).isFalse();
        assertThat(SecretFormat.containsSecret(null)).isFalse();
    }

    @Test
    void issuedSecretToStringDoesNotRevealThePlaintext() {
        IssuedSecret secret = format.issue(CredentialKind.PRIVATE_SALT, Environment.LIVE);

        assertThat(secret.toString()).doesNotContain(secret.plaintext()).contains(secret.ref().prefix());
    }

    @Test
    void theHandWrittenScannerAgreesWithTheFormatsRegularExpressionOnMutatedSecrets() {
        // The reference: the format as a regular expression plus the checksum, the way parse worked before it was
        // scanned by hand for speed.
        java.util.regex.Pattern reference = java.util.regex.Pattern.compile("(clat|clps|clcs)_(sbx|live)_[0-9A-Za-z]{38}");
        java.util.Random random = new java.util.Random(42);
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-é ";
        SecretFormat format = new SecretFormat();
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            String secret = format.issue(CredentialKind.values()[i % 3], Environment.values()[i % 2]).plaintext();
            StringBuilder mutated = new StringBuilder(secret);
            int at = random.nextInt(secret.length());
            switch (random.nextInt(4)) {
                case 0 -> mutated.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                case 1 -> mutated.deleteCharAt(at);
                case 2 -> mutated.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                default -> { } // unchanged
            }
            String candidate = mutated.toString();
            boolean expected = reference.matcher(candidate).matches() && candidate.substring(candidate.length() - 6)
                    .equals(checksumOf(candidate.substring(0, candidate.length() - 6)));
            assertThat(SecretFormat.parse(candidate).isPresent()).as(candidate.substring(0, 12)).isEqualTo(expected);
            accepted += expected ? 1 : 0;
        }
        assertThat(accepted).isBetween(4_000, 10_000); // both outcomes were exercised
    }

    private static String checksumOf(String body) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(body.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        long value = crc.getValue();
        char[] out = new char[6];
        for (int i = 5; i >= 0; i--) {
            out[i] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".charAt((int) (value % 62));
            value /= 62;
        }
        return new String(out);
    }
}
