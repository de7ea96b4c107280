package dev.credledger.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.secret.IssuedSecret;
import dev.credledger.events.secret.SecretFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code credledger scan}: finds planted secrets by format and checksum, never prints one, and finds none in this project. */
class ScanCommandTest {

    /** What one run of {@code credledger scan} printed and exited with. */
    record Result(int exit, String out, String err) {}

    /** Runs {@code credledger scan ARGS} in this JVM, as the command line would. */
    static Result scan(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine cli = Main.commandLine(new String[0]);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 1];
        all[0] = "scan";
        System.arraycopy(args, 0, all, 1, args.length);
        return new Result(cli.execute(all), out.toString(), err.toString());
    }

    @Test
    void findsAPlantedSecretInADirectoryTreeWithoutPrintingIt() throws Exception {
        SecretFormat format = new SecretFormat();
        IssuedSecret token = format.issue(CredentialKind.AUTH_TOKEN, Environment.LIVE);
        IssuedSecret secret = format.issue(CredentialKind.CLIENT_SECRET, Environment.SANDBOX);
        String mistyped = format.issue(CredentialKind.AUTH_TOKEN, Environment.SANDBOX).plaintext().replace('a', 'b').replace('A', 'B');
        Path root = Files.createTempDirectory("credledger-scan-");
        Files.createDirectories(root.resolve("config/prod"));
        Files.writeString(root.resolve("config/prod/app.env"), "# settings\nAPI_URL=https://example.com\nAUTH=" + token.plaintext() + "\n");
        Files.writeString(root.resolve("notes.md"), "line one\nthe secret \"" + secret.plaintext() + "\" and " + mistyped + "\n");
        Files.createDirectories(root.resolve(".git"));
        Files.writeString(root.resolve(".git/ORIG_HEAD"), token.plaintext());
        Files.write(root.resolve("image.bin"), ("\0binary " + token.plaintext()).getBytes());

        Result r = scan(root.toString());

        assertThat(r.exit).isEqualTo(1);
        assertThat(r.out.lines()).containsExactlyInAnyOrder(
                root.resolve("config/prod/app.env") + ":3:6: " + token.ref().prefix() + " auth token live sha256:" + token.ref().fingerprint().hex(),
                root.resolve("notes.md") + ":2:13: " + secret.ref().prefix() + " client secret sandbox sha256:" + secret.ref().fingerprint().hex());
        assertThat(r.out + r.err).doesNotContain(token.plaintext(), secret.plaintext());
        assertThat(r.err).contains("2 secrets in 3 files");
    }

    @Test
    void findsNothingInThisProjectsOwnSourcesAndExitsZero() {
        Path project = Path.of("..").toAbsolutePath().normalize();
        Result r = scan(project.resolve("events/src").toString(), project.resolve("processors/src").toString(),
                project.resolve("query-api/src").toString(), project.resolve("revocation-client/src").toString(),
                project.resolve("docs").toString(), project.resolve("README.md").toString());

        assertThat(r.exit).as(r.out).isZero();
        assertThat(r.out).isEmpty();
    }

    @Test
    void aMissingPathIsExit2() {
        assertThat(scan("/no/such/path/anywhere").exit).isEqualTo(2);
    }
}
