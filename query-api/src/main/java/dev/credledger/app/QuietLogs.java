package dev.credledger.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Set;
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
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(QuietLogs.class);
    private static final Pattern TASKS = Pattern.compile("(?:task|tasks|Tasks) \\[?([0-9]+_[0-9]+(?:, ?[0-9]+_[0-9]+)*)\\]?");
    private static final String[] SAYINGS = {"did not find checkpoint offsets", "are corrupted and hence need to be re-initialized",
        "Failed to register startup state stores", "Encounter corrupted task", "Detected the states of tasks",
        "Get exceptions for the following tasks"};
    private final Set<String> said = ConcurrentHashMap.newKeySet();

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
        boolean corruption = corrupted(t) || (params != null && java.util.Arrays.stream(params).anyMatch(
                p -> p instanceof Throwable th && corrupted(th)));
        for (String saying : SAYINGS) {
            corruption |= text.contains(saying);
        }
        if (!corruption || (text.contains("Get exceptions for the following tasks") && !text.contains("TaskCorrupted"))) {
            return FilterReply.NEUTRAL;
        }
        Matcher m = TASKS.matcher(text);
        String tasks = m.find() ? m.group(1) : "?";
        if (said.add(tasks)) {
            LOG.warn("Rebuilding the local state of task {} from its changelogs: Kafka Streams found it without a checkpoint"
                    + " (after an unclean stop, or a store of the task never written). Nothing is lost: the changelogs hold"
                    + " every committed change.", tasks);
        }
        return FilterReply.DENY;
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
