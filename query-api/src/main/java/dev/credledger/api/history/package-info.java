/** Incident questions about one account: its state at any instant, folded from its events, and a credential's history. */
package dev.credledger.api.history;
