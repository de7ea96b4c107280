package dev.credledger.app;

import java.util.Map;

/** The defaults of the embedded default, one place, shown by {@code --help}. */
final class BuiltInDefaults {

    private static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("--data-dir", "./data"),
            Map.entry("--http-host", "127.0.0.1"),
            Map.entry("--http-port", "8080"),
            Map.entry("--kafka-port", "9092"),
            Map.entry("--registry-port", "8081"),
            Map.entry("--application-id", "credledger"),
            Map.entry("--partitions", "3"),
            Map.entry("--replication-factor", "1"),
            Map.entry("--standby-replicas", "0"),
            Map.entry("--stream-threads", "1"),
            Map.entry("--command-timeout", "10s"),
            Map.entry("--trusted-proxies", ""),
            Map.entry("--max-allowed-ips", "100"),
            Map.entry("--max-grace-period", "24h"),
            Map.entry("--idempotency-window", "24h"),
            Map.entry("--revocation-retention", "30d"),
            Map.entry("--usage-retention", "90d"),
            Map.entry("--rocksdb-memory", "256m"),
            Map.entry("--enforcement-stale-after", "30s"),
            Map.entry("--enforcement-alert-after", "5s"),
            Map.entry("--audit-log-name", "credledger.local/audit"),
            Map.entry("--checkpoint-interval", "1m"),
            Map.entry("--leak-reports-unsigned", "refuse"),
            Map.entry("--stream-heartbeat", "15s"),
            Map.entry("--verify-failure-rate", "10"),
            Map.entry("--verify-failure-burst", "100"),
            Map.entry("--webhooks-allow-private-addresses", "false"),
            Map.entry("--delivery-attempts", "10"),
            Map.entry("--delivery-backoff", "5s"));

    private BuiltInDefaults() {}

    static String of(String option) {
        return DEFAULTS.get(option);
    }
}
