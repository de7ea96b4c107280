package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.api.Http;
import dev.credledger.events.avro.AuditCheckpoint;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.Sha256;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.tlog.Checkpoint;
import dev.credledger.events.tlog.NoteKey;
import dev.credledger.events.tlog.SignedNote;
import dev.credledger.processors.topology.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code credledger audit verify} on a real broker: the untouched trail verifies; then proof by forgery — copies of
 * {@code credential-audit} and {@code credential-audit-checkpoints} written with a raw producer, each with one
 * tampering (a field altered, a record removed, two reordered, one inserted; a checkpoint's signature broken; a
 * checkpoint signed with the real key for a rewritten tree), and each time the verifier names what was tampered.
 */
class AuditVerifyCommandTest {

    private static LedgerApplication app;
    private static Http http;
    private static SchemaRegistryClient registry;
    private static Topics topics;
    private static List<ConsumerRecord<String, byte[]>> audit;
    private static List<ConsumerRecord<String, byte[]>> checkpoints;
    private static int copies;

    @BeforeAll
    static void startAndWriteATrail() throws Exception {
        app = LedgerApplication.start(Settings.embedded(Files.createTempDirectory("credledger-verify-"), 0, 0, 0)
                .withTokens(ADMIN, AUDITOR, null)
                .withAuditLog(new Settings.AuditLog(null, "credledger.test/audit", Duration.ofMillis(300))));
        http = new Http(app.httpUrl());
        TestLedger.awaitReady(app, http);
        for (String account : List.of("acme", "globex", "initech", "umbrella")) {
            String base = "/v1/accounts/" + account + "/environments/sandbox";
            http.post(base + "/api/enable", ADMIN, null);
            http.post(base + "/api/refresh", ADMIN, "{\"reason\":\"COMPROMISED\"}");
            http.post(base + "/allowed-ips", ADMIN, "{\"cidr\":\"203.0.113.0/24\"}");
        }
        registry = new SchemaRegistryClient(new SchemaRegistryClient.Settings(URI.create(app.registryUrl()),
                "credledger:" + ADMIN, null, Duration.ofSeconds(10)));
        topics = new Topics(registry);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        do {
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            audit = read(Topics.AUDIT);
            checkpoints = read(Topics.AUDIT_CHECKPOINTS);
        } while (covered() < audit.size() && System.nanoTime() < deadline);
        assertThat(audit).hasSize(12);
        assertThat(covered()).as("checkpoints cover every record").isEqualTo(12);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void theUntouchedTrailVerifies() {
        Result r = verify(Topics.AUDIT, Topics.AUDIT_CHECKPOINTS);

        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out).contains("12 records", "4 account chains intact", "every signature valid");
    }

    @Test
    void aRecordWithOneFieldAlteredIsNamed() throws Exception {
        ConsumerRecord<String, byte[]> victim = audit.get(5);
        AuditRecord altered = AuditRecord.newBuilder(value(victim)).setDetail("nothing to see here").build();
        Result r = verifyCopy(records -> replace(records, victim, serialize(altered)), c -> c);

        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).contains("account " + victim.key() + " record " + value(victim).getSequence(), "breaks its hash chain");
    }

    @Test
    void aRemovedRecordIsNamed() throws Exception {
        ConsumerRecord<String, byte[]> victim = first("globex", 2);
        Result r = verifyCopy(records -> without(records, victim), c -> c);

        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).contains("account globex record 3", "expected sequence 2, found sequence 3");
    }

    @Test
    void twoRecordsOfAnAccountSwappedAreNamed() throws Exception {
        ConsumerRecord<String, byte[]> second = first("initech", 2);
        ConsumerRecord<String, byte[]> third = first("initech", 3);
        Result r = verifyCopy(records -> {
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>(records);
            int a = out.indexOf(second);
            int b = out.indexOf(third);
            out.set(a, third);
            out.set(b, second);
            return out;
        }, c -> c);

        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).contains("account initech record 3", "expected sequence 2, found sequence 3");
    }

    @Test
    void aLogCutShortUnderItsCheckpointsIsNamed() throws Exception {
        // The tail of one partition's log dropped, its checkpoints kept: they cover records the log no longer holds.
        ConsumerRecord<String, byte[]> last = lastOf(audit.getFirst().partition());
        Result r = verifyCopy(records -> without(records, last), c -> c);

        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).contains("covers more records than", "-" + last.partition() + " holds", "records were removed");
    }

    @Test
    void aLogCutShortWithItsLaterCheckpointsIsCaughtByACheckpointSeenBefore() throws Exception {
        // The tail dropped together with every checkpoint that covered it: the copy is consistent in itself, so only a
        // checkpoint the auditor kept from before (a witness) can show the cut.
        int partition = audit.getFirst().partition();
        ConsumerRecord<String, byte[]> last = lastOf(partition);
        long kept = audit.stream().filter(x -> x.partition() == partition).count() - 1;
        AuditCheckpoint latest = checkpoints.stream().map(AuditVerifyCommandTest::checkpoint)
                .filter(c -> c.getOrigin().endsWith("/" + partition))
                .max(java.util.Comparator.comparingLong(AuditCheckpoint::getTreeSize)).orElseThrow();
        assertThat(latest.getTreeSize()).isGreaterThan(kept);
        java.util.function.UnaryOperator<List<ConsumerRecord<String, byte[]>>> dropCovering = cs -> cs.stream()
                .filter(c -> !(checkpoint(c).getOrigin().equals(latest.getOrigin()) && checkpoint(c).getTreeSize() > kept))
                .toList();

        Result unnoticed = verifyCopy(records -> without(records, last), dropCovering);
        assertThat(unnoticed.exit).as("without a witness the cut copy verifies: " + unnoticed.err).isZero();

        java.nio.file.Path seen = Files.createTempFile("credledger-checkpoint-", ".txt");
        Files.writeString(seen, latest.getCheckpoint());
        Result caught = verifyCopyArgs(records -> without(records, last), dropCovering, List.of("--checkpoint", seen.toString()));
        assertThat(caught.exit).isEqualTo(1);
        assertThat(caught.err).contains("checkpoint " + latest.getOrigin() + " size " + latest.getTreeSize(),
                "covers more records than", "records were removed");
        assertThat(verifyCopyArgs(r -> r, c -> c, List.of("--checkpoint", seen.toString())).exit)
                .as("the untouched trail holds the checkpoint seen before").isZero();
    }

    @Test
    void aForgedCheckpointGivenAsSeenBeforeIsRefused() throws Exception {
        java.nio.file.Path forged = Files.createTempFile("credledger-checkpoint-", ".txt");
        String real = checkpoint(checkpoints.getLast()).getCheckpoint();
        Files.writeString(forged, real.replaceFirst("\n(\\d+)\n", "\n99\n"));
        Result r = verifyCopyArgs(x -> x, c -> c, List.of("--checkpoint", forged.toString()));

        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).contains("given in " + forged, "signature does not verify");
    }

    @Test
    void aRecordInsertedWithAValidChainIsCaughtByTheSignedRoot() throws Exception {
        // A forger appends to an account's chain correctly (the chain is not keyed), ahead of later records.
        ConsumerRecord<String, byte[]> last = first("acme", 3);
        AuditRecord unsigned = AuditRecord.newBuilder(value(last)).setSequence(4).setEventId(UUID.randomUUID())
                .setPrevHash(value(last).getHash()).setDetail("forged").build();
        AuditRecord forged = AuditRecord.newBuilder(unsigned)
                .setHash(dev.credledger.processors.audit.AuditChain.hash(unsigned.getPrevHash(), unsigned)).build();
        Result r = verifyCopy(records -> {
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>(records);
            out.add(out.indexOf(last) + 1, new ConsumerRecord<>(last.topic(), last.partition(), 0, "acme", serialize(forged)));
            return out;
        }, c -> c);

        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).contains("does not match the records", "credledger.test/audit/" + last.partition());
    }

    @Test
    void aCheckpointWithABrokenSignatureIsNamed() throws Exception {
        ConsumerRecord<String, byte[]> victim = checkpoints.getFirst();
        AuditCheckpoint real = checkpoint(victim);
        String note = real.getCheckpoint();
        int sig = note.lastIndexOf(' ') + 10;
        AuditCheckpoint c = AuditCheckpoint.newBuilder(real)
                .setCheckpoint(note.substring(0, sig) + (note.charAt(sig) == 'A' ? 'B' : 'A') + note.substring(sig + 1)).build();
        Result r = verifyCopy(records -> records, cs -> replace(cs, victim, serializeCheckpoint(c)));

        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).contains("checkpoint " + c.getOrigin() + " size " + c.getTreeSize(), "signature does not verify");
    }

    @Test
    void aCheckpointSignedWithTheRealKeyForARewrittenTreeIsNamed() throws Exception {
        // The forger holds the signing key and re-signs the latest checkpoint of a log over a rewritten history.
        NoteKey key = NoteKey.fromPem("credledger.test/audit",
                Files.readString(app.dataDir().resolve(AuditSigningKey.FILE_NAME)));
        ConsumerRecord<String, byte[]> latest = checkpoints.getLast();
        AuditCheckpoint real = checkpoint(latest);
        byte[] rewrittenRoot = dev.credledger.events.tlog.Merkle.leafHash("rewritten".getBytes());
        String note = new Checkpoint(real.getOrigin(), real.getTreeSize(), rewrittenRoot).sign(key);
        AuditCheckpoint forged = new AuditCheckpoint(real.getOrigin(), real.getTreeSize(), new Sha256(rewrittenRoot), note,
                Instant.now());
        Result r = verifyCopy(records -> records, cs -> {
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>(cs);
            out.add(new ConsumerRecord<>(latest.topic(), latest.partition(), 0, latest.key(), serializeCheckpoint(forged)));
            return out;
        });

        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).contains("checkpoint " + real.getOrigin() + " size " + real.getTreeSize(), "forked");
        assertThat(SignedNote.parse(note).verifiedBy(key)).as("the forgery is validly signed").isTrue();
    }

    @Test
    void aBadSignatureOfAKnownKeyFailsTheCheckpointEvenBesideAGoodOne() throws Exception {
        // After a rotation the auditor gives both keys; a note that one of them verifies and the other does not is refused.
        NoteKey rotated = NoteKey.generate("credledger.test/audit");
        ConsumerRecord<String, byte[]> victim = checkpoints.getFirst();
        AuditCheckpoint real = checkpoint(victim);
        byte[] bogus = java.nio.ByteBuffer.allocate(68).putInt(rotated.keyId()).array();
        AuditCheckpoint twice = AuditCheckpoint.newBuilder(real).setCheckpoint(real.getCheckpoint()
                + "\u2014 credledger.test/audit " + java.util.Base64.getEncoder().encodeToString(bogus) + "\n").build();
        int n = ++copies;
        Result r = verifyCopyWith(records -> records, cs -> replace(cs, victim, serializeCheckpoint(twice)), n,
                http.get("/v1/audit/verifier-key", null).raw(), rotated.verifierKey());

        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).contains("checkpoint " + real.getOrigin() + " size " + real.getTreeSize(), "does not verify");
    }

    @Test
    void aWrongVerifierKeyFailsAndABadOneIsABadOption() {
        Result wrong = verifyWith(NoteKey.generate("credledger.test/audit").verifierKey(), Topics.AUDIT, Topics.AUDIT_CHECKPOINTS);
        assertThat(wrong.exit).isEqualTo(1);
        assertThat(wrong.err).contains("signature does not verify");
        assertThat(verifyWith("not-a-key", Topics.AUDIT, Topics.AUDIT_CHECKPOINTS).exit).isEqualTo(2);
    }

    private record Result(int exit, String out, String err) {}

    private static Result verify(String auditTopic, String checkpointsTopic) {
        return verifyWith(http.get("/v1/audit/verifier-key", null).raw(), auditTopic, checkpointsTopic);
    }

    private static Result verifyCopyArgs(UnaryOperator<List<ConsumerRecord<String, byte[]>>> tamperAudit,
            UnaryOperator<List<ConsumerRecord<String, byte[]>>> tamperCheckpoints, List<String> args) throws Exception {
        extraArgs = args;
        try {
            return verifyCopy(tamperAudit, tamperCheckpoints);
        } finally {
            extraArgs = List.of();
        }
    }

    private static List<String> extraArgs = List.of();

    private static ConsumerRecord<String, byte[]> lastOf(int partition) {
        return audit.stream().filter(r -> r.partition() == partition).reduce((a, b) -> b).orElseThrow();
    }

    private static Result verifyWith(String key, String auditTopic, String checkpointsTopic, String... moreKeys) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine cli = Main.commandLine(new String[0]);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> args = new ArrayList<>(List.of("audit", "verify", "--bootstrap-servers", app.bootstrapServers(),
                "--schema-registry-url", app.registryUrl(), "--verifier-key", key, "--audit-topic", auditTopic,
                "--checkpoints-topic", checkpointsTopic));
        for (String more : moreKeys) {
            args.add("--verifier-key");
            args.add(more);
        }
        args.addAll(extraArgs);
        int exit = cli.execute(args.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }

    /** Copies both topics, tampered by the two functions, partition for partition, and verifies the copies. */
    private static Result verifyCopy(UnaryOperator<List<ConsumerRecord<String, byte[]>>> tamperAudit,
            UnaryOperator<List<ConsumerRecord<String, byte[]>>> tamperCheckpoints) throws Exception {
        int n = ++copies;
        return verifyCopyWith(tamperAudit, tamperCheckpoints, n, http.get("/v1/audit/verifier-key", null).raw());
    }

    private static Result verifyCopyWith(UnaryOperator<List<ConsumerRecord<String, byte[]>>> tamperAudit,
            UnaryOperator<List<ConsumerRecord<String, byte[]>>> tamperCheckpoints, int n, String key, String... moreKeys)
            throws Exception {
        String auditCopy = "copy-" + n + "-audit";
        String checkpointsCopy = "copy-" + n + "-checkpoints";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", app.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(auditCopy, 3, (short) 1), new NewTopic(checkpointsCopy, 3, (short) 1))).all().get();
        }
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", app.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            for (ConsumerRecord<String, byte[]> r : tamperAudit.apply(audit)) {
                producer.send(new ProducerRecord<>(auditCopy, r.partition(), r.key(), r.value()));
            }
            for (ConsumerRecord<String, byte[]> r : tamperCheckpoints.apply(checkpoints)) {
                producer.send(new ProducerRecord<>(checkpointsCopy, r.partition(), r.key(), r.value()));
            }
            producer.flush();
        }
        return verifyWith(key, auditCopy, checkpointsCopy, moreKeys);
    }

    private static long covered() {
        // Per log, the largest checkpoint; all logs together must cover every record read.
        Map<String, Long> largest = new java.util.HashMap<>();
        for (ConsumerRecord<String, byte[]> r : checkpoints) {
            AuditCheckpoint c = checkpoint(r);
            largest.merge(c.getOrigin(), c.getTreeSize(), Math::max);
        }
        return largest.values().stream().mapToLong(Long::longValue).sum();
    }

    private static ConsumerRecord<String, byte[]> first(String account, long sequence) {
        return audit.stream().filter(r -> r.key().equals(account) && value(r).getSequence() == sequence).findFirst().orElseThrow();
    }

    private static List<ConsumerRecord<String, byte[]>> replace(List<ConsumerRecord<String, byte[]>> records,
            ConsumerRecord<String, byte[]> victim, byte[] value) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>(records);
        out.set(out.indexOf(victim), new ConsumerRecord<>(victim.topic(), victim.partition(), victim.offset(), victim.key(), value));
        return out;
    }

    private static List<ConsumerRecord<String, byte[]>> without(List<ConsumerRecord<String, byte[]>> records,
            ConsumerRecord<String, byte[]> victim) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>(records);
        out.remove(victim);
        return out;
    }

    private static AuditRecord value(ConsumerRecord<String, byte[]> r) {
        return topics.audit.valueSerde().deserializer().deserialize(Topics.AUDIT, r.value());
    }

    private static AuditCheckpoint checkpoint(ConsumerRecord<String, byte[]> r) {
        return topics.auditCheckpoints.valueSerde().deserializer().deserialize(Topics.AUDIT_CHECKPOINTS, r.value());
    }

    private static byte[] serialize(AuditRecord r) {
        return topics.audit.valueSerde().serializer().serialize(Topics.AUDIT, r);
    }

    private static byte[] serializeCheckpoint(AuditCheckpoint c) {
        return topics.auditCheckpoints.valueSerde().serializer().serialize(Topics.AUDIT_CHECKPOINTS, c);
    }

    /** Every committed record of a topic, partition by partition in offset order. */
    private static List<ConsumerRecord<String, byte[]>> read(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", app.bootstrapServers(),
                "isolation.level", "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition()))
                    .sorted(java.util.Comparator.comparingInt(TopicPartition::partition)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            out.sort(java.util.Comparator.<ConsumerRecord<String, byte[]>>comparingInt(ConsumerRecord::partition)
                    .thenComparingLong(ConsumerRecord::offset));
            return out;
        }
    }
}
