package dev.credledger.processors.domain;

import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Environment;
import java.util.UUID;

/**
 * Where the ledger keeps its state, keyed so that one command reads and writes only what it touches.
 * The Streams processors implement it over RocksDB stores; {@link InMemoryLedgerState} over maps.
 */
public interface LedgerState {

    /** The account's state, or {@link AccountState#initial()} for an account without events. */
    AccountState account(AccountId account);

    /** API access of one environment, or disabled if never enabled. */
    ApiAccess access(AccountId account, Environment environment);

    /** A credential of that environment, or {@code null}. */
    Credential credential(AccountId account, Environment environment, UUID credentialId);

    /** The non-deleted credential of that environment holding {@code name}, or {@code null}. */
    UUID nameOwner(AccountId account, Environment environment, String name);

    void putAccount(AccountId account, AccountState state);

    void putAccess(AccountId account, Environment environment, ApiAccess access);

    void putCredential(AccountId account, Credential credential);

    /** Records ({@code owner} non-null) or frees ({@code null}) a credential name. */
    void putNameOwner(AccountId account, Environment environment, String name, UUID owner);
}
