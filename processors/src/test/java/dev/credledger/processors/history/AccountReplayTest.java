package dev.credledger.processors.history;

import static dev.credledger.events.model.Environment.SANDBOX;
import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.RefreshReason;
import dev.credledger.processors.domain.Commands;
import dev.credledger.processors.domain.Decider;
import dev.credledger.processors.domain.InMemoryLedgerState;
import dev.credledger.processors.domain.Ledger;
import dev.credledger.processors.domain.Limits;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Folding an account's events gives its state at any point, with the event behind each fact. */
class AccountReplayTest {

    private final Commands cmd = new Commands("replayed");
    private final Ledger ledger = new Ledger(new Decider(Limits.DEFAULT), new InMemoryLedgerState());
    private final List<CredentialEvent> log = new ArrayList<>();
    private Instant now = Instant.parse("2026-11-26T14:00:00Z");

    private List<CredentialEvent> run(dev.credledger.processors.domain.Command c) {
        List<CredentialEvent> events = ledger.handle(c, now).events();
        log.addAll(events);
        now = now.plusSeconds(60);
        return events;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> sandbox(Map<String, Object> state) {
        return (Map<String, Object>) ((Map<String, Object>) state.get("environments")).get("sandbox");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @Test
    void aTokenRevokedSinceIsActiveInTheStateBeforeItsRevocation() {
        var enable = cmd.enable(SANDBOX);
        CredentialEvent enabled = run(enable).getFirst();
        run(cmd.allow(SANDBOX, "203.0.113.0/24"));
        var created = cmd.create(SANDBOX, "billing-sync");
        CredentialEvent createdEvent = run(created).getFirst();
        Instant beforeRefresh = now;
        run(cmd.refresh(SANDBOX, RefreshReason.COMPROMISED, Duration.ZERO));
        run(cmd.deactivate(SANDBOX, created.credentialId()));

        AccountReplay atBefore = new AccountReplay(cmd.account());
        log.stream().filter(e -> e.metadata().occurredAt().isBefore(beforeRefresh)).forEach(atBefore::apply);
        Map<String, Object> then = sandbox(atBefore.state(beforeRefresh));

        assertThat(then.get("apiEnabled")).isEqualTo(true);
        assertThat(map(then.get("authToken")).get("id")).isEqualTo(enable.authToken().secretId());
        assertThat(map(then.get("authToken")).get("fingerprint")).isEqualTo(enable.authToken().fingerprint().hex());
        assertThat(map(then.get("authToken")).get("eventId")).isEqualTo(enabled.metadata().eventId());
        assertThat(map(then.get("authToken")).get("since")).isEqualTo(enabled.metadata().occurredAt().toString());
        assertThat((List<Map<String, Object>>) then.get("credentials")).singleElement()
                .satisfies(c -> {
                    assertThat(c.get("status")).isEqualTo("ACTIVE");
                    assertThat(c.get("eventId")).isEqualTo(createdEvent.metadata().eventId());
                });
        assertThat((List<Map<String, Object>>) then.get("allowedIps")).singleElement()
                .satisfies(ip -> assertThat(ip.get("cidr")).isEqualTo("203.0.113.0/24"));

        AccountReplay atEnd = new AccountReplay(cmd.account());
        log.forEach(atEnd::apply);
        Map<String, Object> later = sandbox(atEnd.state(now));
        assertThat(map(later.get("authToken")).get("id")).isNotEqualTo(enable.authToken().secretId());
        assertThat((List<Map<String, Object>>) later.get("credentials")).singleElement()
                .satisfies(c -> assertThat(c.get("status")).isEqualTo("INACTIVE"));
        assertThat(atEnd.events()).isEqualTo(log.size());
    }

    @Test
    void aHistoryThatStartsLateOrHasAGapIsRefusedRatherThanFoldedWrong() {
        run(cmd.enable(SANDBOX));
        run(cmd.allow(SANDBOX, "203.0.113.0/24"));
        run(cmd.allow(SANDBOX, "198.51.100.0/24"));

        AccountReplay late = new AccountReplay(cmd.account());
        AccountReplay gap = new AccountReplay(cmd.account());
        gap.apply(log.get(0));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> late.apply(log.get(1))).isInstanceOf(HistoryIncomplete.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> gap.apply(log.get(2))).isInstanceOf(HistoryIncomplete.class);
    }

    @Test
    void theEmptyStateBeforeTheFirstEvent() {
        Map<String, Object> state = new AccountReplay(cmd.account()).state(now);

        assertThat(state.get("version")).isEqualTo(0L);
        assertThat(sandbox(state).get("apiEnabled")).isEqualTo(false);
        assertThat(sandbox(state).get("authToken")).isNull();
        assertThat((List<?>) sandbox(state).get("credentials")).isEmpty();
    }

    @Test
    void timelineLinesNameEverySecretByReferenceOnly() {
        run(cmd.enable(SANDBOX));
        run(cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ofMinutes(5)));
        run(cmd.create(SANDBOX, "timeline-cred"));
        run(cmd.disable(SANDBOX));

        List<String> lines = log.stream().map(e -> Timeline.line(e).toString()).toList();

        assertThat(lines).hasSize(4);
        assertThat(cmd.issuedPlaintexts()).hasSize(4)
                .allSatisfy(p -> assertThat(lines).allSatisfy(line -> assertThat(line).doesNotContain(p)));
        assertThat(Timeline.line(log.get(1))).containsEntry("type", "AuthTokenRefreshed");
        assertThat(map(Timeline.line(log.get(1)).get("detail"))).containsKeys("newToken", "previousToken", "graceUntil");
    }
}
