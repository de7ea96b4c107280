package dev.credledger.api.delivery;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.util.SocketAddressResolver;

/**
 * Where the ledger may send a request on a customer's behalf. A URL names a host; the host is resolved, and every
 * address it resolves to is checked: loopback, private (RFC 1918, unique-local), link-local (which holds the cloud
 * metadata address 169.254.169.254), shared (100.64/10), unspecified, multicast, reserved and known metadata
 * addresses are refused. The check is made by the HTTP client's resolver, on the addresses it then connects to: a
 * name that resolves to a public address when the URL is accepted and to a private one at delivery time (DNS
 * rebinding) is refused at delivery time.
 */
public final class SafeAddresses {

    /** Why a URL or an address is refused (the message names the host, never a path or query: they may hold a token). */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** How a host name becomes addresses: the JDK's resolver, or a test's (a name that rebinds between two lookups). */
    @FunctionalInterface
    public interface Lookup {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final boolean allowPrivate;
    private final Lookup lookup;

    public SafeAddresses(boolean allowPrivate) {
        this(allowPrivate, InetAddress::getAllByName);
    }

    public SafeAddresses(boolean allowPrivate, Lookup lookup) {
        this.allowPrivate = allowPrivate;
        this.lookup = lookup;
    }

    public boolean allowsPrivate() {
        return allowPrivate;
    }

    /**
     * Checks a URL given to the ledger: absolute {@code https} (or {@code http} where private addresses are allowed,
     * for development), a host, no user information, and a host that resolves to allowed addresses only.
     *
     * @throws Refused with the reason
     */
    public URI checkUrl(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException | NullPointerException e) {
            throw new Refused("the URL is not a valid absolute URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowPrivate && scheme.equals("http"))) {
            throw new Refused("only https URLs are accepted");
        }
        if (uri.getHost() == null && uri.getRawAuthority() != null) {
            // java.net.URI finds no host in 127.1 or 0x7f.0.0.1, where a browser finds an IPv4 address.
            String authority = uri.getRawAuthority();
            String named = authority.substring(authority.lastIndexOf('@') + 1).replaceFirst(":[0-9]*$", "");
            if (!named.isEmpty() && looksLikeIpv4(named)) {
                throw new Refused(IPV4_FORMS);
            }
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new Refused("the URL has no host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Refused("the URL may not carry user information");
        }
        if (uri.getRawFragment() != null) {
            throw new Refused("the URL may not carry a fragment");
        }
        if (url.length() > 2048) {
            throw new Refused("the URL is longer than 2048 characters");
        }
        String host = uri.getHost();
        if (looksLikeIpv4(host) && !CANONICAL_IPV4.matcher(host).matches()) {
            // 0177.0.0.1, 2130706433, 0x7f.1, 127.1: browsers and curl read these as 127.0.0.1, Java otherwise.
            throw new Refused(IPV4_FORMS);
        }
        try {
            check(host, List.of(lookup.resolve(stripBrackets(host))));
        } catch (UnknownHostException e) {
            throw new Refused("the host " + host + " does not resolve");
        }
        return uri;
    }

    /**
     * The resolver the outbound client connects through: resolves (on a virtual thread: the JDK's lookup blocks),
     * then refuses the host if any address is not allowed.
     */
    public SocketAddressResolver resolver() {
        return (host, port, context, promise) -> Thread.ofVirtual().name("credledger-delivery-dns").start(() -> {
            List<InetSocketAddress> addresses;
            try {
                addresses = java.util.Arrays.stream(lookup.resolve(stripBrackets(host)))
                        .map(a -> new InetSocketAddress(a, port)).toList();
                check(host, addresses.stream().map(InetSocketAddress::getAddress).toList());
            } catch (UnknownHostException e) {
                promise.failed(new Refused("the host " + host + " does not resolve"));
                return;
            } catch (Refused e) {
                promise.failed(e);
                return;
            }
            promise.succeeded(addresses);
        });
    }

    private void check(String host, List<InetAddress> addresses) {
        for (InetAddress address : addresses) {
            if (address != null && isMetadata(address)) {
                // In every mode: allowing private addresses is for a receiver on loopback, never for a cloud's metadata.
                org.slf4j.LoggerFactory.getLogger(SafeAddresses.class).info("Refused a delivery address: {} resolves to "
                        + "the link-local or metadata address {}", host, address.getHostAddress());
                throw new Refused("the host " + host + " resolves to a link-local or cloud metadata address");
            }
        }
        if (allowPrivate) {
            return;
        }
        for (InetAddress address : addresses) {
            if (address == null || !isPublic(address)) {
                // Which address is not said: a receiver must not learn how the ledger's network resolves names.
                org.slf4j.LoggerFactory.getLogger(SafeAddresses.class).info("Refused a delivery address: {} resolves to {}",
                        host, address == null ? "nothing" : address.getHostAddress());
                throw new Refused("the host " + host + " resolves to an address that is not public (private, loopback, "
                        + "link-local or reserved)");
            }
        }
    }

    private static final String IPV4_FORMS =
            "write an IPv4 address as four decimal numbers (no octal, hex, integer or short forms)";
    private static final java.util.regex.Pattern CANONICAL_IPV4 = java.util.regex.Pattern.compile(
            "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");
    private static final java.util.regex.Pattern NUMERIC_LABEL = java.util.regex.Pattern.compile("(0[xX][0-9a-fA-F]*|[0-9]+)");

    /** A host the URL standard reads as IPv4: its last label is a number, decimal or hex (WHATWG URL, IPv4 parser). */
    static boolean looksLikeIpv4(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String last = h.substring(h.lastIndexOf('.') + 1);
        return NUMERIC_LABEL.matcher(last).matches();
    }

    /**
     * Link-local addresses (169.254/16 and fe80::/10, where AWS, GCP and Azure answer metadata), AWS's IPv6 metadata
     * range fd00:ec2::/32 (instance metadata, EKS Pod Identity), GCP's fd20:ce::254, Alibaba's and Azure's host
     * endpoints — also with the IPv4 address inside an IPv6 one (mapped, translated, compatible, NAT64).
     */
    public static boolean isMetadata(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address) {
            boolean mapped = isZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
            boolean translated = isZero(b, 0, 8) && (b[8] & 0xff) == 0xff && (b[9] & 0xff) == 0xff && isZero(b, 10, 12);
            boolean compatible = isZero(b, 0, 12) && !isZero(b, 12, 16);
            boolean nat64 = b[0] == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                    && isZero(b, 4, 12);
            if (mapped || translated || compatible || nat64) {
                return isMetadata(v4(b, 12));
            }
        }
        if (address.isLinkLocalAddress()) {
            return true;
        }
        if (address instanceof Inet4Address) {
            int a0 = b[0] & 0xff;
            int a1 = b[1] & 0xff;
            int a2 = b[2] & 0xff;
            int a3 = b[3] & 0xff;
            return (a0 == 169 && a1 == 254) || (a0 == 100 && a1 == 100 && a2 == 100 && a3 == 200)
                    || (a0 == 168 && a1 == 63 && a2 == 129 && a3 == 16);
        }
        boolean awsRange = (b[0] & 0xff) == 0xfd && b[1] == 0 && (b[2] & 0xff) == 0x0e && (b[3] & 0xff) == 0xc2;
        boolean gcp = (b[0] & 0xff) == 0xfd && (b[1] & 0xff) == 0x20 && b[2] == 0 && (b[3] & 0xff) == 0xce
                && isZero(b, 4, 14) && b[14] == 0x02 && (b[15] & 0xff) == 0x54;
        return awsRange || gcp;
    }

    /** Whether a request to this address could only reach the public internet. */
    public static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int a0 = b[0] & 0xff;
            int a1 = b[1] & 0xff;
            return !(a0 == 0 // this network
                    || (a0 == 100 && (a1 & 0xc0) == 64) // shared address space (carrier NAT; Alibaba's metadata)
                    || (a0 == 192 && a1 == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
                    || (a0 == 192 && a1 == 0 && (b[2] & 0xff) == 2) // documentation
                    || (a0 == 198 && (a1 & 0xfe) == 18) // benchmarking
                    || (a0 == 198 && a1 == 51 && (b[2] & 0xff) == 100)
                    || (a0 == 203 && a1 == 0 && (b[2] & 0xff) == 113)
                    || a0 >= 240 // reserved and broadcast
                    || (a0 == 168 && a1 == 63 && (b[2] & 0xff) == 129 && (b[3] & 0xff) == 16)); // Azure's host endpoint
        }
        if (address instanceof Inet6Address) {
            int b0 = b[0] & 0xff;
            if (isZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                return isPublic(v4(b, 12)); // IPv4-mapped, ::ffff:0:0/96, as a resolver may hand it over
            }
            if (isZero(b, 0, 8) && (b[8] & 0xff) == 0xff && (b[9] & 0xff) == 0xff && isZero(b, 10, 12)) {
                return isPublic(v4(b, 12)); // IPv4-translated, ::ffff:0:0:0/96
            }
            if (b0 == 0x20 && (b[1] & 0xff) == 0x02) {
                return false; // 6to4, 2002::/16: the IPv4 address inside may be private
            }
            if (b0 == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0 && (b[3] & 0xff) == 0) {
                return false; // Teredo, 2001::/32
            }
            if (b0 == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                    && (b[4] & 0xff) == 0 && (b[5] & 0xff) == 0x01) {
                return false; // local-use NAT64, 64:ff9b:1::/48
            }
            if ((b0 & 0xfe) == 0xfc) {
                return false; // unique local, fc00::/7 (AWS's IPv6 metadata address fd00:ec2::254 among them)
            }
            if (b0 == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
                return false; // documentation, 2001:db8::/32
            }
            if (b0 == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
                return false; // NAT64, 64:ff9b::/96: the IPv4 address inside may be private
            }
            boolean v4Compatible = true;
            for (int i = 0; i < 12; i++) {
                v4Compatible &= b[i] == 0;
            }
            return !v4Compatible; // ::/96 (IPv4-compatible), ::, ::1
        }
        return false;
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static InetAddress v4(byte[] b, int at) {
        try {
            return InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, at, at + 4));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
