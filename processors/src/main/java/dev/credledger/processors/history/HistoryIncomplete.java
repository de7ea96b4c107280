package dev.credledger.processors.history;

import dev.credledger.events.model.AccountId;

/** An account's events do not start at sequence 1 or have a gap: folding them would give a wrong state. */
public final class HistoryIncomplete extends IllegalStateException {

    public HistoryIncomplete(AccountId account, long expected, long found) {
        super("the events of account " + account.value() + " are incomplete here: expected sequence " + expected
                + ", found " + found);
    }
}
