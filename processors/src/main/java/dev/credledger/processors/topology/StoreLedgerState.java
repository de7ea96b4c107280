package dev.credledger.processors.topology;

import dev.credledger.events.avro.state.AccountStateRecord;
import dev.credledger.events.avro.state.ApiAccessState;
import dev.credledger.events.avro.state.CredentialState;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Environment;
import dev.credledger.processors.domain.AccountState;
import dev.credledger.processors.domain.ApiAccess;
import dev.credledger.processors.domain.Credential;
import dev.credledger.processors.domain.LedgerState;
import dev.credledger.processors.wire.StateCodec;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.streams.state.KeyValueStore;

/** {@link LedgerState} over RocksDB stores: one key per account, per environment, per credential, per name. */
final class StoreLedgerState implements LedgerState {

    private final KeyValueStore<String, AccountStateRecord> accounts;
    private final KeyValueStore<String, ApiAccessState> access;
    private final KeyValueStore<String, CredentialState> credentials;
    private final KeyValueStore<String, String> names;

    StoreLedgerState(KeyValueStore<String, AccountStateRecord> accounts, KeyValueStore<String, ApiAccessState> access,
            KeyValueStore<String, CredentialState> credentials, KeyValueStore<String, String> names) {
        this.accounts = java.util.Objects.requireNonNull(accounts, "accounts");
        this.access = java.util.Objects.requireNonNull(access, "access");
        this.credentials = java.util.Objects.requireNonNull(credentials, "credentials");
        this.names = java.util.Objects.requireNonNull(names, "names");
    }

    @Override
    public AccountState account(AccountId account) {
        AccountStateRecord value = accounts.get(account.value());
        return value == null ? AccountState.initial() : StateCodec.fromAvro(value);
    }

    @Override
    public ApiAccess access(AccountId account, Environment environment) {
        ApiAccessState value = access.get(Keys.access(account, environment));
        return value == null ? ApiAccess.disabled(Instant.EPOCH) : StateCodec.fromAvro(value);
    }

    @Override
    public Credential credential(AccountId account, Environment environment, UUID credentialId) {
        CredentialState value = credentials.get(Keys.credential(account, environment, credentialId));
        return value == null ? null : StateCodec.fromAvro(value);
    }

    @Override
    public UUID nameOwner(AccountId account, Environment environment, String name) {
        String owner = names.get(Keys.name(account, environment, name));
        return owner == null ? null : UUID.fromString(owner);
    }

    @Override
    public void putAccount(AccountId account, AccountState state) {
        accounts.put(account.value(), StateCodec.toAvro(state));
    }

    @Override
    public void putAccess(AccountId account, Environment environment, ApiAccess value) {
        access.put(Keys.access(account, environment), StateCodec.toAvro(value));
    }

    @Override
    public void putCredential(AccountId account, Credential credential) {
        credentials.put(Keys.credential(account, credential.environment(), credential.credentialId()),
                StateCodec.toAvro(credential));
    }

    @Override
    public void putNameOwner(AccountId account, Environment environment, String name, UUID owner) {
        if (owner == null) {
            names.delete(Keys.name(account, environment, name));
        } else {
            names.put(Keys.name(account, environment, name), owner.toString());
        }
    }
}
