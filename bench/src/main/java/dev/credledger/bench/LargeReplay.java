package dev.credledger.bench;

import dev.credledger.events.avro.CredentialEvent;
import dev.credledger.events.mapping.AvroToDomain;
import dev.credledger.events.mapping.DomainToAvro;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.secret.IssuedSecret;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.domain.CommandMetadata;
import dev.credledger.processors.domain.Decider;
import dev.credledger.processors.domain.InMemoryLedgerState;
import dev.credledger.processors.domain.Ledger;
import dev.credledger.processors.domain.Limits;
import dev.credledger.processors.topology.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Replay at scale: {@code total} events — accounts of 100 events each (API access enabled, then allow-list entries
 * added and removed), decided by the domain core and written in the Confluent wire format to a topic of their own —
 * then read from the start, decoded and folded into fresh in-memory state as they arrive (what a point-in-time
 * question over the whole log does), against a bare consumer reading the same records in the same run.
 */
final class LargeReplay {

    private static final int EVENTS_PER_ACCOUNT = 100;

    private final Benchmarks b;
    private final Report report;

    LargeReplay(Benchmarks b, Report report) {
        this.b = b;
        this.report = report;
    }

    void run(long total) throws Exception {
        String topic = "bench-replay-" + total;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b.app.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
        long written = write(topic, total);
        for (int round = 0; round < 2; round++) { // the first round of each warms the JIT and the page cache
            long start = System.nanoTime();
            long read;
            try (TopicWatch watch = new TopicWatch(b.app.bootstrapServers(), topic, true)) {
                read = watch.await(written, Duration.ofMinutes(10), r -> { });
            }
            double bare = read / ((System.nanoTime() - start) / 1e9);
            InMemoryLedgerState state = new InMemoryLedgerState();
            Ledger ledger = Ledger.replaying(state);
            start = System.nanoTime();
            long folded;
            try (TopicWatch watch = new TopicWatch(b.app.bootstrapServers(), topic, true)) {
                folded = watch.await(written, Duration.ofMinutes(10), r -> ledger.apply(AvroToDomain.event(
                        b.topics.events.valueSerde().deserializer().deserialize(Topics.EVENTS, r.value()))));
            }
            double replay = folded / ((System.nanoTime() - start) / 1e9);
            if (round == 1) {
                report.line(String.format("replay of %,d events (read + decode + fold, streamed): %,.0f events/s (target >= 100,000/s"
                        + " and >= 0.5 x the bare consumer)", folded, replay));
                report.line(String.format("  baseline, same run: a bare consumer reading the same records: %,.0f records/s (ratio %.2f)",
                        bare, replay / bare));
            }
        }
    }

    /** Decides the accounts' commands in memory and writes their events; returns how many were written. */
    private long write(String topic, long total) {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        long written = 0;
        Ledger ledger = null;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.app.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024),
                new StringSerializer(), new ByteArraySerializer())) {
            for (long a = 0; written < total; a++) {
                if (a % 1_000 == 0) {
                    // Each account's history is whole in itself: the state of accounts written already can go.
                    ledger = new Ledger(new Decider(Limits.DEFAULT), new InMemoryLedgerState());
                }
                AccountId account = new AccountId("replay-" + a);
                for (int i = 0; i < EVENTS_PER_ACCOUNT && written < total; i++) {
                    now = now.plusMillis(1);
                    CommandMetadata meta = new CommandMetadata(UUID.randomUUID(), account, now, b.meta(account).actor(),
                            UUID.randomUUID(), null);
                    int entry = (i - 1) / 2; // added at an odd step, removed at the next
                    String cidr = "10." + (entry / 250) + "." + (entry % 250) + ".0/24";
                    Command command = i == 0 ? enable(meta) : i % 2 == 1 ? new Command.AllowIp(meta, Environment.SANDBOX, cidr)
                            : new Command.RemoveIp(meta, Environment.SANDBOX, cidr);
                    for (dev.credledger.events.model.CredentialEvent event : ledger.handle(command, now).events()) {
                        CredentialEvent avro = DomainToAvro.event(event);
                        producer.send(new ProducerRecord<>(topic, account.value(),
                                b.topics.events.valueSerde().serializer().serialize(Topics.EVENTS, avro)));
                        written++;
                        if (Benchmarks.PROGRESS && written % 1_000_000 == 0) {
                            System.err.printf("[bench] replay: %,d of %,d events written%n", written, total);
                        }
                    }
                }
            }
        }
        return written;
    }

    private Command enable(CommandMetadata meta) {
        IssuedSecret token = b.secrets.issue(CredentialKind.AUTH_TOKEN, Environment.SANDBOX);
        IssuedSecret salt = b.secrets.issue(CredentialKind.PRIVATE_SALT, Environment.SANDBOX);
        return new Command.EnableApi(meta, Environment.SANDBOX, token.ref(), salt.ref());
    }
}
