package dev.credledger.processors.domain;

import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Environment;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** {@link LedgerState} in maps: for replaying history in memory and for specification tests. */
public final class InMemoryLedgerState implements LedgerState {

    private final Map<AccountId, AccountState> accounts = new HashMap<>();
    private final Map<String, ApiAccess> access = new HashMap<>();
    private final Map<String, Credential> credentials = new HashMap<>();
    private final Map<String, UUID> names = new HashMap<>();

    @Override
    public AccountState account(AccountId account) {
        return accounts.getOrDefault(account, AccountState.initial());
    }

    @Override
    public ApiAccess access(AccountId account, Environment environment) {
        return access.getOrDefault(account + "|" + environment, ApiAccess.disabled(Instant.EPOCH));
    }

    @Override
    public Credential credential(AccountId account, Environment environment, UUID credentialId) {
        return credentials.get(account + "|" + environment + "|" + credentialId);
    }

    @Override
    public UUID nameOwner(AccountId account, Environment environment, String name) {
        return names.get(account + "|" + environment + "|" + name);
    }

    @Override
    public void putAccount(AccountId account, AccountState state) {
        accounts.put(account, state);
    }

    @Override
    public void putAccess(AccountId account, Environment environment, ApiAccess value) {
        access.put(account + "|" + environment, value);
    }

    @Override
    public void putCredential(AccountId account, Credential credential) {
        credentials.put(account + "|" + credential.environment() + "|" + credential.credentialId(), credential);
    }

    @Override
    public void putNameOwner(AccountId account, Environment environment, String name, UUID owner) {
        String key = account + "|" + environment + "|" + name;
        if (owner == null) {
            names.remove(key);
        } else {
            names.put(key, owner);
        }
    }

    /** The credentials of one account+environment, in no particular order. */
    public List<Credential> credentials(AccountId account, Environment environment) {
        String prefix = account + "|" + environment + "|";
        return credentials.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(Map.Entry::getValue).toList();
    }

    /** An independent copy (the values are immutable records, so copying the maps is enough). */
    public InMemoryLedgerState copy() {
        InMemoryLedgerState c = new InMemoryLedgerState();
        c.accounts.putAll(accounts);
        c.access.putAll(access);
        c.credentials.putAll(credentials);
        c.names.putAll(names);
        return c;
    }
}
