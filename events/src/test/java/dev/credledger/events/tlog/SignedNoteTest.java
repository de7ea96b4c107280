package dev.credledger.events.tlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * C2SP signed notes and tlog checkpoints against vectors this project did not make: golang.org/x/mod/sumdb/note's
 * tests (the PeterNeumann and EnochRoot keys and signatures; Ed25519 is deterministic, so a signature must equal
 * theirs byte for byte), the C2SP spec's own example, transparency-dev/formats' keys, and Go's tree-note format.
 */
class SignedNoteTest {

    private static final String PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    private static final String PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    private static final String TEXT = "If you think cryptography is the answer to your problem,\n"
            + "then you don't know what your problem is.\n";
    private static final String PETER_SIG = "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    private static final String ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    private static final String ENOCH_SIG = "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    @Test
    void signsExactlyAsGoDoesAndDerivesTheSameVerifierKey() {
        NoteKey peter = NoteKey.fromSignerKey(PETER_SKEY);

        assertThat(peter.verifierKey()).isEqualTo(PETER_VKEY);
        assertThat(peter.keyIdHex()).isEqualTo("c74f20a3");
        assertThat(SignedNote.sign(TEXT, peter)).isEqualTo(TEXT + "\n" + PETER_SIG);
    }

    @Test
    void theAllZeroSeedGivesGosEnochRootKeyAndSignature() {
        NoteKey enoch = NoteKey.fromSeed("EnochRoot", new byte[32]);

        assertThat(enoch.verifierKey()).isEqualTo(ENOCH_VKEY);
        assertThat(SignedNote.sign(TEXT, enoch)).isEqualTo(TEXT + "\n" + ENOCH_SIG);
    }

    @Test
    void verifiesGosDoublySignedNoteWithEitherKeyAndIgnoresUnknownSignatures() {
        SignedNote note = SignedNote.parse(TEXT + "\n" + PETER_SIG + ENOCH_SIG);

        assertThat(note.text()).isEqualTo(TEXT);
        assertThat(note.signatures()).hasSize(2);
        assertThat(note.verifiedBy(NoteKey.fromVerifierKey(PETER_VKEY))).isTrue();
        assertThat(note.verifiedBy(NoteKey.fromVerifierKey(ENOCH_VKEY))).isTrue();
        assertThat(note.verifiedBy(NoteKey.generate("PeterNeumann"))).as("same name, another key").isFalse();
    }

    @Test
    void verifiesTheC2spSpecsExample() {
        NoteKey key = NoteKey.fromVerifierKey("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
        SignedNote note = SignedNote.parse("This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n");

        assertThat(note.verifiedBy(key)).isTrue();
    }

    @Test
    void aTamperedTextOrSignatureFailsAndMalformedNotesAreRefused() {
        NoteKey peter = NoteKey.fromVerifierKey(PETER_VKEY);
        assertThat(SignedNote.parse(TEXT.replace("cryptography", "cryptographY") + "\n" + PETER_SIG).verifiedBy(peter)).isFalse();
        String badSig = PETER_SIG.substring(0, 60) + "ABCD" + PETER_SIG.substring(60);
        assertThat(SignedNote.parse(TEXT + "\n" + badSig).verifiedBy(peter)).isFalse();

        for (String malformed : new String[] {TEXT, TEXT + "\n", TEXT + "\n" + PETER_SIG.substring(0, PETER_SIG.length() - 1),
                "\u0001" + TEXT + "\n" + PETER_SIG, TEXT + "\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
                TEXT + "\n" + PETER_SIG + "Unexpected line.\n", TEXT + "\n" + PETER_SIG.repeat(101)}) {
            assertThatThrownBy(() -> SignedNote.parse(malformed)).as(malformed).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void keysWithAWrongIdOrAlgorithmAreRefusedAndTheirBase64MayHoldAPlus() {
        assertThatThrownBy(() -> NoteKey.fromVerifierKey("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NoteKey.fromVerifierKey(PETER_VKEY.replace("c74f20a3", "c74f20a4")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NoteKey.fromVerifierKey("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="))
                .isInstanceOf(IllegalArgumentException.class);
        for (int i = 1; i < PETER_VKEY.length(); i++) {
            String cut = PETER_VKEY.substring(0, i);
            assertThatThrownBy(() -> NoteKey.fromVerifierKey(cut)).as(cut).isInstanceOf(RuntimeException.class);
        }
        assertThat(NoteKey.fromSignerKey("PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ").verifierKey())
                .isEqualTo("Log+2271c621+AemuH5ooBpEPcr+W8onrjA1NfuzBVHdezakU81Ekarvs");
    }

    @Test
    void aPemKeyRoundTripsAndSignsAsItsSeedDoes() {
        NoteKey key = NoteKey.generate("credledger.test/audit");
        NoteKey again = NoteKey.fromPem("credledger.test/audit", key.toPem());

        assertThat(again.verifierKey()).isEqualTo(key.verifierKey());
        assertThat(SignedNote.sign(TEXT, again)).isEqualTo(SignedNote.sign(TEXT, key));
    }

    @Test
    void checkpointsAreFormattedAsGosTreeNoteAndParsedStrictly() {
        byte[] hello = Merkle.leafHash("hello world".getBytes());
        assertThat(new Checkpoint("go.sum database tree", 123456789012L, hello).body())
                .isEqualTo("go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n");
        String sofa = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        Checkpoint parsed = Checkpoint.parse(sofa);
        assertThat(parsed.size()).isEqualTo(20852163);
        assertThat(HexFormat.of().formatHex(parsed.root())).isEqualTo("0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62");
        assertThat(parsed.body()).isEqualTo(sofa);
        for (String bad : new String[] {"Head\n9944\n", "Log\n007\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
                "Log\n-34\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "Log\n12\nYmFuYW5hcw==\n",
                "Log\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", "\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"}) {
            assertThatThrownBy(() -> Checkpoint.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        NoteKey log = NoteKey.fromSignerKey("PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ");
        String note = new Checkpoint("Log", 8, Base64.getDecoder().decode("XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=")).sign(log);
        assertThat(SignedNote.parse(note).verifiedBy(log)).isTrue();
        // The same checkpoint signed by pyca/cryptography's Ed25519 (Python), with transparency-dev/formats' test key.
        assertThat(note).isEqualTo("Log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n\u2014 Log "
                + "InHGISOpEz61FsCXu0BXpYJ8Cas8hE2zlWa/mDDeu9BBTZhaSC6TbTTFpa0XTqiFILMQ4wHwaJiyxacsRkxir1P5wg4=\n");
    }
}
