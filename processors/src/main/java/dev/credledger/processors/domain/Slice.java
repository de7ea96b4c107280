package dev.credledger.processors.domain;

import dev.credledger.events.model.Environment;
import java.util.Objects;
import java.util.UUID;

/**
 * The part of an account's state one command needs — never the whole account, whose credentials may
 * number 100,000. The processor loads it from its stores by key, the domain decides on it and evolves it,
 * and the processor writes back what changed.
 *
 * @param account the account-wide state
 * @param environment the environment of the command or event, or {@code null} for account-wide ones
 * @param access API access of that environment (disabled if never enabled); {@code null} when account-wide
 * @param credential the credential the command names, or {@code null} if none or unknown
 * @param nameOwner for a credential name in play: the ID of the non-deleted credential holding it, or {@code null}
 */
public record Slice(AccountState account, Environment environment, ApiAccess access, Credential credential, UUID nameOwner) {

    public Slice {
        Objects.requireNonNull(account, "account");
        if (environment != null) {
            Objects.requireNonNull(access, "access");
        }
    }

    Slice withAccount(AccountState newAccount) {
        return new Slice(newAccount, environment, access, credential, nameOwner);
    }

    Slice withAccess(ApiAccess newAccess) {
        return new Slice(account, environment, newAccess, credential, nameOwner);
    }

    Slice withCredential(Credential newCredential, UUID newNameOwner) {
        return new Slice(account, environment, access, newCredential, newNameOwner);
    }
}
