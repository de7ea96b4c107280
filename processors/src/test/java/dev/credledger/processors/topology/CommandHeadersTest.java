package dev.credledger.processors.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class CommandHeadersTest {

    private static RecordHeaders inFlight(String... values) {
        RecordHeaders headers = new RecordHeaders();
        for (String v : values) {
            headers.add(CommandHeaders.IN_FLIGHT, v.getBytes(StandardCharsets.US_ASCII));
        }
        return headers;
    }

    @Test
    void onlyACommandSentAloneAsksForAnImmediateCommit() {
        assertThat(CommandHeaders.alone(inFlight("1"))).isTrue();
        assertThat(CommandHeaders.alone(inFlight("2"))).isFalse();
        assertThat(CommandHeaders.alone(inFlight("32"))).isFalse();
    }

    @Test
    void aMissingOrMalformedHintChangesNothing() {
        assertThat(CommandHeaders.alone(new RecordHeaders())).isFalse();
        assertThat(CommandHeaders.alone(inFlight("01"))).isFalse();
        assertThat(CommandHeaders.alone(inFlight("one"))).isFalse();
        assertThat(CommandHeaders.alone(inFlight(""))).isFalse();
    }

    @Test
    void theLastHintWins() {
        assertThat(CommandHeaders.alone(inFlight("1", "5"))).isFalse();
        assertThat(CommandHeaders.alone(inFlight("5", "1"))).isTrue();
    }
}
