package dev.credledger.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.CredentialEvent;
import dev.credledger.events.avro.Outcome;
import dev.credledger.events.avro.command.CommandResult;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Actor;
import dev.credledger.events.model.Channel;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.secret.SecretFormat;
import dev.credledger.processors.audit.AuditChain;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.domain.CommandMetadata;
import dev.credledger.processors.domain.Decider;
import dev.credledger.processors.domain.Decision;
import dev.credledger.processors.domain.InMemoryLedgerState;
import dev.credledger.processors.domain.Ledger;
import dev.credledger.processors.domain.Limits;
import dev.credledger.processors.topology.Topics;
import dev.credledger.processors.wire.CommandCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A stream of commands for failure tests, and the check that the log kept each exactly once: one result
 * per command, per-account sequences 1..n without gap or repeat, an intact audit chain per account.
 */
final class ExactlyOnce {

    static final Duration DEADLINE = Duration.ofSeconds(120);

    private final String bootstrap;
    private final Topics topics;

    ExactlyOnce(String bootstrap, Topics topics) {
        this.bootstrap = bootstrap;
        this.topics = topics;
    }

    /** {@code count} commands over {@code accounts} accounts: enable, allow an IP, disable, round after round. */
    static List<Command> commands(int count, int accounts) {
        SecretFormat secrets = new SecretFormat();
        Actor actor = new Actor("failure-test", "127.0.0.1", null, Channel.CLI);
        List<Command> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            AccountId account = new AccountId("failure-" + (i % accounts));
            CommandMetadata meta = new CommandMetadata(UUID.randomUUID(), account, Instant.now(), actor, null, null);
            int round = i / accounts;
            out.add(switch (round % 3) {
                case 0 -> new Command.EnableApi(meta, Environment.SANDBOX,
                        secrets.issue(CredentialKind.AUTH_TOKEN, Environment.SANDBOX).ref(),
                        secrets.issue(CredentialKind.PRIVATE_SALT, Environment.SANDBOX).ref());
                case 1 -> new Command.AllowIp(meta, Environment.SANDBOX, "10.1." + (round % 200) + ".0/24");
                default -> new Command.DisableApi(meta, Environment.SANDBOX);
            });
        }
        return out;
    }

    ProducerRecord<String, byte[]> record(Command c) {
        return new ProducerRecord<>(Topics.COMMANDS, c.metadata().accountId().value(),
                topics.commands.valueSerde().serializer().serialize(Topics.COMMANDS, CommandCodec.toAvro(c)));
    }

    /** Results per command ID, read_committed, until {@code atLeast} distinct commands have one. */
    Map<UUID, Integer> awaitResults(int atLeast) {
        Map<UUID, Integer> counts = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = assignFromStart(consumer, Topics.RESULTS);
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (counts.size() < atLeast && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    counts.merge(result(r).getCommandId(), 1, Integer::sum);
                }
            }
            // Anything that would be a duplicate has had time to arrive: read to the end once more.
            drain(consumer, partitions, r -> counts.merge(result(r).getCommandId(), 1, Integer::sum));
        }
        return counts;
    }

    /**
     * Waits for every sent command's result and checks that the log holds each command exactly once: one
     * result each, with the outcome the domain model decides for the same commands in the same order, and
     * per account exactly the events the model produced, numbered 1..n — so a lost or repeated event, even
     * the last of an account, fails.
     */
    void assertExactlyOnce(List<Command> commands, int accounts) {
        Set<UUID> sent = new HashSet<>();
        commands.forEach(c -> sent.add(c.metadata().commandId()));
        Map<UUID, Integer> results = awaitResults(sent.size());
        assertThat(results.keySet()).isEqualTo(sent);
        assertThat(results.values()).as("results per command").containsOnly(1);

        Ledger model = new Ledger(new Decider(Limits.DEFAULT), new InMemoryLedgerState());
        Map<UUID, Outcome> expectedOutcomes = new HashMap<>();
        Map<String, Integer> expectedEvents = new HashMap<>();
        for (Command c : commands) {
            Decision d = model.handle(c, Instant.now());
            expectedOutcomes.put(c.metadata().commandId(), d instanceof Decision.Accepted ? Outcome.ACCEPTED : Outcome.REJECTED);
            expectedEvents.merge(c.metadata().accountId().value(), d.events().size(), Integer::sum);
        }
        Map<UUID, Outcome> outcomes = new HashMap<>();
        for (byte[] value : readAll(Topics.RESULTS)) {
            CommandResult r = topics.results.valueSerde().deserializer().deserialize(Topics.RESULTS, value);
            outcomes.put(r.getCommandId(), r.getOutcome());
        }
        assertThat(outcomes).isEqualTo(expectedOutcomes);

        Map<String, List<Long>> sequences = new HashMap<>();
        Set<UUID> eventIds = new HashSet<>();
        for (byte[] value : readAll(Topics.EVENTS)) {
            CredentialEvent e = topics.events.valueSerde().deserializer().deserialize(Topics.EVENTS, value);
            assertThat(eventIds.add(e.getEventId())).as("event %s appears once", e.getEventId()).isTrue();
            sequences.computeIfAbsent(e.getAccountId(), a -> new ArrayList<>()).add(e.getSequence());
        }
        assertThat(sequences).hasSize(accounts);
        sequences.forEach((account, seq) -> assertThat(seq).as(account)
                .isEqualTo(java.util.stream.LongStream.rangeClosed(1, expectedEvents.get(account)).boxed().toList()));

        // The audit trail is built one hop later, from the events: wait until it has caught up.
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        List<byte[]> auditValues = readAll(Topics.AUDIT);
        while (auditValues.size() < eventIds.size() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            auditValues = readAll(Topics.AUDIT);
        }
        Map<String, List<AuditRecord>> audit = new HashMap<>();
        for (byte[] value : auditValues) {
            AuditRecord r = topics.audit.valueSerde().deserializer().deserialize(Topics.AUDIT, value);
            audit.computeIfAbsent(r.getAccountId(), a -> new ArrayList<>()).add(r);
        }
        assertThat(audit).hasSize(accounts);
        audit.forEach((account, records) -> {
            assertThat(records).as(account).hasSize(sequences.get(account).size());
            assertThat(AuditChain.firstBreak(records)).as(account).isEmpty();
        });
    }

    private CommandResult result(ConsumerRecord<String, byte[]> r) {
        return topics.results.valueSerde().deserializer().deserialize(Topics.RESULTS, r.value());
    }

    private List<byte[]> readAll(String topic) {
        List<byte[]> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            drain(consumer, assignFromStart(consumer, topic), r -> out.add(r.value()));
        }
        return out;
    }

    private static void drain(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions,
            java.util.function.Consumer<ConsumerRecord<String, byte[]>> each) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(each);
        }
    }

    private static List<TopicPartition> assignFromStart(KafkaConsumer<String, byte[]> consumer, String topic) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return partitions;
    }

    private KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer());
    }
}
