package dev.credledger.api;

import dev.credledger.events.model.Cidr;
import io.javalin.http.Context;
import java.util.List;

/**
 * The client's IP address for the audit trail. {@code X-Forwarded-For} is believed only when the
 * connection comes from a configured trusted proxy, and then only up to the first address that is not a
 * trusted proxy, read from the right (anything further left is the client's own claim).
 */
public final class ClientAddress {

    private final List<Cidr> trustedProxies;

    public ClientAddress(List<Cidr> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    public String of(Context ctx) {
        return of(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"));
    }

    /** The client address given the connection's peer and the {@code X-Forwarded-For} header (or {@code null}). */
    public String of(String peer, String forwarded) {
        if (forwarded == null || !trusted(peer)) {
            return peer;
        }
        String[] hops = forwarded.split(",");
        String client = peer;
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].strip();
            if (!isAddress(hop)) {
                break; // garbage or a block, not an address: nothing further left can be believed
            }
            client = hop;
            if (!trusted(hop)) {
                break;
            }
        }
        return client;
    }

    private static boolean isAddress(String text) {
        return text.indexOf('/') < 0 && Cidr.parse(text).isPresent();
    }

    private boolean trusted(String address) {
        return trustedProxies.stream().anyMatch(c -> c.contains(address));
    }
}
