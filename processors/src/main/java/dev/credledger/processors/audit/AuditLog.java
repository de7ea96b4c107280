package dev.credledger.processors.audit;

import dev.credledger.events.tlog.Merkle;
import dev.credledger.processors.wire.FixedWidth;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * One provable audit log, kept in a key-value store: the RFC 9162 Merkle tree of the audit records of one partition
 * of {@code credential-audit}, in their order there. Each record is a leaf (the 32 bytes of its chain hash); its log
 * and leaf index never change and the log only grows. The store holds the perfect subtrees (what proofs are made
 * of), each record's leaf index, and every checkpoint signed. Reads go through a getter, so the processor that
 * appends and the HTTP queries that read share this one description of the layout.
 */
public final class AuditLog {

    private static final String SIZE = "size";
    private static final String LAST_CHECKPOINT = "checkpoint";

    private final Function<String, byte[]> get;

    public AuditLog(Function<String, byte[]> get) {
        this.get = get;
    }

    /** The log of partition {@code partition}: {@code <name>/<partition>}. */
    public static String origin(String name, int partition) {
        return name + "/" + partition;
    }

    /** The partition an origin of log {@code name} names, or -1. */
    public static int partitionOf(String name, String origin) {
        String prefix = name + "/";
        if (origin == null || !origin.startsWith(prefix)) {
            return -1;
        }
        try {
            int p = Integer.parseInt(origin.substring(prefix.length()));
            return Integer.toString(p).equals(origin.substring(prefix.length())) ? p : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public long size() {
        byte[] v = get.apply(SIZE);
        return v == null ? 0 : ByteBuffer.wrap(v).getLong();
    }

    public Merkle.Nodes nodes() {
        return (level, index) -> {
            byte[] hash = get.apply(nodeKey(level, index));
            if (hash == null) {
                throw new IllegalStateException("audit log node " + level + "/" + index + " is missing");
            }
            return hash;
        };
    }

    /** The leaf index of an account's audit record, or null if it is not in this log (yet). */
    public Long leafIndex(String account, long sequence) {
        byte[] v = get.apply(recordKey(account, sequence));
        return v == null ? null : ByteBuffer.wrap(v).getLong();
    }

    /** The size of the latest checkpoint signed, or 0. */
    public long lastCheckpointSize() {
        byte[] v = get.apply(LAST_CHECKPOINT);
        return v == null ? 0 : ByteBuffer.wrap(v).getLong();
    }

    /** The signed note of the checkpoint of {@code size}, or null. */
    public String checkpoint(long size) {
        byte[] v = get.apply(checkpointKey(size));
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    /** Appends the record with this chain hash (64 hex characters); {@code put} writes to the store. */
    public void append(String account, long sequence, String chainHash, BiConsumer<String, byte[]> put) {
        long size = size();
        byte[] leaf = HexFormat.of().parseHex(chainHash);
        Merkle.append(nodes(), size, Merkle.leafHash(leaf), (level, index, hash) -> put.accept(nodeKey(level, index), hash));
        put.accept(recordKey(account, sequence), ByteBuffer.allocate(8).putLong(size).array());
        put.accept(SIZE, ByteBuffer.allocate(8).putLong(size + 1).array());
    }

    /** Records a checkpoint signed for {@code size}. */
    public void checkpointed(long size, String note, BiConsumer<String, byte[]> put) {
        put.accept(checkpointKey(size), note.getBytes(StandardCharsets.UTF_8));
        put.accept(LAST_CHECKPOINT, ByteBuffer.allocate(8).putLong(size).array());
    }

    public byte[] root(long size) {
        return Merkle.root(nodes(), size);
    }

    public List<byte[]> inclusionProof(long leaf, long size) {
        return Merkle.inclusionProof(nodes(), leaf, size);
    }

    public List<byte[]> consistencyProof(long first, long second) {
        return Merkle.consistencyProof(nodes(), first, second);
    }

    static String nodeKey(int level, long index) {
        return "n/" + FixedWidth.digits(level, 2) + "/" + FixedWidth.digits(index, 19);
    }

    static String recordKey(String account, long sequence) {
        return "r/" + account + "/" + FixedWidth.digits(sequence, 20);
    }

    static String checkpointKey(long size) {
        return "c/" + FixedWidth.digits(size, 19);
    }
}
