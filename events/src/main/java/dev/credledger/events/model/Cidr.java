package dev.credledger.events.model;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address block, normalised: host bits cleared, IPv6 in RFC 5952 form, always with its
 * prefix length ({@code 203.0.113.7} becomes {@code 203.0.113.7/32}). Parsing never touches DNS.
 */
public final class Cidr {

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private final byte[] network;
    private final int prefixLength;

    private Cidr(byte[] network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /** The block this text names, or empty if it is not an IP address or CIDR block. */
    public static Optional<Cidr> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String trimmed = text.strip();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] bytes = address.indexOf(':') >= 0 ? ipv6(address) : ipv4(address);
        if (bytes == null) {
            return Optional.empty();
        }
        // An IPv4-mapped IPv6 address (::ffff:198.51.100.1) is that IPv4 address; its prefix counts the 96 bits before.
        int mappedBits = bytes.length == 4 && address.indexOf(':') >= 0 ? 96 : 0;
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String digits = trimmed.substring(slash + 1);
            if (!digits.matches("\\d{1,3}")) {
                return Optional.empty();
            }
            prefix = Integer.parseInt(digits) - mappedBits;
            if (prefix < 0 || prefix > max) {
                return Optional.empty();
            }
        }
        return Optional.of(new Cidr(mask(bytes, prefix), prefix));
    }

    /**
     * An IP address in one spelling for every way of writing it — IPv4 dotted decimal, IPv6 as RFC 5952
     * ({@code 2001:db8::1}), an IPv4-mapped IPv6 address as its IPv4 address, square brackets dropped — or
     * empty if the text is not a single address. Records and queries meet on this form.
     */
    public static Optional<String> canonicalAddress(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String address = text.strip();
        if (address.length() > 2 && address.charAt(0) == '[' && address.charAt(address.length() - 1) == ']') {
            address = address.substring(1, address.length() - 1);
        }
        if (address.indexOf('/') >= 0) {
            return Optional.empty();
        }
        return parse(address).map(c -> c.network.length == 4 ? c.ipv4Text() : c.ipv6Text());
    }

    /** Whether the address (a literal, no prefix) lies in this block. */
    public boolean contains(String ipAddress) {
        return parse(ipAddress)
                .filter(ip -> ip.prefixLength == ip.network.length * 8 && ip.network.length == network.length)
                .map(ip -> Arrays.equals(mask(ip.network, prefixLength), network))
                .orElse(false);
    }

    @Override
    public String toString() {
        return (network.length == 4 ? ipv4Text() : ipv6Text()) + "/" + prefixLength;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr other && prefixLength == other.prefixLength && Arrays.equals(network, other.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    private static byte[] ipv4(String address) {
        Matcher m = IPV4.matcher(address);
        if (!m.matches()) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = m.group(i + 1);
            int value = Integer.parseInt(part);
            // No leading zeros: "010" is octal to some parsers and decimal to others.
            if (value > 255 || (part.length() > 1 && part.charAt(0) == '0')) {
                return null;
            }
            out[i] = (byte) value;
        }
        return out;
    }

    private static byte[] ipv6(String address) {
        if (!IPV6_CHARS.matcher(address).matches()) {
            return null;
        }
        try {
            // Only hex digits, colons and dots: a literal, so the JDK does not resolve it. The JDK answers an
            // IPv4-mapped address (::ffff:a.b.c.d) with its IPv4 address.
            InetAddress parsed = InetAddress.getByName("[" + address + "]");
            return parsed instanceof Inet6Address || parsed instanceof Inet4Address ? parsed.getAddress() : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int bitsKept = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xFF << (8 - bitsKept)));
        }
        return out;
    }

    private String ipv4Text() {
        return (network[0] & 0xFF) + "." + (network[1] & 0xFF) + "." + (network[2] & 0xFF) + "." + (network[3] & 0xFF);
    }

    /** RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups as {@code ::}. */
    private String ipv6Text() {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((network[2 * i] & 0xFF) << 8) | (network[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}
