package dev.credledger.api.commands;

import dev.credledger.api.StoreLocator;
import dev.credledger.events.avro.AllowList;
import dev.credledger.events.avro.SecretRef;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.avro.TokenStatus;
import dev.credledger.events.avro.command.CommandResult;
import dev.credledger.processors.topology.Stores;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-your-writes for verification on this instance: after a command, waits (briefly, bounded) until
 * this instance's replicated lookup shows what the command changed, so that a client that enables and
 * then verifies, or revokes and then verifies, sees its own change. Other instances converge within
 * milliseconds on their own.
 */
public final class LocalLookups {

    private static final Logger LOG = LoggerFactory.getLogger(LocalLookups.class);
    private static final Duration MAX_WAIT = Duration.ofSeconds(2);

    private final StoreLocator locator;

    public LocalLookups(StoreLocator locator) {
        this.locator = locator;
    }

    /** Whether this instance's lookup shows the secrets the command activated, revoked and updated (new scopes). */
    public boolean awaitSecrets(CommandResult result) {
        if (result.getActivated().isEmpty() && result.getRevoked().isEmpty() && result.getUpdated().isEmpty()) {
            return true;
        }
        return await("secret statuses", () -> {
            ReadOnlyKeyValueStore<String, TokenLookup> lookup = locator.global(Stores.VIEW_TOKEN_LOOKUP);
            return all(lookup, result.getActivated(), true) && all(lookup, result.getRevoked(), false)
                    && updatedSince(lookup, result.getUpdated(), result.getDecidedAt());
        });
    }

    private static boolean updatedSince(ReadOnlyKeyValueStore<String, TokenLookup> lookup, List<SecretRef> secrets,
            java.time.Instant decidedAt) {
        for (SecretRef s : secrets) {
            TokenLookup entry = lookup.get(s.getFingerprint());
            if (entry == null || entry.getUpdatedAt().isBefore(decidedAt)) {
                return false;
            }
        }
        return true;
    }

    /** Whether this instance's allow-list of {@code key} shows {@code cidr} present (or absent). */
    public boolean awaitAllowList(String key, String cidr, boolean present) {
        return await("allow-list", () -> {
            AllowList list = locator.<AllowList>global(Stores.VIEW_ALLOW_LISTS).get(key);
            return (list != null && list.getCidrs().contains(cidr)) == present;
        });
    }

    /** Whether this instance's signing salts show the salt {@code saltId} for {@code key} (account|ENV). */
    public boolean awaitSigningSalt(String key, java.util.UUID saltId) {
        return await("signing salts", () -> {
            dev.credledger.events.avro.SigningSalt salt =
                    locator.<dev.credledger.events.avro.SigningSalt>global(Stores.VIEW_SIGNING_SALTS).get(key);
            return salt != null && salt.getSalt().getSecretId().equals(saltId);
        });
    }

    /** Whether this instance's signing salts no longer hold one for {@code key} (account|ENV). */
    public boolean awaitSigningSaltGone(String key) {
        return await("signing salts", () -> locator.global(Stores.VIEW_SIGNING_SALTS).get(key) == null);
    }

    private static boolean all(ReadOnlyKeyValueStore<String, TokenLookup> lookup, List<SecretRef> secrets, boolean active) {
        for (SecretRef s : secrets) {
            TokenLookup entry = lookup.get(s.getFingerprint());
            if (entry == null || (entry.getStatus() == TokenStatus.ACTIVE) != active) {
                return false;
            }
        }
        return true;
    }

    /**
     * Waits for the condition, bounded; never throws: the command is decided, and its answer (which may carry
     * the only copy of a secret) must reach the caller even if the stores are closing or migrating.
     */
    private static boolean await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        try {
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    LOG.warn("The local {} did not catch up within {}; answering anyway", what, MAX_WAIT);
                    return false;
                }
                LockSupport.parkNanos(1_000_000);
            }
            return true;
        } catch (RuntimeException e) {
            LOG.warn("The local {} cannot be read ({}); answering anyway", what, e.toString());
            return false;
        }
    }
}
