package dev.credledger.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandLineTest {

    private static Settings parse(Map<String, String> env, Path configFile, String... args) {
        ServeCommand serve = new ServeCommand();
        CommandLine cli = new CommandLine(serve);
        cli.setDefaultValueProvider(new ConfigDefaults(env, configFile));
        cli.parseArgs(args);
        return serve.settings();
    }

    @Test
    void withNoOptionsItIsTheEmbeddedDefaultOnPort8080WithDataInDotData() {
        Settings s = parse(Map.of(), null);

        assertThat(s.embeddedKafka()).isTrue();
        assertThat(s.embeddedRegistry()).isTrue();
        assertThat(s.httpPort()).isEqualTo(8080);
        assertThat(s.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(s.commandTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.adminToken()).isNull();
    }

    @Test
    void commandLineBeatsEnvironmentWhichBeatsTheFileWhichBeatsTheDefault(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("credledger.properties");
        Files.writeString(file, "http-port=7001\nkafka-port=7002\nregistry-port=7003\npartitions=9\n");
        Map<String, String> env = Map.of("CREDLEDGER_HTTP_PORT", "6001", "CREDLEDGER_KAFKA_PORT", "6002",
                "CREDLEDGER_ADMIN_TOKEN", "from-env");

        Settings s = parse(env, file, "--http-port", "5001");

        assertThat(s.httpPort()).isEqualTo(5001);
        assertThat(s.kafkaPort()).isEqualTo(6002);
        assertThat(s.registryPort()).isEqualTo(7003);
        assertThat(s.partitions()).isEqualTo(9);
        assertThat(s.adminToken()).isEqualTo("from-env");
        assertThat(s.toString()).doesNotContain("from-env");
    }

    @Test
    void externalClusterAndRegistryReplaceTheEmbeddedOnes() {
        Settings s = parse(Map.of(), null, "--bootstrap-servers", "kafka-1:9092,kafka-2:9092",
                "--schema-registry-url", "http://registry:8081", "--replication-factor", "3",
                "--sealing-key-file", "/run/secrets/sealing-key");

        assertThat(s.sealingKeyFile()).isEqualTo(java.nio.file.Path.of("/run/secrets/sealing-key"));
        assertThat(s.embeddedKafka()).isFalse();
        assertThat(s.embeddedRegistry()).isFalse();
        assertThat(s.replicationFactor()).isEqualTo((short) 3);
    }

    @Test
    void roleKeysCanComeFromOwnerOnlyFilesNeverAlsoFromAValueAndNeverFromAFileOthersMayRead(@TempDir Path dir)
            throws Exception {
        Path admin = dir.resolve("admin.key");
        Files.writeString(admin, "admin-from-file\n");
        Files.setPosixFilePermissions(admin, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path verifier = dir.resolve("verifier.key");
        Files.writeString(verifier, "verifier-from-file");
        Files.setPosixFilePermissions(verifier, java.nio.file.attribute.PosixFilePermissions.fromString("r--------"));

        Settings s = parse(Map.of("CREDLEDGER_VERIFIER_TOKEN_FILE", verifier.toString()), null,
                "--admin-token-file", admin.toString());

        assertThat(s.adminToken()).isEqualTo("admin-from-file");
        assertThat(s.verifierToken()).isEqualTo("verifier-from-file");
        assertThatThrownBy(() -> parse(Map.of(), null, "--admin-token", "x", "--admin-token-file", admin.toString()))
                .hasMessageContaining("not both");
        Files.setPosixFilePermissions(admin, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> parse(Map.of(), null, "--admin-token-file", admin.toString()))
                .hasMessageContaining("readable by others").hasMessageNotContaining("admin-from-file");
    }

    @Test
    void registryCredentialsAndReceiverKeysCanComeFromOwnerOnlyFiles(@TempDir Path dir) throws Exception {
        Path auth = dir.resolve("registry.auth");
        Files.writeString(auth, "credledger:registry-secret\n");
        Files.setPosixFilePermissions(auth, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path receivers = dir.resolve("receivers");
        Files.writeString(receivers, "# receivers\nacme-idp=KEY1\npartner=KEY2\n");
        Files.setPosixFilePermissions(receivers, java.nio.file.attribute.PosixFilePermissions.fromString("r--------"));

        Settings s = parse(Map.of("CREDLEDGER_RECEIVER_TOKENS_FILE", receivers.toString()), null,
                "--schema-registry-basic-auth-file", auth.toString());

        assertThat(s.registryBasicAuth()).isEqualTo("credledger:registry-secret");
        assertThat(s.signals().receiverTokens()).isEqualTo(Map.of("acme-idp", "KEY1", "partner", "KEY2"));
        assertThatThrownBy(() -> parse(Map.of(), null, "--receiver-tokens", "acme-idp"))
                .hasMessageContaining("NAME=KEY");
    }

    @Test
    void badValuesAreRefusedWithTheOptionName() {
        assertThatThrownBy(() -> parse(Map.of(), null, "--command-timeout", "soon"))
                .hasMessageContaining("--command-timeout");
        assertThatThrownBy(() -> parse(Map.of(), null, "--http-port", "70000"))
                .hasMessageContaining("http port");
        assertThatThrownBy(() -> parse(Map.of(), null, "--trusted-proxies", "10.0.0.0/8,proxy.local"))
                .hasMessageContaining("proxy.local");
        assertThatThrownBy(() -> parse(Map.of(), null, "--bootstrap-servers", "kafka:9092"))
                .hasMessageContaining("--schema-registry-url");
    }

    @Test
    void helpDocumentsEveryOptionAndTheEnvironmentVariables() {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine(new String[0]);
        cli.setOut(new PrintWriter(out));

        int code = cli.execute("serve", "--help");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("--http-port", "--registry-port", "--kafka-port", "--data-dir",
                "--bootstrap-servers", "--schema-registry-url", "CREDLEDGER_HTTP_PORT", "CREDLEDGER_ADMIN_TOKEN", "8080",
                "--sealing-key-file", "--signer-token", "CREDLEDGER_SIGNER_TOKEN");
    }
}
