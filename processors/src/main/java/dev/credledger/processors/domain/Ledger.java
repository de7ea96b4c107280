package dev.credledger.processors.domain;

import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.Environment;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Loads the slice a command or event touches from {@link LedgerState}, decides or evolves it, and writes
 * back what changed. The one place that knows which keys a command needs.
 */
public final class Ledger {

    private final Decider decider;
    private final LedgerState state;

    public Ledger(Decider decider, LedgerState state) {
        this.decider = Objects.requireNonNull(decider, "decider");
        this.state = state;
    }

    private Ledger(LedgerState state) {
        this.decider = null;
        this.state = state;
    }

    /** A ledger that only applies events decided elsewhere: for views and replays. */
    public static Ledger replaying(LedgerState state) {
        return new Ledger(state);
    }

    /** Decides {@code command} and applies its events to the state. */
    public Decision handle(Command command, Instant now) {
        if (decider == null) {
            throw new IllegalStateException("a replaying ledger does not decide commands");
        }
        AccountId account = command.metadata().accountId();
        UUID credentialId = switch (command) {
            case Command.CreateClientCredential c -> c.credentialId();
            case Command.DeactivateCredential c -> c.credentialId();
            case Command.ReactivateCredential c -> c.credentialId();
            case Command.DeleteCredential c -> c.credentialId();
            case Command.ReportLeak c -> c.credentialId();
            case Command.SetCredentialScopes c -> c.credentialId();
            case Command.ExpireSecret c -> c.credentialId();
            case Command.WarnOfExpiry c -> c.credentialId();
            default -> null;
        };
        String name = command instanceof Command.CreateClientCredential c ? c.name() : null;
        Slice slice = load(account, command.environment(), credentialId, name);
        Decision decision = decider.decide(command, slice, now);
        apply(slice, decision.events());
        return decision;
    }

    /** Applies an event decided earlier (rebuilding state or a view from the log). */
    public void apply(CredentialEvent event) {
        UUID credentialId = credentialIdOf(event);
        String name = switch (event) {
            case CredentialEvent.ClientCredentialCreated e -> e.name();
            case CredentialEvent.CredentialDeleted e -> e.name();
            default -> null;
        };
        apply(load(event.metadata().accountId(), event.metadata().environment(), credentialId, name), List.of(event));
    }

    /** The client credential an event is about, or {@code null}. */
    public static UUID credentialIdOf(CredentialEvent event) {
        return switch (event) {
            case CredentialEvent.ClientCredentialCreated e -> e.credentialId();
            case CredentialEvent.CredentialDeactivated e -> e.credentialId();
            case CredentialEvent.CredentialReactivated e -> e.credentialId();
            case CredentialEvent.CredentialDeleted e -> e.credentialId();
            case CredentialEvent.LeakReported e -> e.credentialId();
            case CredentialEvent.CredentialExpired e -> e.credentialId();
            case CredentialEvent.CredentialExpiring e -> e.credentialId();
            case CredentialEvent.CredentialScopesChanged e -> e.credentialId();
            default -> null;
        };
    }

    private Slice load(AccountId account, Environment environment, UUID credentialId, String name) {
        return new Slice(
                state.account(account),
                environment,
                environment == null ? null : state.access(account, environment),
                environment == null || credentialId == null ? null : state.credential(account, environment, credentialId),
                environment == null || name == null ? null : state.nameOwner(account, environment, name));
    }

    private void apply(Slice before, List<CredentialEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        Slice after = before;
        for (CredentialEvent event : events) {
            after = Evolver.evolve(after, event);
        }
        AccountId account = events.getFirst().metadata().accountId();
        state.putAccount(account, after.account());
        if (after.environment() != null && !Objects.equals(before.access(), after.access())) {
            state.putAccess(account, after.environment(), after.access());
        }
        Credential was = before.credential();
        Credential now = after.credential();
        if (now != null && !now.equals(was)) {
            state.putCredential(account, now);
            // A name is held from creation until delete; then it may be reused.
            if (was == null) {
                state.putNameOwner(account, after.environment(), now.name(), now.credentialId());
            } else if (now.status() == CredentialStatus.DELETED && was.status() != CredentialStatus.DELETED) {
                state.putNameOwner(account, after.environment(), now.name(), null);
            }
        }
    }
}
