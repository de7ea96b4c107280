package dev.credledger.processors.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.events.model.CredentialEvent;
import java.time.Instant;
import java.util.List;

/** Given (commands accepted or events applied), when (a command), then (events or a rejection). */
final class LedgerSpec {

    final InMemoryLedgerState state = new InMemoryLedgerState();
    final Ledger ledger = new Ledger(new Decider(Limits.DEFAULT), state);
    Instant now = Instant.parse("2026-11-26T12:00:00Z");

    /** Applies commands that must be accepted; returns the last one's events. */
    List<CredentialEvent> given(Command... commands) {
        List<CredentialEvent> last = List.of();
        for (Command command : commands) {
            Decision decision = ledger.handle(command, now);
            assertThat(decision).as("given %s", command.type()).isInstanceOf(Decision.Accepted.class);
            last = decision.events();
        }
        return last;
    }

    /** Applies events decided elsewhere. */
    void givenEvents(CredentialEvent... events) {
        for (CredentialEvent event : events) {
            ledger.apply(event);
        }
    }

    Decision when(Command command) {
        return ledger.handle(command, now);
    }

    /** The events of an accepted decision. */
    static List<CredentialEvent> accepted(Decision decision) {
        assertThat(decision).isInstanceOf(Decision.Accepted.class);
        return decision.events();
    }

    static RejectionReason rejected(Decision decision) {
        assertThat(decision).isInstanceOf(Decision.Rejected.class);
        return ((Decision.Rejected) decision).reason();
    }
}
