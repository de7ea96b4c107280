package dev.credledger.api.delivery;

import dev.credledger.events.avro.DeliveryTarget;
import dev.credledger.events.model.CredentialEvent;
import java.util.List;

/** What a kind of delivery target does with the ledger's events: which it wants, and how one is sent. */
public interface Target {

    /** The messages {@code event} makes for {@code target} (none if it is not one it asked for). */
    List<Message> messages(DeliveryTarget target, CredentialEvent event);

    /** Whether a worker should deliver to {@code target} now (a paused stream has none). */
    default boolean active(DeliveryTarget target) {
        return true;
    }

    /** The partitions of credential-events this target's events can be on; empty: all of them. */
    default List<Integer> partitions(DeliveryTarget target, int partitionCount) {
        return List.of();
    }

    /** One attempt to deliver {@code message} to {@code target}. */
    Outbound.Response send(DeliveryTarget target, Message message);

    /** Whether the receiver took the message. */
    default boolean accepted(int status) {
        return status >= 200 && status < 300;
    }

    /** Whether a message the receiver answered with {@code status} (0: no answer) may succeed if sent again. */
    default boolean retryable(int status) {
        return true;
    }

    /**
     * After the last attempt failed: {@code true} to give the message up and go on with the next, {@code false} to
     * stop pushing until told to resume (the message stays where it can be fetched).
     */
    default boolean givesUp() {
        return true;
    }
}
