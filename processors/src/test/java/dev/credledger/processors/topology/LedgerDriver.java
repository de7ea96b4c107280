package dev.credledger.processors.topology;

import dev.credledger.events.avro.AllowList;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.CredentialEvent;
import dev.credledger.events.avro.CredentialRevoked;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.avro.command.CommandResult;
import dev.credledger.events.avro.command.CredentialCommand;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.wire.CommandCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/** The production topology in a {@link TopologyTestDriver}, with typed access to its topics and stores. */
final class LedgerDriver implements AutoCloseable {

    final Topics topics;
    final TopologyTestDriver driver;
    final TestInputTopic<String, CredentialCommand> commands;
    final TestInputTopic<String, byte[]> rawCommands;
    final TestOutputTopic<String, CredentialEvent> events;
    final TestOutputTopic<String, CommandResult> results;
    final TestOutputTopic<String, CredentialRevoked> revocations;
    final TestOutputTopic<String, AuditRecord> audit;
    final TestOutputTopic<String, TokenLookup> tokenLookups;
    final TestOutputTopic<String, AllowList> allowLists;
    final TestOutputTopic<byte[], byte[]> deadLetters;

    LedgerDriver(SchemaRegistryClient registry, Instant start) throws Exception {
        topics = new Topics(registry);
        Path stateDir = Files.createTempDirectory("credledger-ttd-");
        Properties props = StreamsSettings.local("unused:9092", stateDir).toProperties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "credledger-ttd");
        driver = new TopologyTestDriver(LedgerTopology.build(topics, new Stores(registry), LedgerTopology.Settings.DEFAULT),
                props, start);
        commands = driver.createInputTopic(Topics.COMMANDS, topics.commands.keySerde().serializer(),
                topics.commands.valueSerde().serializer());
        rawCommands = driver.createInputTopic(Topics.COMMANDS, topics.commandBytes.keySerde().serializer(),
                topics.commandBytes.valueSerde().serializer());
        events = output(topics.events);
        results = output(topics.results);
        revocations = output(topics.revocations);
        audit = output(topics.audit);
        tokenLookups = output(topics.tokenLookup);
        allowLists = output(topics.allowLists);
        deadLetters = output(topics.deadLetters);
    }

    /** Sends the command as the edge would, keyed by its account. */
    void send(Command command) {
        commands.pipeInput(command.metadata().accountId().value(), CommandCodec.toAvro(command));
    }

    /** Sends the command and returns its result. */
    CommandResult submit(Command command) {
        send(command);
        return results.readValue();
    }

    void advanceWallClock(Duration by) {
        driver.advanceWallClockTime(by);
    }

    <V> KeyValueStore<String, V> store(String name) {
        return driver.getKeyValueStore(name);
    }

    private <K, V> TestOutputTopic<K, V> output(Topic<K, V> topic) {
        return driver.createOutputTopic(topic.name(), topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    }

    @Override
    public void close() {
        driver.close();
    }
}
