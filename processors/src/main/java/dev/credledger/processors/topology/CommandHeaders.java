package dev.credledger.processors.topology;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Headers a command may carry beside its Avro value. Hints only: a command is decided the same with or without them.
 */
public final class CommandHeaders {

    /**
     * How many commands the sender was waiting for when it sent this one, this one included (ASCII digits). The HTTP
     * edge sets it. A command sent alone ({@code 1}) asks the processor to commit its transaction right after it,
     * instead of at the end of the commit interval: at low load an answer saves up to the interval, at high load the
     * interval still batches many commands into one transaction (committing after each would cost most of the
     * throughput, measured in docs/benchmarks.md, "Batching that keeps latency").
     */
    public static final String IN_FLIGHT = "credledger-in-flight";

    private CommandHeaders() {}

    /** Whether the command says it was sent alone. */
    static boolean alone(Headers headers) {
        Header h = headers.lastHeader(IN_FLIGHT);
        return h != null && "1".equals(new String(h.value(), StandardCharsets.US_ASCII));
    }
}
