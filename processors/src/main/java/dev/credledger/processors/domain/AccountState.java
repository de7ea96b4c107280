package dev.credledger.processors.domain;

import dev.credledger.events.model.LeakMode;
import dev.credledger.events.model.Plan;
import java.time.Instant;
import java.util.Objects;

/**
 * The account-wide part of the state: small, read by every command of the account.
 *
 * @param plan the current plan
 * @param sequence sequence number of the account's last event (rejections included)
 * @param stateVersion sequence number of the last event that changed state: what {@code expectedVersion} is compared with
 * @param lastOccurredAt time of the last event; the next one is never earlier, so time order is sequence order
 * @param liveApiEnabled whether live API access is on
 * @param activeLiveCredentials how many live client credentials are active
 * @param leakMode what a leak report of an active secret does
 * @param policy the credential policy: maximum age, rotation notice, expiry required
 */
public record AccountState(
        Plan plan, long sequence, long stateVersion, Instant lastOccurredAt, boolean liveApiEnabled,
        long activeLiveCredentials, LeakMode leakMode, CredentialPolicy policy) {

    public AccountState {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(lastOccurredAt, "lastOccurredAt");
        Objects.requireNonNull(leakMode, "leakMode");
        Objects.requireNonNull(policy, "policy");
    }

    public AccountState(Plan plan, long sequence, long stateVersion, Instant lastOccurredAt, boolean liveApiEnabled,
            long activeLiveCredentials, LeakMode leakMode) {
        this(plan, sequence, stateVersion, lastOccurredAt, liveApiEnabled, activeLiveCredentials, leakMode,
                CredentialPolicy.DEFAULT);
    }

    /** A new account: FREE, no events yet. */
    public static AccountState initial() {
        return new AccountState(Plan.FREE, 0, 0, Instant.EPOCH, false, 0, LeakMode.REVOKE, CredentialPolicy.DEFAULT);
    }

    AccountState withPlan(Plan newPlan) {
        return new AccountState(newPlan, sequence, stateVersion, lastOccurredAt, liveApiEnabled, activeLiveCredentials,
                leakMode, policy);
    }

    AccountState withLeakMode(LeakMode mode) {
        return new AccountState(plan, sequence, stateVersion, lastOccurredAt, liveApiEnabled, activeLiveCredentials, mode,
                policy);
    }

    AccountState withPolicy(CredentialPolicy newPolicy) {
        return new AccountState(plan, sequence, stateVersion, lastOccurredAt, liveApiEnabled, activeLiveCredentials,
                leakMode, newPolicy);
    }

    AccountState withLive(Boolean apiEnabled, int activeDelta) {
        return new AccountState(plan, sequence, stateVersion, lastOccurredAt,
                apiEnabled == null ? liveApiEnabled : apiEnabled, activeLiveCredentials + activeDelta, leakMode, policy);
    }

    AccountState withSequence(long newSequence, long newStateVersion, Instant at) {
        return new AccountState(plan, newSequence, newStateVersion, at, liveApiEnabled, activeLiveCredentials, leakMode,
                policy);
    }

    /** Whether any live secret would stay active on a FREE plan. */
    public boolean hasActiveLiveSecrets() {
        return liveApiEnabled || activeLiveCredentials > 0;
    }
}
