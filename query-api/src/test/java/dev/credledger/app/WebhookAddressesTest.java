package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.api.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With the default settings, a webhook may not point at the ledger's own network: refused before anything is stored. */
class WebhookAddressesTest {

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger();

    @Test
    void aWebhookToAPrivateLoopbackOrMetadataAddressOrOverPlainHttpIsRefused() {
        String path = "/v1/accounts/ssrf/environments/live/webhooks";
        TestLedger.knownAccount(LEDGER.http(), "ssrf");
        for (String url : new String[] {"https://127.0.0.1/hook", "https://localhost:8443/hook", "https://[::1]/hook",
                "https://169.254.169.254/latest/meta-data/iam", "https://10.0.0.7/internal", "https://192.168.0.1/",
                "https://[fd00:ec2::254]/", "https://0.0.0.0/", "http://8.8.8.8/plain-http"}) {
            Http.Response r = LEDGER.http().post(path, ADMIN, "{\"url\":\"" + url + "\",\"events\":[\"credential.revoked\"]}");
            assertThat(r.status()).as(url + " -> " + r.raw()).isEqualTo(400);
            assertThat(r.header("Content-Type")).startsWith("application/problem+json");
            assertThat(r.json().path("code").asText()).isEqualTo("WEBHOOK_URL_REFUSED");
        }
        Http.Response named = LEDGER.http().post(path, ADMIN, "{\"url\":\"https://localhost/hook\",\"events\":[\"credential.revoked\"]}");
        assertThat(named.json().path("detail").asText()).as("how the ledger resolves names is not told")
                .contains("localhost").doesNotContain("127.0.0.1").doesNotContain("::1");
        assertThat(LEDGER.http().get(path, TestLedger.AUDITOR).json().path("webhooks")).isEmpty();
    }
}
