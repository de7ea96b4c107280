package dev.credledger.api.signing;

import dev.credledger.api.Problem;
import dev.credledger.api.StoreLocator;
import dev.credledger.api.keys.DataKeys;
import dev.credledger.events.avro.SigningSalt;
import dev.credledger.events.mapping.AvroToDomain;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Environment;
import dev.credledger.events.sealing.SealingException;
import dev.credledger.processors.topology.Keys;
import dev.credledger.processors.topology.Stores;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Computes the MAC of a payload with an environment's private salt as the HMAC key (the salt's ASCII bytes,
 * exactly as shown at enable), the way a customer verifies a webhook with their copy. The salt is unsealed for
 * the one computation and overwritten after it.
 */
public final class Signer {

    private static final Logger LOG = LoggerFactory.getLogger(Signer.class);

    /** The MACs offered: HMAC-SHA1 as the seeds' webhooks, HMAC-SHA256 for new integrations. */
    public enum Algorithm {
        HMAC_SHA1("HMAC-SHA1", "HmacSHA1"),
        HMAC_SHA256("HMAC-SHA256", "HmacSHA256");

        public final String label;
        final String jce;
        /** A Mac per thread (a provider lookup per MAC costs more than the MAC); initialised afresh for each use. */
        private final ThreadLocal<Mac> macs;

        Algorithm(String label, String jce) {
            this.label = label;
            this.jce = jce;
            this.macs = ThreadLocal.withInitial(() -> {
                try {
                    return Mac.getInstance(jce);
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(jce + " is part of every JDK", e);
                }
            });
        }

        public static Algorithm parse(String label) {
            if (label == null) {
                return HMAC_SHA1;
            }
            for (Algorithm a : values()) {
                if (a.label.equals(label)) {
                    return a;
                }
            }
            throw Problem.badRequest("algorithm is HMAC-SHA1 (the default) or HMAC-SHA256");
        }
    }

    /** A MAC and the salt that made it. */
    public record Signature(byte[] mac, Algorithm algorithm, UUID saltId) {}

    private final StoreLocator locator;
    private final DataKeys dataKeys;
    private final dev.credledger.api.reports.UsageRecorder usage;

    public Signer(StoreLocator locator, DataKeys dataKeys, dev.credledger.api.reports.UsageRecorder usage) {
        this.locator = locator;
        this.dataKeys = dataKeys;
        this.usage = usage;
    }

    /**
     * The MAC of {@code payload} with the salt of {@code account}'s {@code environment}.
     *
     * @throws Problem 409 {@code API_NOT_ENABLED} when the environment has no salt the ledger can use
     */
    public Signature sign(AccountId account, Environment environment, byte[] payload, Algorithm algorithm) {
        SigningSalt salt;
        try {
            salt = locator.<SigningSalt>global(Stores.VIEW_SIGNING_SALTS).get(Keys.access(account, environment));
        } catch (InvalidStateStoreException e) {
            throw Problem.unavailable("the ledger's replicated stores are starting");
        }
        if (salt == null) {
            throw notEnabled(environment);
        }
        byte[] mac;
        try {
            // The Mac keeps the salt's inner and outer key state: it is keyed with a dummy key once used (below).
            mac = dataKeys.withUnsealed(account, environment, AvroToDomain.sealed(salt.getSealed()),
                    key -> hmac(algorithm, key, payload));
        } catch (InvalidStateStoreException e) {
            throw Problem.unavailable("the ledger's replicated stores are starting");
        } catch (SealingException e) {
            // A configuration fault (the KEK that wrapped this data key is not loaded) or tampering: never the key.
            LOG.error("Cannot unseal the private salt of {}/{}: {}", account.value(), environment, e.getMessage());
            throw Problem.unavailable("the ledger cannot unseal this environment's salt right now");
        }
        if (mac == null) {
            throw notEnabled(environment); // its data key was destroyed: the environment is being disabled
        }
        usage.recordSalt(account.value(), dev.credledger.events.mapping.Enums.convert(environment,
                dev.credledger.events.avro.Environment.class), salt.getSalt());
        return new Signature(mac, algorithm, salt.getSalt().getSecretId());
    }

    /** Whether {@code mac} is the MAC of {@code payload}, compared in constant time. */
    public boolean verify(AccountId account, Environment environment, byte[] payload, Algorithm algorithm, byte[] mac) {
        return MessageDigest.isEqual(sign(account, environment, payload, algorithm).mac(), mac);
    }

    private static byte[] hmac(Algorithm algorithm, byte[] key, byte[] payload) {
        try {
            Mac mac = algorithm.macs.get();
            mac.init(new SecretKeySpec(key, algorithm.jce));
            byte[] out = mac.doFinal(payload);
            mac.init(FORGET); // nothing of the salt stays in this thread's Mac
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm.jce + " takes any key length", e);
        }
    }

    private static final SecretKeySpec FORGET = new SecretKeySpec(new byte[] {0}, "HmacSHA1");

    private static Problem notEnabled(Environment environment) {
        return new Problem(409, "api-not-enabled", "API access not enabled", "API access is not enabled for "
                + environment.name().toLowerCase(java.util.Locale.ROOT) + ", or its private salt was issued before "
                + "salts were sealed (disable and enable again to get one the ledger can sign with)")
                .with("code", "API_NOT_ENABLED");
    }
}
