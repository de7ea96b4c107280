package dev.credledger.events.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.CredentialRevoked;
import dev.credledger.events.testing.SampleEvents;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventMappingRoundTripTest {

    static Stream<CredentialEvent> events() {
        return SampleEvents.oneOfEach().stream();
    }

    @Test
    void samplesCoverEveryEventType() {
        List<Class<?>> sampled = SampleEvents.oneOfEach().stream().<Class<?>>map(Object::getClass).distinct().toList();
        assertThat(sampled).containsExactlyInAnyOrderElementsOf(Arrays.asList(CredentialEvent.class.getPermittedSubclasses()));
    }

    @ParameterizedTest
    @MethodSource("events")
    void everyEventSurvivesDomainToAvroToDomain(CredentialEvent event) {
        assertThat(AvroToDomain.event(DomainToAvro.event(event))).isEqualTo(event);
    }

    @Test
    void revocationSurvivesDomainToAvroToDomain() {
        CredentialRevoked revocation = SampleEvents.revocation();
        assertThat(AvroToDomain.revocation(DomainToAvro.revocation(revocation))).isEqualTo(revocation);
    }

    @Test
    void accountWideEventHasNoEnvironmentOnTheWire() {
        CredentialEvent planChange = SampleEvents.oneOfEach().stream()
                .filter(CredentialEvent.PlanChanged.class::isInstance).findFirst().orElseThrow();
        assertThat(DomainToAvro.event(planChange).getEnvironment()).isNull();
    }
}
