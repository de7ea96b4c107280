package dev.credledger.api.stream;

import dev.credledger.api.Drain;
import dev.credledger.api.Json;
import dev.credledger.api.Problem;
import dev.credledger.events.avro.CredentialRevoked;
import dev.credledger.events.avro.LeakReported;
import dev.credledger.processors.topology.Topics;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/revocations/stream}: Server-Sent Events for services that are not Kafka consumers. One
 * {@code event: revocation} per record of {@code credential-revocations} as it is committed, and one
 * {@code event: credential-expiring} per rotation notice, and one
 * {@code event: leak-reported} per leak report recorded in {@code credential-events} (under a notify policy the only
 * sign of it a service gets; under revoke, the revocation follows). Each event's {@code id} is the stream's position
 * after it — the next offset of every partition of both topics — so a client that reconnects with
 * {@code Last-Event-ID} resumes exactly after the last event it got: no gap, no repeat. Without one, the stream starts
 * at the end (what happens from now on). A comment line is sent when nothing was for {@code heartbeat}, so proxies and
 * clients can tell a quiet stream from a dead one.
 *
 * <p>Each stream reads Kafka with its own consumer (no group) and writes as it reads, so nothing queues for a slow
 * reader: a write that the client does not take blocks the stream, and the server's idle timeout disconnects it.
 * At most {@link #MAX_STREAMS} streams at once per instance (503 beyond); they end when the instance drains.
 */
public final class RevocationStream {

    public static final int MAX_STREAMS = 64;

    private static final Logger LOG = LoggerFactory.getLogger(RevocationStream.class);
    /** {@code r0-12.r1-7.e0-40}: per partition of the revocations ({@code r}) and events ({@code e}) topics, the next offset. */
    private static final java.util.Comparator<TopicPartition> ORDER = java.util.Comparator.comparing(TopicPartition::topic)
            .thenComparingInt(TopicPartition::partition);
    /** How often a quiet stream checks that its client is still there. */
    static final Duration LIVENESS = Duration.ofSeconds(1);
    private static final Pattern POSITION = Pattern.compile("([re])(\\d{1,5})-(\\d{1,19})");

    private final dev.credledger.processors.topology.ClientProperties clients;
    private final Topics topics;
    private final Drain drain;
    private final Duration heartbeat;
    private final Semaphore streams = new Semaphore(MAX_STREAMS);

    public RevocationStream(dev.credledger.processors.topology.ClientProperties clients, Topics topics, Drain drain, Duration heartbeat) {
        this.clients = clients;
        this.topics = topics;
        this.drain = drain;
        this.heartbeat = heartbeat;
    }

    public void stream(Context ctx) {
        Map<TopicPartition, Long> resume = parse(ctx.header("Last-Event-ID"));
        if (!streams.tryAcquire()) {
            throw new Problem(503, "too-many-streams", "Too many streams", "this instance serves at most " + MAX_STREAMS
                    + " streams at once; retry, or connect to another instance").retryAfter(5);
        }
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            Map<TopicPartition, Long> position = start(consumer, resume);
            ctx.status(200).contentType("text/event-stream; charset=utf-8");
            ctx.header("Cache-Control", "no-store");
            ctx.header("X-Accel-Buffering", "no");
            OutputStream out = ctx.res().getOutputStream();
            // The reconnection delay a client waits, and a first write so the client knows the stream is open.
            write(out, "retry: 2000\n: connected\n\n");
            follow(consumer, position, out);
        } catch (IOException e) {
            LOG.debug("A revocation stream ended: the client went away ({})", e.toString());
        } finally {
            streams.release();
        }
    }

    private void follow(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> position, OutputStream out)
            throws IOException {
        Deserializer<CredentialRevoked> revocations = topics.revocations.valueSerde().deserializer();
        Deserializer<dev.credledger.events.avro.CredentialEvent> events = topics.events.valueSerde().deserializer();
        long lastWrite = System.nanoTime();
        long lastProbe = lastWrite;
        while (!drain.draining() && !Thread.currentThread().isInterrupted()) {
            StringBuilder batch = new StringBuilder();
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                position.put(tp, r.offset() + 1);
                String event = null;
                Map<String, Object> data = null;
                try {
                    if (r.topic().equals(Topics.REVOCATIONS) && r.value() != null) {
                        event = "revocation";
                        data = revocation(revocations.deserialize(r.topic(), r.value()));
                    } else if (r.topic().equals(Topics.EVENTS) && r.value() != null) {
                        var e = events.deserialize(r.topic(), r.value());
                        if (e.getPayload() instanceof LeakReported leak) {
                            event = "leak-reported";
                            data = leak(e, leak);
                        } else if (e.getPayload() instanceof dev.credledger.events.avro.CredentialExpiring notice) {
                            event = "credential-expiring";
                            data = expiring(e, notice);
                        }
                    }
                } catch (RuntimeException e) {
                    // The ledger's own topics: a record it cannot read is skipped, not allowed to end every stream.
                    LOG.warn("Revocation stream: skipped {}@{} ({})", tp, r.offset(), e.toString());
                }
                if (event != null) {
                    batch.append("id: ").append(encode(position)).append("\nevent: ").append(event)
                            .append("\ndata: ").append(Json.write(data)).append("\n\n");
                }
            }
            long now = System.nanoTime();
            if (!batch.isEmpty()) {
                write(out, batch.toString());
                lastWrite = now;
                lastProbe = now;
            } else if (now - lastWrite >= heartbeat.toNanos()) {
                write(out, ": heartbeat\n\n");
                lastWrite = now;
                lastProbe = now;
            } else if (now - lastProbe >= LIVENESS.toNanos()) {
                // A comment line of two bytes: a connection the client closed fails the next write or the one after,
                // so its stream and its slot end within about two seconds, not at the next heartbeat.
                write(out, ":\n");
                lastProbe = now;
            }
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "credledger-revocation-stream");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        return new KafkaConsumer<>(clients.properties(p), new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Assigns every partition of both topics at the resume position, or at their ends; returns the position. */
    private static Map<TopicPartition, Long> start(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> resume) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.REVOCATIONS, Topics.EVENTS)) {
            consumer.partitionsFor(topic, Duration.ofSeconds(10))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        Map<TopicPartition, Long> position = new TreeMap<>(ORDER);
        if (resume != null && !partitions.containsAll(resume.keySet())) {
            throw Problem.invalidParameter("Last-Event-ID", "not a position of this stream: it names a partition that "
                    + "does not exist");
        }
        Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        for (TopicPartition tp : partitions) {
            long at;
            if (resume == null) {
                at = end.get(tp);
            } else if (resume.containsKey(tp)) {
                long wanted = resume.get(tp);
                if (wanted > end.get(tp)) {
                    throw Problem.invalidParameter("Last-Event-ID", "the Last-Event-ID is ahead of the stream: not one of "
                            + "this ledger's positions");
                }
                if (wanted < beginning.get(tp)) {
                    // Aged out (revocations are kept for --revocation-retention): nothing can be resent from before.
                    throw new Problem(410, "stream-position-expired", "Position expired", "the events after this "
                            + "Last-Event-ID are no longer kept; reconnect without it and reconcile from the views");
                }
                at = wanted;
            } else {
                at = beginning.get(tp); // a partition added since the client's position: all of it is new to it
            }
            consumer.seek(tp, at);
            position.put(tp, at);
        }
        return position;
    }

    static String encode(Map<TopicPartition, Long> position) {
        StringBuilder out = new StringBuilder();
        position.forEach((tp, offset) -> {
            if (!out.isEmpty()) {
                out.append('.');
            }
            out.append(tp.topic().equals(Topics.REVOCATIONS) ? 'r' : 'e').append(tp.partition()).append('-').append(offset);
        });
        return out.toString();
    }

    /** The position a {@code Last-Event-ID} names, or {@code null} for none; 400 for one that is not a position. */
    static Map<TopicPartition, Long> parse(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return null;
        }
        Map<TopicPartition, Long> out = new LinkedHashMap<>();
        String[] parts = lastEventId.strip().split("\\.");
        if (lastEventId.length() > 4096) {
            throw Problem.invalidParameter("Last-Event-ID", "not a position of this stream");
        }
        for (String part : parts) {
            Matcher m = POSITION.matcher(part);
            if (!m.matches()) {
                throw Problem.invalidParameter("Last-Event-ID", "not a position of this stream");
            }
            try {
                TopicPartition tp = new TopicPartition(m.group(1).equals("r") ? Topics.REVOCATIONS : Topics.EVENTS,
                        Integer.parseInt(m.group(2)));
                if (out.put(tp, Long.parseLong(m.group(3))) != null) {
                    throw Problem.invalidParameter("Last-Event-ID", "not a position of this stream: it names a "
                            + "partition twice");
                }
            } catch (NumberFormatException e) {
                throw Problem.invalidParameter("Last-Event-ID", "not a position of this stream");
            }
        }
        // Every ID this stream sends names both topics' partitions, in order.
        Map<TopicPartition, Long> sorted = new TreeMap<>(ORDER);
        sorted.putAll(out);
        if (out.keySet().stream().map(TopicPartition::topic).distinct().count() != 2
                || !lastEventId.strip().equals(encode(sorted))) {
            throw Problem.invalidParameter("Last-Event-ID", "not a position of this stream");
        }
        return out;
    }

    /** A revocation as the stream sends it: the fields of {@code credential-revocations}, names in JSON style. */
    public static Map<String, Object> revocation(CredentialRevoked r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("eventId", r.getEventId());
        out.put("credentialId", r.getCredentialId());
        out.put("accountId", r.getAccountId());
        out.put("environment", r.getEnvironment().name().toLowerCase(Locale.ROOT));
        out.put("kind", r.getKind().name());
        out.put("fingerprint", r.getFingerprint());
        out.put("prefix", r.getPrefix());
        out.put("reason", r.getReason().name());
        out.put("revokedAt", r.getRevokedAt().toString());
        out.put("causedBy", r.getCausedBy());
        return out;
    }

    /** A rotation notice: the secret expires at {@code expiresAt}. */
    private static Map<String, Object> expiring(dev.credledger.events.avro.CredentialEvent e,
            dev.credledger.events.avro.CredentialExpiring notice) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("eventId", e.getEventId());
        out.put("accountId", e.getAccountId());
        out.put("environment", e.getEnvironment() == null ? null : e.getEnvironment().name().toLowerCase(Locale.ROOT));
        out.put("kind", notice.getSecret().getKind().name());
        out.put("credentialId", notice.getCredentialId());
        out.put("secretId", notice.getSecret().getSecretId());
        out.put("fingerprint", notice.getSecret().getFingerprint());
        out.put("prefix", notice.getSecret().getPrefix());
        out.put("expiresAt", notice.getExpiresAt().toString());
        out.put("notifiedAt", e.getOccurredAt().toString());
        return out;
    }

    private static Map<String, Object> leak(dev.credledger.events.avro.CredentialEvent e, LeakReported leak) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("eventId", e.getEventId());
        out.put("accountId", e.getAccountId());
        out.put("environment", e.getEnvironment() == null ? null : e.getEnvironment().name().toLowerCase(Locale.ROOT));
        out.put("kind", leak.getSecret().getKind().name());
        out.put("secretId", leak.getSecret().getSecretId());
        out.put("fingerprint", leak.getSecret().getFingerprint());
        out.put("prefix", leak.getSecret().getPrefix());
        out.put("outcome", leak.getOutcome().name());
        out.put("reporter", leak.getReport().getReporter());
        out.put("url", leak.getReport().getUrl());
        out.put("source", leak.getReport().getSource());
        out.put("reportedAt", e.getOccurredAt().toString());
        return out;
    }
}
