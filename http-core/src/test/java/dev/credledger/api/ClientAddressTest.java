package dev.credledger.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.events.model.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which address goes into the audit trail: {@code X-Forwarded-For} is believed only from trusted proxies,
 * read from the right up to the first hop that is not one. (The untrusted-peer case over real HTTP is in
 * ProbeFindingsTest.)
 */
class ClientAddressTest {

    private final ClientAddress address = new ClientAddress(List.of(
            Cidr.parse("10.0.0.0/8").orElseThrow(), Cidr.parse("2001:db8::/32").orElseThrow()));

    @ParameterizedTest(name = "peer {0}, X-Forwarded-For ''{1}'' -> {2}")
    @CsvSource(delimiter = ';', value = {
        // An untrusted peer: its header is ignored, whatever it claims.
        "198.51.100.7; 203.0.113.9; 198.51.100.7",
        "198.51.100.7; 10.0.0.1; 198.51.100.7",
        // One trusted proxy in front of the client.
        "10.0.0.5; 203.0.113.9; 203.0.113.9",
        // Chained trusted proxies: the first untrusted hop from the right is the client.
        "10.0.0.5; 203.0.113.9, 10.1.1.1, 10.2.2.2; 203.0.113.9",
        "2001:db8::5; 203.0.113.9, 2001:db8::7; 203.0.113.9",
        // Spoofed: the client put a fake address in front; only what the proxy appended counts.
        "10.0.0.5; 1.2.3.4, 203.0.113.9; 203.0.113.9",
        // Garbage or a block in the chain stops the walk at the last believable hop.
        "10.0.0.5; 203.0.113.9, not-an-ip, 10.1.1.1; 10.1.1.1",
        "10.0.0.5; 0.0.0.0/0; 10.0.0.5",
        // Every hop a trusted proxy: the leftmost is the best we know.
        "10.0.0.5; 10.9.9.9, 10.1.1.1; 10.9.9.9"
    })
    void believesForwardedForOnlyFromTrustedProxies(String peer, String forwarded, String expected) {
        assertThat(address.of(peer, forwarded)).isEqualTo(expected);
    }

    @Test
    void withoutTheHeaderThePeerIsTheClient() {
        assertThat(address.of("10.0.0.5", null)).isEqualTo("10.0.0.5");
    }
}
