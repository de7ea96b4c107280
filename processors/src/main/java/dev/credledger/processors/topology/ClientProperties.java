package dev.credledger.processors.topology;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * How every Kafka client of the ledger reaches the cluster: its bootstrap servers, and the deployment's client
 * properties — security (SASL_SSL, SCRAM, mTLS), timeouts, DNS — that apply to all of them (producers, consumers,
 * the admin client and Kafka Streams' own). A client's own settings are applied on top: what the ledger's guarantees
 * rest on (exactly-once, {@code read_committed}, acks) cannot be weakened by a deployment property.
 *
 * @param bootstrapServers the cluster
 * @param extra the deployment's client properties ({@code bootstrap.servers} is refused here: it has its own option)
 */
public record ClientProperties(String bootstrapServers, Map<String, String> extra) {

    public ClientProperties {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        extra = Map.copyOf(extra);
        if (extra.containsKey("bootstrap.servers")) {
            throw new IllegalArgumentException("give the cluster with --bootstrap-servers, not as a Kafka client property");
        }
    }

    /** Only the bootstrap servers (the embedded broker, tests). */
    public static ClientProperties of(String bootstrapServers) {
        return new ClientProperties(bootstrapServers, Map.of());
    }

    /** A client's configuration: the deployment's properties, then the client's own, then the bootstrap servers. */
    public Map<String, Object> config(Map<String, ?> own) {
        Map<String, Object> out = new HashMap<>(extra);
        out.putAll(own);
        out.put("bootstrap.servers", bootstrapServers);
        return out;
    }

    /** As {@link #config}, for APIs that take {@link Properties}. */
    public Properties properties(Properties own) {
        Properties out = new Properties();
        out.putAll(extra);
        out.putAll(own);
        out.put("bootstrap.servers", bootstrapServers);
        return out;
    }

    /** Names only: values (a JAAS configuration, a key store password) are secrets. */
    @Override
    public String toString() {
        return "ClientProperties[" + bootstrapServers + ", " + new TreeMap<>(extra).keySet() + "]";
    }
}
