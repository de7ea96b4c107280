package dev.credledger.app;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** {@code --format table} of {@code credledger replay}: the same data as the JSON, aligned for a terminal. */
final class TableWriter {

    private static final String TIMELINE = "%-24s  %-20s  %5s  %-24s  %-7s  %-24s  %-15s  %s%n";

    private final PrintWriter out;
    private boolean header;

    TableWriter(PrintWriter out) {
        this.out = out;
    }

    void timeline(Map<String, Object> line) {
        if (!header) {
            out.printf(TIMELINE, "TIME", "ACCOUNT", "SEQ", "TYPE", "ENV", "ACTOR", "SOURCE IP", "DETAIL");
            header = true;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> actor = (Map<String, Object>) line.get("actor");
        out.printf(TIMELINE, line.get("time"), line.get("accountId"), line.get("sequence"), line.get("type"),
                text(line.get("environment")), actor.get("id"), actor.get("sourceIp"), summary(line.get("detail")));
    }

    @SuppressWarnings("unchecked")
    void state(Map<String, Object> state) {
        out.printf("account %s  plan %s  version %s  as of %s%n", state.get("accountId"), state.get("plan"),
                state.get("version"), state.get("asOf"));
        Map<String, Object> environments = (Map<String, Object>) state.get("environments");
        for (Map.Entry<String, Object> e : environments.entrySet()) {
            Map<String, Object> env = (Map<String, Object>) e.getValue();
            out.printf("  %-8s api %s%n", e.getKey(), Boolean.TRUE.equals(env.get("apiEnabled")) ? "enabled" : "disabled");
            secret("auth token", env.get("authToken"));
            secret("grace token", env.get("graceToken"));
            secret("private salt", env.get("privateSalt"));
            for (Map<String, Object> ip : (List<Map<String, Object>>) env.get("allowedIps")) {
                out.printf("           %-13s %-43s since %s%n", "allowed ip", ip.get("cidr"), ip.get("since"));
            }
            for (Map<String, Object> c : (List<Map<String, Object>>) env.get("credentials")) {
                out.printf("           %-13s %-20s %-8s %-13s %s  since %s%n", "credential", c.get("name"), c.get("status"),
                        c.get("secretPrefix"), c.get("credentialId"), c.get("since"));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void secret(String label, Object value) {
        if (value != null) {
            Map<String, Object> s = (Map<String, Object>) value;
            out.printf("           %-13s %-13s %s  since %s%n", label, s.get("prefix"), s.get("id"), s.get("since"));
        }
    }

    /** The detail in one line: secrets by their prefix, other values as they are. */
    @SuppressWarnings("unchecked")
    private static String summary(Object detail) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) detail).entrySet()) {
            Object v = e.getValue();
            if (v instanceof Map<?, ?> m && m.containsKey("prefix")) {
                v = m.get("prefix");
            } else if (v instanceof List<?> list) {
                v = list.stream().map(i -> i instanceof Map<?, ?> m && m.containsKey("prefix") ? m.get("prefix") : i).toList();
            }
            if (v != null) {
                sb.append(sb.isEmpty() ? "" : " ").append(e.getKey()).append('=').append(v);
            }
        }
        return sb.toString();
    }

    private static String text(Object value) {
        return value == null ? "-" : value.toString();
    }
}
