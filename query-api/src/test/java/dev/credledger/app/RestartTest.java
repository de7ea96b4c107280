package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Stop the embedded default and start it again on its data: every credential, view and audit record is there. */
class RestartTest {

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger();

    @Test
    void credentialsViewsAuditAndVerificationSurviveARestart() {
        String base = "/v1/accounts/restart/environments/sandbox";
        String token = LEDGER.http().post(base + "/api/enable", ADMIN, null).json().path("authToken").asText();
        LEDGER.http().post(base + "/allowed-ips", ADMIN, "{\"cidr\":\"192.0.2.0/24\"}");
        JsonNode created = LEDGER.http().post(base + "/credentials", ADMIN, "{\"name\":\"survivor\"}").json();
        JsonNode auditBefore = LEDGER.http().get("/v1/accounts/restart/audit", AUDITOR).json();

        LEDGER.restart();

        JsonNode api = LEDGER.http().get(base + "/api", AUDITOR).json();
        assertThat(api.path("enabled").asBoolean()).isTrue();
        assertThat(api.path("allowedIps").get(0).asText()).isEqualTo("192.0.2.0/24");
        assertThat(LEDGER.http().get(base + "/credentials", AUDITOR).json().path("items")).singleElement()
                .satisfies(i -> assertThat(i.path("credentialId").asText()).isEqualTo(created.path("credentialId").asText()));
        assertThat(LEDGER.http().get("/v1/accounts/restart/audit", AUDITOR).json()).isEqualTo(auditBefore);
        assertThat(LEDGER.http().post("/v1/verify", VERIFIER, "{\"sourceIp\":\"192.0.2.1\"}", "X-Auth-Token", token)
                .json().path("active").asBoolean()).isTrue();
        // And it keeps deciding on the state it had: the name is still taken, the sequence goes on.
        assertThat(LEDGER.http().post(base + "/credentials", ADMIN, "{\"name\":\"survivor\"}").json().path("code").asText())
                .isEqualTo("NAME_TAKEN");
        JsonNode audit = LEDGER.http().get("/v1/accounts/restart/audit", AUDITOR).json();
        assertThat(audit.path("items")).hasSize(4);
        assertThat(audit.path("items").get(3).path("prevHash").asText())
                .isEqualTo(audit.path("items").get(2).path("hash").asText());
    }
}
