package dev.credledger.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.credledger.api.TlsFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS on the HTTP API, on the embedded default with a certificate made here by the JDK's keytool (no openssl needed):
 * HTTPS with TLS 1.2 and 1.3, plain HTTP on the same port never answered, the health probe over TLS trusting the
 * configured certificate, and a key file others may read refused.
 */
class TlsTest {

    private static Path dir;
    private static Path cert;
    private static Path key;
    private static LedgerApplication app;
    private static SSLContext trusting;

    @BeforeAll
    static void startWithTls() throws Exception {
        dir = Files.createTempDirectory("credledger-tls-");
        writeIdentity(dir);
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        app = LedgerApplication.start(Settings.embedded(dir.resolve("data"), 0, 0, 0)
                .withTokens(TestLedger.ADMIN, TestLedger.AUDITOR, TestLedger.VERIFIER)
                .withTls(new Settings.Tls(cert, key)));
        trusting = TlsFiles.trusting(cert);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (status(client("TLSv1.3"), "/health/ready") != 200) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the ledger did not become ready over https");
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void theApiAnswersOverTls12And13AtAnHttpsUrl() throws Exception {
        assertThat(app.httpUrl()).startsWith("https://");
        assertThat(status(client("TLSv1.2"), "/health/live")).isEqualTo(200);
        HttpResponse<String> enabled = client("TLSv1.3").send(HttpRequest.newBuilder(URI.create(app.httpUrl()
                        + "/v1/accounts/tls-a/environments/sandbox/api/enable"))
                .header("Authorization", "Bearer " + TestLedger.ADMIN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(enabled.statusCode()).as(enabled.body()).isEqualTo(201);
    }

    @Test
    void plainHttpOnTheSamePortIsNeverAnswered() {
        String plain = app.httpUrl().replace("https://", "http://") + "/health/live";
        assertThatThrownBy(() -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                .send(HttpRequest.newBuilder(URI.create(plain)).timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefusedTheHandshake() {
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(app.httpUrl()
                + "/health/live")).GET().build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void theHealthProbeReachesTheInstanceOverTlsFromItsConfiguration() {
        String port = Integer.toString(app.httpPort());

        assertThat(HealthProbe.probe(new String[0], Map.of("CREDLEDGER_TLS_CERT", cert.toString(),
                "CREDLEDGER_HTTP_PORT", port))).isTrue();
        assertThat(HealthProbe.probe(new String[0], Map.of("CREDLEDGER_HTTP_PORT", port)))
                .as("plain http to the TLS port").isFalse();
    }

    @Test
    void aKeyFileOthersMayReadIsRefused() throws Exception {
        Path open = dir.resolve("open-key.pem");
        Files.copy(key, open);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> TlsFiles.load(cert, open)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("PRIVATE KEY");
    }

    private static HttpClient client(String protocol) {
        SSLParameters parameters = new SSLParameters();
        parameters.setProtocols(new String[] {protocol});
        return HttpClient.newBuilder().sslContext(trusting).sslParameters(parameters)
                .connectTimeout(Duration.ofSeconds(2)).build();
    }

    private static int status(HttpClient client, String path) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(app.httpUrl() + path)).timeout(Duration.ofSeconds(5))
                    .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** A self-signed EC certificate for localhost and 127.0.0.1, by keytool, written as PEM cert and PKCS#8 key. */
    static void writeIdentity(Path dir) throws Exception {
        Path store = dir.resolve("identity.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "credledger", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor()).as(output).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        Base64.Encoder pem = Base64.getMimeEncoder(64, "\n".getBytes());
        Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\n"
                + pem.encodeToString(ks.getCertificate("credledger").getEncoded()) + "\n-----END CERTIFICATE-----\n");
        Path keyFile = dir.resolve("key.pem");
        Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n"
                + pem.encodeToString(ks.getKey("credledger", "changeit".toCharArray()).getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
    }
}
