package dev.credledger.api.delivery;

import dev.credledger.events.avro.Delivery;
import dev.credledger.events.avro.DeliveryAttempt;
import dev.credledger.events.avro.DeliveryOutcome;
import dev.credledger.events.avro.DeliveryState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A target's progress as its worker changes it; written as a {@link DeliveryState}. Confined to one thread. */
final class Progress {

    static final int RECENT = 50;

    final String targetId;
    final Map<String, Long> positions;
    final List<String> acknowledged;
    final List<Delivery> recent;
    String failure;

    Progress(DeliveryState state) {
        targetId = state.getTargetId();
        positions = new HashMap<>(state.getPositions());
        acknowledged = new ArrayList<>(state.getAcknowledged());
        recent = new ArrayList<>(state.getRecent());
        failure = state.getFailure();
    }

    /** The attempts already made at {@code messageId}, if the last delivery recorded is it, still pending. */
    List<DeliveryAttempt> pendingAttempts(String messageId) {
        if (!recent.isEmpty()) {
            Delivery last = recent.getLast();
            if (last.getMessageId().equals(messageId) && last.getOutcome() == DeliveryOutcome.PENDING) {
                return new ArrayList<>(last.getAttempts());
            }
        }
        return new ArrayList<>();
    }

    /** When the pending delivery of {@code messageId} is due again, or {@code null}. */
    Instant nextAttemptAt(String messageId) {
        if (!recent.isEmpty()) {
            Delivery last = recent.getLast();
            if (last.getMessageId().equals(messageId) && last.getOutcome() == DeliveryOutcome.PENDING) {
                return last.getNextAttemptAt();
            }
        }
        return null;
    }

    /** Records the state of one message's delivery: replaces its entry if it is the last one, else appends it. */
    void record(Message message, DeliveryOutcome outcome, List<DeliveryAttempt> attempts, Instant nextAttemptAt) {
        Delivery delivery = Delivery.newBuilder()
                .setMessageId(message.id())
                .setType(message.type())
                .setOccurredAt(message.occurredAt())
                .setOutcome(outcome)
                .setNextAttemptAt(nextAttemptAt)
                .setAttempts(List.copyOf(attempts))
                .build();
        if (!recent.isEmpty() && recent.getLast().getMessageId().equals(message.id())) {
            recent.set(recent.size() - 1, delivery);
        } else {
            recent.add(delivery);
            while (recent.size() > RECENT) {
                recent.removeFirst();
            }
        }
    }

    DeliveryState toState() {
        return DeliveryState.newBuilder()
                .setTargetId(targetId)
                .setPositions(new HashMap<>(positions))
                .setAcknowledged(List.copyOf(acknowledged))
                .setRecent(List.copyOf(recent))
                .setFailure(failure)
                .setUpdatedAt(Instant.now())
                .build();
    }
}
