package dev.credledger.app;

import dev.credledger.events.avro.AuditCheckpoint;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.tlog.Checkpoint;
import dev.credledger.events.tlog.CompactTree;
import dev.credledger.events.tlog.Merkle;
import dev.credledger.events.tlog.NoteKey;
import dev.credledger.events.tlog.SignedNote;
import dev.credledger.processors.audit.AuditChain;
import dev.credledger.processors.topology.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code credledger audit verify}: checks the trail from Kafka itself, not through the ledger. Reads the
 * checkpoints and checks each signature with the verifier key given; reads every record of {@code credential-audit}
 * in order ({@code read_committed}), recomputes each account's hash chain and each partition's Merkle tree, and checks
 * that every checkpoint's root is the tree's root at its size (so consecutive checkpoints are consistent: both are
 * prefixes of the one tree the records make). Exit 0 when everything holds, 1 naming the first failure, 2 for bad
 * options.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verify the audit trail from Kafka: every account's hash chain, every log's Merkle tree, every "
                + "checkpoint's signature and root.", "Exit 0 when everything holds; 1 naming the first failure."})
final class AuditVerifyCommand implements Callable<Integer> {

    @CommandLine.Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Option(names = "--verifier-key", required = true, description = "The checkpoints' verifier key, as GET /v1/audit/verifier-key serves it: <name>+<key ID>+<key>. Repeatable: after a key rotation, give the old and the new.")
    List<String> verifierKeys = new ArrayList<>();

    @Option(names = "--account", description = "Check the chains of these accounts only (repeatable); the logs are checked whole. Default: every account.")
    List<String> accounts = new ArrayList<>();

    @Option(names = "--audit-topic", description = "The audit records. Default: ${DEFAULT-VALUE}")
    String auditTopic = Topics.AUDIT;

    @Option(names = "--checkpoints-topic", description = "The signed checkpoints. Default: ${DEFAULT-VALUE}")
    String checkpointsTopic = Topics.AUDIT_CHECKPOINTS;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "A signed checkpoint seen before (the note text, as "
            + "GET /v1/audit/checkpoints gives it), that the trail must still hold: its signature checked, its root the "
            + "tree's at its size. Catches a trail cut short together with its later checkpoints. Repeatable.")
    List<java.nio.file.Path> pinned = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The first thing that does not hold. */
    static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<NoteKey> keys = new ArrayList<>();
        Duration wait;
        try {
            for (String k : verifierKeys) {
                keys.add(NoteKey.fromVerifierKey(k.strip()));
            }
            cluster.resolve();
            wait = cluster.timeout();
        } catch (IllegalArgumentException e) {
            err.println("credledger audit verify: " + e.getMessage());
            return 2;
        }
        SchemaRegistryClient registry = cluster.registry(wait);
        Topics topics = new Topics(registry);
        try (KafkaConsumer<String, byte[]> consumer = consumer(wait)) {
            Map<String, NavigableMap<Long, Checkpoint>> checkpoints = checkpoints(consumer, topics.auditCheckpoints.valueSerde()
                    .deserializer(), keys);
            for (java.nio.file.Path file : pinned) {
                String text;
                try {
                    text = java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    err.println("credledger audit verify: cannot read --checkpoint " + file + ": " + e.getMessage());
                    return 2;
                }
                Checkpoint c = verified(text, "given in " + file, keys);
                add(checkpoints, c, "checkpoint " + c.origin() + " size " + c.size() + " (given in " + file + ")");
            }
            Summary summary = records(consumer, topics.audit.valueSerde().deserializer(), checkpoints, err);
            out.printf("audit trail verified: %,d records in %,d logs; %,d account chains intact%s; %,d checkpoints, "
                            + "every signature valid (%s) and every root equal to the records' tree%n", summary.records,
                    summary.logs, summary.accounts, accounts.isEmpty() ? "" : " (of the accounts asked for)",
                    summary.checkpoints, String.join(", ", keys.stream().map(k -> k.name() + "+" + k.keyIdHex()).toList()));
            if (summary.uncovered > 0) {
                out.printf("%,d records are after the latest checkpoint of their log: in order and chained, not yet signed%n",
                        summary.uncovered);
            }
            out.flush();
            return 0;
        } catch (Failure f) {
            out.flush();
            err.println("credledger audit verify: FAILED: " + f.getMessage());
            return 1;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            err.println("credledger audit verify: Kafka at " + cluster.bootstrapServers + " cannot be reached within " + cluster.timeout);
            return 1;
        } catch (RuntimeException e) {
            err.println("credledger audit verify: " + e.getMessage());
            return 1;
        }
    }

    /** Every checkpoint, signature checked, by origin and size. */
    private Map<String, NavigableMap<Long, Checkpoint>> checkpoints(KafkaConsumer<String, byte[]> consumer,
            Deserializer<AuditCheckpoint> values, List<NoteKey> keys) {
        Map<String, NavigableMap<Long, Checkpoint>> out = new TreeMap<>();
        readAll(consumer, checkpointsTopic, r -> {
            String at = checkpointsTopic + "-" + r.partition() + "@" + r.offset();
            AuditCheckpoint value = values.deserialize(r.topic(), r.value());
            Checkpoint c = verified(value.getCheckpoint(), at, keys);
            String where = "checkpoint " + c.origin() + " size " + c.size() + " (" + at + ")";
            if (!c.origin().equals(value.getOrigin()) || c.size() != value.getTreeSize()
                    || !java.util.Arrays.equals(c.root(), value.getRootHash().bytes())) {
                throw new Failure(where + ": the signed note and the record's fields differ");
            }
            if (c.size() == 0 && !java.util.Arrays.equals(c.root(), Merkle.emptyRoot())) {
                throw new Failure(where + ": an empty log's root is SHA-256 of nothing");
            }
            add(out, c, where);
        });
        return out;
    }

    private static void add(Map<String, NavigableMap<Long, Checkpoint>> checkpoints, Checkpoint c, String where) {
        Checkpoint earlier = checkpoints.computeIfAbsent(c.origin(), o -> new TreeMap<>()).putIfAbsent(c.size(), c);
        if (earlier != null && !earlier.equals(c)) {
            throw new Failure(where + ": two checkpoints of the same size with different roots (a forked log): expected "
                    + b64(earlier.root()) + ", found " + b64(c.root()));
        }
    }

    /**
     * A signed note's checkpoint, once every given key that signed it verifies and at least one did; {@code source}
     * says where the note came from.
     */
    private static Checkpoint verified(String noteText, String source, List<NoteKey> keys) {
        SignedNote note;
        Checkpoint c;
        try {
            note = SignedNote.parse(noteText);
            c = Checkpoint.parse(note.text());
        } catch (IllegalArgumentException e) {
            throw new Failure("checkpoint at " + source + " is not a signed checkpoint: " + e.getMessage());
        }
        String named = "checkpoint " + c.origin() + " size " + c.size() + " (" + source + ")";
        // Every given key that signed must verify (a bad signature of a known key fails the note, as Go's
        // sumdb/note does and C2SP advises), and at least one must have signed.
        boolean anySigned = keys.stream().anyMatch(k -> note.signatures().stream()
                .anyMatch(l -> l.keyName().equals(k.name()) && l.keyId() == k.keyId()));
        boolean allVerify = keys.stream().allMatch(k -> note.signatures().stream()
                .noneMatch(l -> l.keyName().equals(k.name()) && l.keyId() == k.keyId()) || note.verifiedBy(k));
        if (!anySigned || !allVerify) {
            throw new Failure(named + ": its signature does not verify with " + String.join(" or ",
                    keys.stream().map(k -> k.name() + "+" + k.keyIdHex()).toList()));
        }
        return c;
    }

    private static final class Summary {
        long records;
        long logs;
        long accounts;
        long checkpoints;
        long uncovered;
    }

    /** Every record, in order per partition: the chains and the trees, each checkpoint compared as its size is reached. */
    private Summary records(KafkaConsumer<String, byte[]> consumer, Deserializer<AuditRecord> values,
            Map<String, NavigableMap<Long, Checkpoint>> checkpoints, PrintWriter err) {
        Map<Integer, CompactTree> trees = new TreeMap<>();
        Map<String, AuditChain.Check> chains = new HashMap<>();
        Set<String> only = new HashSet<>(accounts);
        Map<Integer, String> origins = originsByPartition(checkpoints);
        Summary s = new Summary();
        long[] lastReport = {System.nanoTime()};
        boolean progress = Terminal.stderr(); // for someone watching; quiet in a pipe or a log
        readAll(consumer, auditTopic, r -> {
            AuditRecord record = values.deserialize(r.topic(), r.value());
            String account = r.key();
            if (only.isEmpty() || only.contains(account)) {
                AuditChain.Check chain = chains.computeIfAbsent(account, a -> new AuditChain.Check());
                if (!chain.accept(record)) {
                    AuditChain.Check.Break b = chain.broken().orElseThrow();
                    throw new Failure("account " + account + " record " + b.sequence() + " (" + auditTopic + "-" + r.partition()
                            + "@" + r.offset() + ") breaks its hash chain: expected " + b.expected() + ", found " + b.found());
                }
            }
            CompactTree tree = trees.computeIfAbsent(r.partition(), p -> new CompactTree());
            byte[] leaf;
            try {
                leaf = HexFormat.of().parseHex(record.getHash());
            } catch (IllegalArgumentException e) {
                throw new Failure("account " + account + " record " + record.getSequence() + ": its hash is not 64 hex characters");
            }
            tree.append(Merkle.leafHash(leaf));
            s.records++;
            String origin = origins.get(r.partition());
            Checkpoint c = origin == null ? null : checkpoints.get(origin).get(tree.size());
            if (c != null) {
                byte[] root = tree.root();
                if (!java.util.Arrays.equals(root, c.root())) {
                    throw new Failure("checkpoint " + origin + " size " + c.size() + " does not match the records: its root is "
                            + b64(c.root()) + ", the first " + c.size() + " records of " + auditTopic + "-" + r.partition()
                            + " make " + b64(root) + " (a record before it was altered, removed, inserted or moved)");
                }
                s.checkpoints++;
            }
            if (progress && System.nanoTime() - lastReport[0] > 1_000_000_000L) {
                lastReport[0] = System.nanoTime();
                err.printf("audit verify: %,d records read%n", s.records);
                err.flush();
            }
        });
        for (Map.Entry<String, NavigableMap<Long, Checkpoint>> log : checkpoints.entrySet()) {
            int partition = partitionOf(log.getKey());
            long size = trees.containsKey(partition) ? trees.get(partition).size() : 0;
            Checkpoint beyond = log.getValue().higherEntry(size) == null ? null : log.getValue().higherEntry(size).getValue();
            if (beyond != null) {
                throw new Failure("checkpoint " + log.getKey() + " size " + beyond.size() + " covers more records than "
                        + auditTopic + "-" + partition + " holds (" + size + "): records were removed");
            }
            s.uncovered += size - log.getValue().lastKey();
        }
        s.logs = trees.size();
        s.accounts = chains.size();
        return s;
    }

    private static Map<Integer, String> originsByPartition(Map<String, NavigableMap<Long, Checkpoint>> checkpoints) {
        Map<Integer, String> out = new HashMap<>();
        for (String origin : checkpoints.keySet()) {
            int p = partitionOf(origin);
            String other = out.put(p, origin);
            if (other != null) {
                throw new Failure("checkpoints of two logs for partition " + p + ": " + other + " and " + origin);
            }
        }
        return out;
    }

    /** An origin is {@code <log name>/<partition>}. */
    private static int partitionOf(String origin) {
        String tail = origin.substring(origin.lastIndexOf('/') + 1);
        if (!tail.matches("0|[1-9][0-9]{0,8}")) {
            throw new Failure("checkpoint origin " + origin + " does not end in /<partition>");
        }
        return Integer.parseInt(tail);
    }

    private interface Each {
        void accept(ConsumerRecord<String, byte[]> r);
    }

    /** Reads a topic from its beginning to the end offsets it has now, in order per partition. */
    private static void readAll(KafkaConsumer<String, byte[]> consumer, String topic, Each each) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition())) && r.value() != null) {
                    each.accept(r);
                }
            }
        }
    }

    private KafkaConsumer<String, byte[]> consumer(Duration wait) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) wait.toMillis());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "credledger-audit-verify");
        return new KafkaConsumer<>(cluster.clients().config(p), new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static String b64(byte[] hash) {
        return Base64.getEncoder().encodeToString(hash);
    }
}
