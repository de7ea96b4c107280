package dev.credledger.api.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which addresses a delivery may reach, checked on the URL and again by the client's resolver at delivery time. */
class SafeAddressesTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.9.9.9", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
            "169.254.169.254", "100.64.0.1", "100.100.100.200", "0.0.0.0", "0.1.2.3", "224.0.0.1", "255.255.255.255",
            "240.0.0.1", "192.0.0.8", "198.18.0.1", "168.63.129.16", "::1", "::", "fe80::1", "fc00::1",
            "fd00:ec2::254", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::a00:1", "2001:db8::1",
            "ff02::1"})
    void privateLoopbackLinkLocalMetadataAndReservedAddressesAreNotPublic(String address) throws Exception {
        assertThat(SafeAddresses.isPublic(InetAddress.getByName(address))).as(address).isFalse();
    }

    @Test
    void anIpv6FormCarryingAPrivateIpv4AddressAsAResolverMayReturnItIsNotPublic() throws Exception {
        byte[] mappedLoopback = new byte[16];
        mappedLoopback[10] = (byte) 0xff;
        mappedLoopback[11] = (byte) 0xff;
        mappedLoopback[12] = 127;
        mappedLoopback[15] = 1;
        byte[] mappedMetadata = mappedLoopback.clone();
        mappedMetadata[12] = (byte) 169;
        mappedMetadata[13] = (byte) 254;
        mappedMetadata[14] = (byte) 169;
        mappedMetadata[15] = (byte) 254;
        byte[] mappedPublic = mappedLoopback.clone();
        mappedPublic[12] = 8;
        mappedPublic[13] = 8;
        mappedPublic[14] = 8;
        mappedPublic[15] = 8;
        // Built as Inet6Address objects: the JDK turns such literals into IPv4 addresses, a resolver may not.
        assertThat(SafeAddresses.isPublic(java.net.Inet6Address.getByAddress(null, mappedLoopback, -1))).isFalse();
        assertThat(SafeAddresses.isPublic(java.net.Inet6Address.getByAddress(null, mappedMetadata, -1))).isFalse();
        assertThat(SafeAddresses.isPublic(java.net.Inet6Address.getByAddress(null, mappedPublic, -1))).isTrue();
        for (String address : new String[] {"2002:a00:1::1", "2001:0:4136:e378::1", "64:ff9b:1::a00:1"}) {
            assertThat(SafeAddresses.isPublic(InetAddress.getByName(address))).as(address).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2606:4700:4700::1111",
            "2a00:1450:4001::1"})
    void publicAddressesArePublic(String address) throws Exception {
        assertThat(SafeAddresses.isPublic(InetAddress.getByName(address))).as(address).isTrue();
    }

    @Test
    void urlsMustBeHttpsWithAHostAndNoUserInformationAndResolveToPublicAddresses() {
        SafeAddresses strict = new SafeAddresses(false);
        for (String url : new String[] {"http://8.8.8.8/hook", "ftp://8.8.8.8/", "https:///nohost", "https://u:p@8.8.8.8/",
                "https://127.0.0.1/hook", "https://[::1]:8443/hook", "https://169.254.169.254/latest/meta-data",
                "https://localhost/hook", "https://10.0.0.5/hook", "not a url", "https://8.8.8.8/#frag"}) {
            assertThatThrownBy(() -> strict.checkUrl(url)).as(url).isInstanceOf(SafeAddresses.Refused.class);
        }
        assertThat(strict.checkUrl("https://8.8.8.8/hook?tenant=1").getHost()).isEqualTo("8.8.8.8");
        assertThat(new SafeAddresses(true).checkUrl("http://127.0.0.1:8080/hook").getPort()).isEqualTo(8080);
    }

    @Test
    void theClientRefusesAPrivateAddressAtDeliveryTimeEvenForAUrlNobodyChecked() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        HttpServer server = loopbackReceiver(hits);
        // "localhost" resolves to loopback when the request is made, as a rebinding name would.
        URI url = URI.create("http://localhost:" + server.getAddress().getPort() + "/hook");
        try (Outbound strict = new Outbound(new SafeAddresses(false)); Outbound open = new Outbound(new SafeAddresses(true))) {
            Outbound.Response refused = strict.post(url, "application/json", Map.of(), "{}".getBytes());
            assertThat(refused.status()).isZero();
            assertThat(refused.error()).startsWith("refused: the host localhost resolves to an address that is not public");
            assertThat(hits.get()).isZero();

            assertThat(open.post(url, "application/json", Map.of(), "{}".getBytes()).status()).isEqualTo(204);
            assertThat(hits.get()).isEqualTo(1);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aNameThatRebindsToAPrivateAddressAfterItsCheckIsRefusedWhenTheDeliveryConnects() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        HttpServer server = loopbackReceiver(hits);
        // A name under an attacker's control: public when the URL is checked, the ledger's own network afterwards.
        AtomicInteger lookups = new AtomicInteger();
        SafeAddresses.Lookup rebinding = host -> new InetAddress[] {InetAddress.getByName(
                lookups.getAndIncrement() == 0 ? "93.184.216.34" : "127.0.0.1")};
        SafeAddresses addresses = new SafeAddresses(false, rebinding);
        assertThat(addresses.checkUrl("https://rebind.attacker.example/hook").getHost()).isEqualTo("rebind.attacker.example");
        URI url = URI.create("http://rebind.attacker.example:" + server.getAddress().getPort() + "/hook");
        try (Outbound outbound = new Outbound(addresses)) {
            Outbound.Response refused = outbound.post(url, "application/json", Map.of(), "{}".getBytes());
            assertThat(refused.status()).isZero();
            assertThat(refused.error()).startsWith("refused: the host rebind.attacker.example resolves to an address that "
                    + "is not public");
            assertThat(hits.get()).as("nothing reached the private address").isZero();
            assertThat(lookups.get()).as("looked up again at delivery").isEqualTo(2);
        } finally {
            server.stop(0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0177.0.0.1", "2130706433", "0x7f.0.0.1", "0x7f000001", "127.1", "127.0.1", "017700000001",
            "8.8.8.010", "08.8.8.8", "1.2.3.4.5", "256.1.1.1", "example.0x10", "host.123"})
    void ipv4InOctalHexIntegerOrShortFormsIsRefusedWhateverTheMode(String host) {
        for (boolean allowPrivate : new boolean[] {false, true}) {
            assertThatThrownBy(() -> new SafeAddresses(allowPrivate).checkUrl("https://" + host + "/hook")).as(host)
                    .isInstanceOf(SafeAddresses.Refused.class).hasMessageContaining("four decimal numbers");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"169.254.169.254", "169.254.0.1", "[fd00:ec2::254]", "[fd00:ec2::23]", "[fd20:ce::254]",
            "[fe80::1]", "100.100.100.200", "168.63.129.16", "[::ffff:169.254.169.254]", "[64:ff9b::a9fe:a9fe]",
            "[::a9fe:a9fe]"})
    void linkLocalAndCloudMetadataAddressesAreRefusedEvenWherePrivateAddressesAreAllowed(String host) {
        assertThatThrownBy(() -> new SafeAddresses(true).checkUrl("http://" + host + "/latest/meta-data")).as(host)
                .isInstanceOf(SafeAddresses.Refused.class).hasMessageContaining("metadata");
    }

    @Test
    void loopbackStaysAllowedWherePrivateAddressesAreAllowed() {
        assertThat(new SafeAddresses(true).checkUrl("http://127.0.0.1:8080/hook").getHost()).isEqualTo("127.0.0.1");
        assertThat(new SafeAddresses(true).checkUrl("http://[::1]:8080/hook").getHost()).isEqualTo("[::1]");
    }

    /** A receiver on loopback that answers 204 and counts what reaches it. */
    private static HttpServer loopbackReceiver(AtomicInteger hits) throws java.io.IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            hits.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        return server;
    }
}
