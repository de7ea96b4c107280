package dev.credledger.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.errors.TaskCorruptedException;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

/** What the log filter drops, and what it must never drop (a logback context of the test's own, not the global one). */
class QuietLogsTest {

    private final LoggerContext context = new LoggerContext();
    private final ListAppender<ILoggingEvent> seen = new ListAppender<>();

    QuietLogsTest() {
        QuietLogs filter = new QuietLogs();
        filter.setContext(context);
        filter.start();
        context.addTurboFilter(filter);
        seen.setContext(context);
        seen.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(seen);
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
    }

    @Test
    void streamsRebuildingACorruptedTaskIsOneWarnLineThatSaysNothingIsLost() {
        TaskCorruptedException corrupted = new TaskCorruptedException(Set.of(new TaskId(0, 2)));
        context.getLogger("org.apache.kafka.streams.processor.internals.ProcessorStateManager").warn(
                "stream-task [0_2] State store command-processed did not find checkpoint offsets while stores are not empty");
        context.getLogger("org.apache.kafka.streams.processor.internals.TaskManager").error(
                "Get exceptions for the following tasks: {}", Map.of(new TaskId(0, 2), corrupted));
        context.getLogger("org.apache.kafka.streams.processor.internals.TaskManager").warn(
                "Encounter corrupted task {}, will group it with other corrupted tasks and handle together", new TaskId(0, 2),
                corrupted);

        assertThat(seen.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN);
        assertThat(seen.list.getFirst().getFormattedMessage()).contains("task 0_2", "Nothing is lost");
    }

    @Test
    void anErrorBesideACorruptionAndAnyOtherErrorArePassedOn() {
        TaskCorruptedException corrupted = new TaskCorruptedException(Set.of(new TaskId(0, 1)));
        context.getLogger("org.apache.kafka.streams.processor.internals.TaskManager").error(
                "Get exceptions for the following tasks: {}", Map.of(new TaskId(0, 1), corrupted,
                        new TaskId(0, 2), new IllegalStateException("disk full")));
        context.getLogger("org.apache.kafka.streams.processor.internals.StateDirectory").warn(
                "Failed to register startup state stores for task 0_0: {}", "an I/O error");
        context.getLogger("org.apache.kafka.clients.NetworkClient").warn("Connection to node -1 could not be established");

        assertThat(seen.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.ERROR, Level.WARN, Level.WARN);
    }

    @Test
    void theBrokersNoiseOnEveryStartIsDroppedButItsErrorsAreNot() {
        context.getLogger("org.apache.kafka.controller.QuorumController").warn(
                "[QuorumController id=1] Performing controller activation. The metadata log appears to be empty.");
        context.getLogger("org.apache.kafka.controller.QuorumController").error("Performing controller activation failed");

        assertThat(seen.list).extracting(ILoggingEvent::getLevel).isEqualTo(List.of(Level.ERROR));
    }
}
