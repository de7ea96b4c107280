package dev.credledger.processors.topology;

import static dev.credledger.events.model.Environment.SANDBOX;
import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.events.avro.CredentialEvent;
import dev.credledger.events.avro.CredentialExpired;
import dev.credledger.events.avro.CredentialExpiring;
import dev.credledger.events.avro.CredentialRevoked;
import dev.credledger.events.avro.RevocationReason;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.avro.TokenStatus;
import dev.credledger.events.avro.command.CommandResult;
import dev.credledger.processors.domain.Commands;
import dev.credledger.events.testing.KafkaWithRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Expiries and rotation notices are recorded by the ledger itself, on the wall clock, through the same single writer:
 * the production topology in a {@code TopologyTestDriver} whose clock the test moves.
 */
class ExpiryOnTheWallClockTest {

    @RegisterExtension
    static final KafkaWithRegistry KAFKA = new KafkaWithRegistry();

    private static final Instant START = Instant.parse("2026-11-26T12:00:00Z");

    private LedgerDriver ledger;
    private final Commands cmd = new Commands("acme");

    @BeforeEach
    void start() throws Exception {
        ledger = new LedgerDriver(KAFKA.newClient(), START);
    }

    @AfterEach
    void stop() {
        ledger.close();
    }

    @Test
    void anExpiryIsRecordedOnceWhenDueAndRevokesTheSecretWithReasonExpired() {
        var create = cmd.create(SANDBOX, "billing-sync", START.plusSeconds(120), List.of("payments:read"));
        CommandResult result = ledger.submit(create);
        assertThat(result.getExpiresAt()).isEqualTo(START.plusSeconds(120));
        ledger.events.readValuesToList();
        TokenLookup issued = ledger.tokenLookups.readValuesToList().getLast();
        assertThat(issued.getExpiresAt()).isEqualTo(START.plusSeconds(120));
        assertThat(issued.getScopes()).containsExactly("payments:read");

        ledger.advanceWallClock(Duration.ofSeconds(119));
        assertThat(ledger.events.isEmpty()).as("not yet due").isTrue();
        ledger.advanceWallClock(Duration.ofSeconds(2));

        CredentialEvent event = ledger.events.readValue();
        assertThat(event.getPayload()).isInstanceOfSatisfying(CredentialExpired.class, e -> {
            assertThat(e.getRevoked()).isTrue();
            assertThat(e.getCredentialId()).isEqualTo(create.credentialId());
        });
        assertThat(event.getActor().getChannel().name()).isEqualTo("SYSTEM");
        CredentialRevoked revoked = ledger.revocations.readValue();
        assertThat(revoked.getReason()).isEqualTo(RevocationReason.EXPIRED);
        assertThat(revoked.getFingerprint()).isEqualTo(create.clientSecret().fingerprint().hex());
        TokenLookup lookup = ledger.tokenLookups.readValuesToList().getLast();
        assertThat(lookup.getStatus()).isEqualTo(TokenStatus.REVOKED);
        assertThat(lookup.getRevocationReason()).isEqualTo(RevocationReason.EXPIRED);

        ledger.advanceWallClock(Duration.ofMinutes(5));
        assertThat(ledger.events.isEmpty()).as("recorded once").isTrue();
        assertThat(ledger.revocations.isEmpty()).isTrue();
    }

    @Test
    void aRotationNoticeComesExpiryWarningDaysAheadAndTheExpiryAfterIt() {
        ledger.submit(cmd.policy(null, 1, false));
        var enable = cmd.enable(SANDBOX, START.plus(Duration.ofDays(3)));
        ledger.submit(enable);
        ledger.events.readValuesToList();

        ledger.advanceWallClock(Duration.ofDays(2).minusSeconds(5));
        assertThat(ledger.events.isEmpty()).isTrue();
        ledger.advanceWallClock(Duration.ofSeconds(10));
        assertThat(ledger.events.readValue().getPayload()).isInstanceOfSatisfying(CredentialExpiring.class,
                e -> assertThat(e.getSecret().getSecretId()).isEqualTo(enable.authToken().secretId()));

        ledger.advanceWallClock(Duration.ofDays(1));
        assertThat(ledger.events.readValue().getPayload()).isInstanceOf(CredentialExpired.class);
        assertThat(ledger.revocations.readValue().getReason()).isEqualTo(RevocationReason.EXPIRED);
    }

    @Test
    void aSecretRotatedAwayBeforeItsNoticeGetsNoNoticeAndNoExpiry() {
        var create = cmd.create(SANDBOX, "billing-sync", START.plus(Duration.ofDays(30)), null);
        ledger.submit(create);
        ledger.submit(cmd.delete(SANDBOX, create.credentialId()));
        ledger.events.readValuesToList();
        ledger.revocations.readValuesToList();

        ledger.advanceWallClock(Duration.ofDays(31));

        assertThat(ledger.events.isEmpty()).isTrue();
        assertThat(ledger.revocations.isEmpty()).isTrue();
    }
}
