package dev.credledger.events.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {

    @ParameterizedTest
    @CsvSource({
        "203.0.113.7, 203.0.113.7/32",
        "203.0.113.77/24, 203.0.113.0/24",
        "0.0.0.0/0, 0.0.0.0/0",
        "2001:DB8::1, 2001:db8::1/128",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1/128",
        "2001:db8:1:2:3:4:5:6/32, 2001:db8::/32",
        "::, ::/128",
        "fe80:0:0:0:0:0:0:1/64, fe80::/64",
        "::ffff:192.0.2.1, 192.0.2.1/32",
        "::FFFF:192.0.2.77/120, 192.0.2.0/24"
    })
    void normalisesToOneCanonicalForm(String input, String canonical) {
        assertThat(Cidr.parse(input)).hasValueSatisfying(c -> assertThat(c.toString()).isEqualTo(canonical));
    }

    @ParameterizedTest
    @CsvSource({
        "203.0.113.0/24, 203.0.113.200, true",
        "203.0.113.0/24, 203.0.114.1, false",
        "198.51.100.7/32, 198.51.100.7, true",
        "2001:db8::/32, 2001:db8:ffff::1, true",
        "2001:db8::/32, 2001:db9::1, false",
        "0.0.0.0/0, 2001:db8::1, false",
        "203.0.113.0/24, not-an-ip, false",
        "203.0.113.0/24, ::ffff:203.0.113.9, true",
        "203.0.113.0/24, ::ffff:198.51.100.1, false"
    })
    void containsAddressesOfItsFamilyInsideTheBlock(String cidr, String ip, boolean inside) {
        assertThat(Cidr.parse(cidr).orElseThrow().contains(ip)).isEqualTo(inside);
    }

    @ParameterizedTest
    @CsvSource({"localhost", "fe80::1%eth0", "::ffff:192.0.2.1/95", "::ffff:192.0.2.1/129", "1.2.3.4/", "1.2.3.4/1234"})
    void refusesNamesZonesAndBadPrefixes(String input) {
        assertThat(Cidr.parse(input)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
        "203.0.113.7, 203.0.113.7",
        "' 203.0.113.7 ', 203.0.113.7",
        "2001:DB8:0:0:0:0:0:1, 2001:db8::1",
        "[::1], ::1",
        "0:0:0:0:0:0:0:1, ::1",
        "::ffff:192.0.2.1, 192.0.2.1"
    })
    void spellsEveryWayOfWritingAnAddressTheSameWay(String input, String canonical) {
        assertThat(Cidr.canonicalAddress(input)).hasValue(canonical);
    }

    @ParameterizedTest
    @CsvSource({"203.0.113.0/24", "2001:db8::/32", "localhost", "'[]'", "1.2.3", "''"})
    void aBlockOrANameIsNotASingleAddress(String input) {
        assertThat(Cidr.canonicalAddress(input)).isEmpty();
    }
}
