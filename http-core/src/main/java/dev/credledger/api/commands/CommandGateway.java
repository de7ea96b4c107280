package dev.credledger.api.commands;

import dev.credledger.api.Problem;
import dev.credledger.events.avro.command.CommandResult;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.topology.Topics;
import dev.credledger.processors.wire.CommandCodec;
import dev.credledger.processors.topology.CommandHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends commands to {@code credential-commands} and hands back their results from
 * {@code credential-command-results}. Every instance reads every result partition from the end, so the
 * instance that sent a command sees its answer whichever instance decided it.
 *
 * <p>Read-your-writes: the single writer writes the result in the same transaction as the command's events, audit
 * records, account views and lookup updates, so once the result is visible (read committed), all of them are. What
 * this instance's replicated lookups show is awaited by the caller ({@code LocalLookups}).
 */
public final class CommandGateway implements AutoCloseable {

    /** The processor did not answer within the timeout; the command may still be applied later. */
    public static final class Timeout extends Exception {
        private final UUID commandId;

        Timeout(UUID commandId) {
            super("no result for command " + commandId + " yet");
            this.commandId = commandId;
        }

        public UUID commandId() {
            return commandId;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(CommandGateway.class);

    private final Topics topics;
    private final Duration timeout;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> results;
    /** Requests waiting, by command ID: a retried keyed request can wait on the same ID as the first one. */
    private final Map<UUID, List<Pending>> pending = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile boolean running = true;
    private volatile boolean ready;

    public CommandGateway(dev.credledger.processors.topology.ClientProperties clients, Topics topics, Duration timeout) {
        this.topics = topics;
        this.timeout = timeout;
        this.producer = new KafkaProducer<>(clients.config(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                // A send waits for metadata about as long as a command may take (at least 2 s: a first send needs
                // metadata even when all is well): with the broker gone the answer is the 503 with the commandId,
                // not a request held for the default minute.
                ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.max(timeout.toMillis(), 2_000),
                ProducerConfig.CLIENT_ID_CONFIG, "credledger-gateway-" + UUID.randomUUID())),
                new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
        this.results = new KafkaConsumer<>(clients.config(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10)),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.reader = Thread.ofPlatform().name("credledger-results").daemon().unstarted(this::readResults);
    }

    /** Positions the result reader at the end of every partition, then starts it; returns when it is in place. */
    public void start() {
        List<TopicPartition> partitions = results.partitionsFor(Topics.RESULTS).stream()
                .map(p -> new TopicPartition(Topics.RESULTS, p.partition())).toList();
        results.assign(partitions);
        results.seekToEnd(partitions);
        partitions.forEach(results::position);
        ready = true;
        reader.start();
    }

    public boolean ready() {
        return ready && reader.isAlive();
    }

    /**
     * Sends the command and waits (bounded) for its result. Once
     * the command may have been sent, every failure is a {@link Timeout} naming the command ID: the command
     * may still be applied, and the caller can find out from the audit trail.
     */
    public CommandResult execute(Command command) throws Timeout {
        return execute(command, null);
    }

    /** As {@link #execute(Command)}, for a request sent with an Idempotency-Key: its fingerprint travels along. */
    public CommandResult execute(Command command, String requestFingerprint) throws Timeout {
        UUID id = command.metadata().commandId();
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] value;
        try {
            var avro = dev.credledger.events.avro.command.CredentialCommand.newBuilder(CommandCodec.toAvro(command))
                    .setRequestFingerprint(requestFingerprint).build();
            value = topics.commands.valueSerde().serializer().serialize(Topics.COMMANDS, avro);
        } catch (RuntimeException e) {
            // Nothing was sent: the schema registry is unreachable or refused the schema.
            LOG.warn("Command {} could not be encoded, so it was not sent: {}", id, e.toString());
            throw Problem.unavailable("the command could not be encoded (is the schema registry reachable?); it was not "
                    + "sent: retry");
        }
        Pending p = new Pending();
        pending.compute(id, (k, waiting) -> {
            List<Pending> list = waiting == null ? new java.util.concurrent.CopyOnWriteArrayList<>() : waiting;
            list.add(p);
            return list;
        });
        try {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.COMMANDS,
                    command.metadata().accountId().value(), value);
            // A hint, not a rule: alone in flight, the command asks the processor to commit at once (latency); with
            // others behind it, the commit interval batches them (throughput). See CommandHeaders.IN_FLIGHT.
            record.headers().add(CommandHeaders.IN_FLIGHT, Integer.toString(pending.size()).getBytes(StandardCharsets.US_ASCII));
            producer.send(record, (m, e) -> {
                if (e != null) {
                    p.result.completeExceptionally(e);
                }
            });
            // Committed with everything the command changed: its events, audit records, views and lookup updates.
            return p.result.get(remaining(deadline), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new Timeout(id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Timeout(id);
        } catch (ExecutionException | RuntimeException e) {
            // The producer failed or is closing: the command may or may not have reached the broker.
            LOG.warn("Command {} may not have been sent: {}", id, e instanceof ExecutionException x ? x.getCause() : e.toString());
            throw new Timeout(id);
        } finally {
            pending.computeIfPresent(id, (k, waiting) -> {
                waiting.remove(p);
                return waiting.isEmpty() ? null : waiting;
            });
        }
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    /** A command in flight. */
    private static final class Pending {
        final CompletableFuture<CommandResult> result = new CompletableFuture<>();
    }

    private void readResults() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : results.poll(Duration.ofMillis(100))) {
                    if (pending.isEmpty()) {
                        continue;
                    }
                    CommandResult result = topics.results.valueSerde().deserializer().deserialize(Topics.RESULTS, record.value());
                    pending.getOrDefault(result.getCommandId(), List.of()).forEach(p -> p.result.complete(result));
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("The command result reader stopped; commands will time out until restart", e);
        } finally {
            results.close(Duration.ofSeconds(2));
        }
    }

    @Override
    public void close() {
        running = false;
        if (reader.getState() == Thread.State.NEW) {
            // Closed before it started (a start-up that failed later on): nothing reads, nothing to wait for — and
            // joining an unstarted thread would throw, hiding the failure that brought us here.
            results.close(Duration.ZERO);
            producer.close(Duration.ofSeconds(5));
            return;
        }
        if (!reader.isAlive() && !ready) {
            results.close(Duration.ZERO);
        }
        results.wakeup();
        try {
            reader.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
