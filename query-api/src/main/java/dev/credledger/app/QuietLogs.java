package dev.credledger.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Keeps the log for what is wrong. Two kinds of Kafka log lines say nothing wrong and are dropped: lines every start
 * or stop of the embedded broker and Streams prints whatever happens ({@link #NOISE}), and Kafka Streams' account of a task whose local state it rebuilds — an ERROR, several WARNs and two stack traces
 * for one ordinary event — into one WARN line per task that says what happened and that nothing is lost. Under
 * exactly-once, Streams rebuilds a task's local state from its changelogs whenever it cannot prove the state holds
 * only committed writes: after an unclean stop, and also after a clean one when a store of the task was never written
 * (an idle partition's idempotency window has nothing to checkpoint). The changelogs hold every committed change, so
 * the rebuild loses nothing; it only takes the time to read them. Installed in {@code logback.xml}.
 */
public final class QuietLogs extends TurboFilter {

    /** Said on every start or stop, by a healthy broker or Streams: no news. */
    static final String[] NOISE = {
        "Performing controller activation", // KRaft, each start of the embedded broker
        "Attempting to close NetworkClient that has already been closed", // the embedded broker's own stop
        "Processing exception handler is not enabled for the GlobalThread", // said even with the handler enabled
    };
    private static final Pattern TASK_ID = Pattern.compile("\\b([0-9]+_[0-9]+)\\b");
    private static final String[] SAYINGS = {"did not find checkpoint offsets", "are corrupted and hence need to be re-initialized",
        "Encounter corrupted task", "Detected the states of tasks"};
    private final Map<String, Long> said = new ConcurrentHashMap<>();

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (logger == null || format == null || !(logger.getName().startsWith("org.apache.kafka")
                || logger.getName().startsWith("o.a.k"))) {
            return FilterReply.NEUTRAL;
        }
        if (level != null && level.isGreaterOrEqual(Level.WARN) && level.levelInt < Level.ERROR_INT) {
            for (String noise : NOISE) {
                if (format.contains(noise)) {
                    return FilterReply.DENY;
                }
            }
        }
        if (!logger.getName().startsWith("org.apache.kafka.streams")) {
            return FilterReply.NEUTRAL;
        }
        String text = format + (params == null ? "" : " " + java.util.Arrays.toString(params));
        if (!corruption(text, params, t)) {
            return FilterReply.NEUTRAL;
        }
        Matcher m = TASK_ID.matcher(text);
        String task = m.find() ? m.group(1) : "?";
        long now = System.nanoTime();
        Long last = said.get(task);
        // Once a minute per task at most: a task rebuilt again and again (a restore loop) keeps saying so.
        if (last == null || now - last > java.util.concurrent.TimeUnit.MINUTES.toNanos(1)) {
            said.put(task, now);
            log().warn("Rebuilding the local state of task {} from its changelogs: Kafka Streams found it without a checkpoint"
                    + " (after an unclean stop, or a store of the task never written). Nothing is lost: the changelogs hold"
                    + " every committed change.", task);
        }
        return FilterReply.DENY;
    }

    /** Said through the context this filter is installed in (the application's; a test's own). */
    private org.slf4j.Logger log() {
        return getContext() instanceof ch.qos.logback.classic.LoggerContext context ? context.getLogger(QuietLogs.class)
                : LoggerFactory.getLogger(QuietLogs.class);
    }

    /** Whether a Streams log event is only about tasks rebuilt after corruption, and nothing else. */
    private static boolean corruption(String text, Object[] params, Throwable t) {
        if (params != null) {
            for (Object p : params) {
                if (p instanceof Map<?, ?> byTask) {
                    // "Get exceptions for the following tasks": dropped only if every one of them is a corruption.
                    return !byTask.isEmpty() && byTask.values().stream().allMatch(v -> v instanceof Throwable th && corrupted(th));
                }
            }
        }
        if (corrupted(t) || (params != null && java.util.Arrays.stream(params).anyMatch(p -> p instanceof Throwable th && corrupted(th)))) {
            return true;
        }
        if (text.contains("Failed to register startup state stores")) {
            return text.contains("are corrupted");
        }
        for (String saying : SAYINGS) {
            if (text.contains(saying)) {
                return true;
            }
        }
        return false;
    }

    private static boolean corrupted(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof org.apache.kafka.streams.errors.TaskCorruptedException) {
                return true;
            }
        }
        return false;
    }
}
