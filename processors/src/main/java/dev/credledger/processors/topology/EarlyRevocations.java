package dev.credledger.processors.topology;

import dev.credledger.events.avro.CredentialRevoked;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revocations published the moment the command processor decides them, on {@link Topics#EARLY_REVOCATIONS}, outside
 * the transaction that records them on {@link Topics#REVOCATIONS}: enforcement points apply them a commit sooner.
 *
 * <p>Why this is safe. A decision is a function of the account's committed state and the command log, both replayed
 * identically: if the transaction aborts (a crash, a fenced instance, a rebalance), the commands after the last commit
 * are decided again, in the same order, on the same state, with the same event IDs — the revocation is decided again
 * and committed (only {@code revokedAt} may move by the time the retry takes). The one decision that depends on the
 * clock rather than on state and order, the idempotency window at its 24-hour edge, revokes nothing. Revoking early
 * can only refuse sooner what the ledger is about to refuse: it never lets a secret through, so a revocation client
 * never un-applies one (a newer lookup entry, from a later command, supersedes it as it does a committed revocation).
 * Duplicates (the early and the committed record, or a record
 * decided twice) are harmless: a revocation is keyed by fingerprint, and applying one twice changes nothing.
 */
public interface EarlyRevocations extends AutoCloseable {

    /** Publishes nothing: the topology without a head start (tests, and {@code --no-early-revocations}). */
    EarlyRevocations NONE = new EarlyRevocations() {
        @Override
        public void publish(String fingerprint, CredentialRevoked revocation, long timestamp) {}

        @Override
        public void close() {}
    };

    /** Called by the stream thread as the revocation is decided; must not block it. */
    void publish(String fingerprint, CredentialRevoked revocation, long timestamp);

    @Override
    void close();

    /** A plain (non-transactional) producer, shared by every stream thread; a failed send is counted and logged. */
    static EarlyRevocations kafka(Map<String, Object> clientProperties, Serializer<CredentialRevoked> values) {
        return new Producing(clientProperties, values);
    }

    /** Sends to {@link Topics#EARLY_REVOCATIONS}. */
    final class Producing implements EarlyRevocations {

        private static final Logger LOG = LoggerFactory.getLogger(EarlyRevocations.class);
        private final KafkaProducer<String, CredentialRevoked> producer;
        private final AtomicLong failed = new AtomicLong();
        private volatile long lastWarned;

        Producing(Map<String, Object> clientProperties, Serializer<CredentialRevoked> values) {
            Map<String, Object> props = new HashMap<>(clientProperties);
            props.put(ProducerConfig.CLIENT_ID_CONFIG, "credledger-early-revocations");
            // Visible to consumers only once replicated (the high watermark) whatever acks says: all costs no latency.
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            // The stream thread never waits for metadata long: a head start that cannot start is simply skipped.
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 200);
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Duration.ofSeconds(30).toMillis());
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Duration.ofSeconds(10).toMillis());
            producer = new KafkaProducer<>(props, new StringSerializer(), values);
        }

        @Override
        public void publish(String fingerprint, CredentialRevoked revocation, long timestamp) {
            try {
                producer.send(new ProducerRecord<>(Topics.EARLY_REVOCATIONS, null, timestamp, fingerprint, revocation),
                        (metadata, e) -> {
                            if (e != null) {
                                failed(e);
                            }
                        });
            } catch (KafkaException e) {
                failed(e);
            }
        }

        /** Early revocations that could not be sent (each is still recorded on {@link Topics#REVOCATIONS}). */
        public long failed() {
            return failed.get();
        }

        private void failed(Exception e) {
            failed.incrementAndGet();
            long now = System.nanoTime();
            if (now - lastWarned > Duration.ofMinutes(1).toNanos()) {
                lastWarned = now;
                LOG.warn("An early revocation could not be sent ({} so far); the committed one on {} follows as always: {}",
                        failed.get(), Topics.REVOCATIONS, e.toString());
            }
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
