package dev.credledger.api.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.api.SortedStore;
import dev.credledger.events.mapping.DomainToAvro;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Actor;
import dev.credledger.events.model.Channel;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.secret.SecretFormat;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.domain.CommandMetadata;
import dev.credledger.processors.domain.Decider;
import dev.credledger.processors.domain.InMemoryLedgerState;
import dev.credledger.processors.domain.Ledger;
import dev.credledger.processors.domain.Limits;
import dev.credledger.processors.history.AccountReplay;
import dev.credledger.processors.topology.Keys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A state folded from a snapshot equals the state folded from the first event, at any instant. The store is
 * a sorted map standing in for RocksDB's range scan (what is checked is the snapshot logic).
 */
class StateSnapshotsTest {

    private static final AccountId ACCOUNT = new AccountId("snapshots");
    private static final Actor ACTOR = new Actor("ops", "127.0.0.1", null, Channel.HTTP_API);

    @Test
    void aStateFromASnapshotEqualsTheStateFoldedFromTheStart() {
        List<CredentialEvent> events = history(3 * StateSnapshots.EVERY + 123);
        SortedStore<dev.credledger.events.avro.CredentialEvent> store = new SortedStore<>();
        events.forEach(e -> store.put(Keys.accountEvent(ACCOUNT.value(), e.metadata().sequence()), DomainToAvro.event(e)));
        StateSnapshots snapshots = new StateSnapshots();
        Random random = new Random(11);
        Instant first = events.getFirst().metadata().occurredAt();
        Instant last = events.getLast().metadata().occurredAt();

        // The latest state first (it leaves snapshots behind), then random instants, earlier and later.
        List<Instant> instants = new ArrayList<>(List.of(last, first.minusSeconds(1), first));
        for (int i = 0; i < 40; i++) {
            instants.add(first.plusMillis((long) (random.nextDouble() * (last.toEpochMilli() - first.toEpochMilli()))));
        }
        for (Instant asOf : instants) {
            AccountReplay full = new AccountReplay(ACCOUNT);
            events.stream().filter(e -> !e.metadata().occurredAt().isAfter(asOf)).forEach(full::apply);

            AccountReplay fromSnapshot = snapshots.stateAt(store, ACCOUNT, asOf);

            assertThat(fromSnapshot.state(asOf)).as("as of %s", asOf).isEqualTo(full.state(asOf));
        }
        // The first query folds everything; every later one at most the events after the snapshot before it.
        assertThat(store.reads()).as("snapshots spare reads")
                .isLessThanOrEqualTo(events.size() + (long) instants.size() * (StateSnapshots.EVERY + 2));
        assertThat(snapshots.stateAt(store, new AccountId("nobody"), last)).isNull();
    }

    /** An account's events: enable, then allow-list changes and credentials, one a second. */
    private static List<CredentialEvent> history(int size) {
        Ledger ledger = new Ledger(new Decider(Limits.DEFAULT), new InMemoryLedgerState());
        SecretFormat secrets = new SecretFormat();
        List<CredentialEvent> out = new ArrayList<>();
        Instant t = Instant.parse("2026-11-01T00:00:00Z");
        out.addAll(ledger.handle(new Command.EnableApi(meta(), Environment.SANDBOX,
                secrets.issue(CredentialKind.AUTH_TOKEN, Environment.SANDBOX).ref(),
                secrets.issue(CredentialKind.PRIVATE_SALT, Environment.SANDBOX).ref()), t).events());
        for (int i = 1; out.size() < size; i++) {
            t = t.plusSeconds(1);
            Command c = switch (i % 3) {
                case 0 -> new Command.AllowIp(meta(), Environment.SANDBOX, "10.0." + (i % 250) + ".0/24");
                case 1 -> new Command.RemoveIp(meta(), Environment.SANDBOX, "10.0." + ((i - 1) % 250) + ".0/24");
                default -> new Command.CreateClientCredential(meta(), Environment.SANDBOX, UUID.randomUUID(),
                        "cred-" + i, secrets.newClientId(Environment.SANDBOX),
                        secrets.issue(CredentialKind.CLIENT_SECRET, Environment.SANDBOX).ref());
            };
            out.addAll(ledger.handle(c, t).events());
        }
        return out;
    }

    private static CommandMetadata meta() {
        return new CommandMetadata(UUID.randomUUID(), ACCOUNT, Instant.now(), ACTOR, UUID.randomUUID(), null);
    }
}
