package dev.credledger.processors.domain;

import dev.credledger.events.model.CredentialEvent;
import java.util.List;
import java.util.Objects;

/** The outcome of deciding a command: the events to append, or a rejection (itself recorded as an event). */
public sealed interface Decision {

    /** What goes to {@code credential-events}: never empty for a command from a client. */
    List<CredentialEvent> events();

    record Accepted(List<CredentialEvent> events) implements Decision {
        public Accepted {
            events = List.copyOf(events);
        }
    }

    record Rejected(RejectionReason reason, String detail, CredentialEvent.CommandRejected event) implements Decision {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(event, "event");
        }

        @Override
        public List<CredentialEvent> events() {
            return List.of(event);
        }
    }
}
