package dev.credledger.bench;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/** Collects result lines and prints them together at the end, after the ledger's own log output. */
final class Report {

    private final List<String> lines = new ArrayList<>();

    void line(String text) {
        lines.add(text);
        System.out.println("[bench] " + text);
    }

    static String millis(Histogram h) {
        return String.format("p50 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)", h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0, h.getTotalCount());
    }

    /** A histogram recorded in nanoseconds. */
    static String nanos(Histogram h) {
        return String.format("p50 %d ns, p99 %d ns, max %d ns (n=%d)", h.getValueAtPercentile(50),
                h.getValueAtPercentile(99), h.getMaxValue(), h.getTotalCount());
    }

    void print() {
        System.out.println();
        System.out.println("==== credledger benchmarks ====");
        lines.forEach(System.out::println);
    }
}
