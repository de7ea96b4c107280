package dev.credledger.events.tlog;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 9162 §2.1 Merkle trees (as RFC 6962): leaf hash = SHA-256(0x00 ‖ leaf), node hash = SHA-256(0x01 ‖ left ‖
 * right), inclusion and consistency proofs and their verification. Proofs are computed from the hashes of perfect
 * subtrees ({@link Nodes}: what a log keeps as it grows), so a proof in a tree of n leaves reads O(log² n) of them.
 */
public final class Merkle {

    public static final int HASH_BYTES = 32;

    /**
     * The hashes of a tree's perfect subtrees: {@code node(level, index)} covers leaves {@code [index·2^level,
     * (index+1)·2^level)}; level 0 holds the leaf hashes.
     */
    public interface Nodes {
        byte[] node(int level, long index);
    }

    private Merkle() {}

    public static byte[] leafHash(byte[] leaf) {
        MessageDigest d = sha256();
        d.update((byte) 0x00);
        return d.digest(leaf);
    }

    public static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest d = sha256();
        d.update((byte) 0x01);
        d.update(left);
        return d.digest(right);
    }

    /** The hash of the empty tree: SHA-256 of nothing. */
    public static byte[] emptyRoot() {
        return sha256().digest();
    }

    /** The root of the first {@code size} leaves. */
    public static byte[] root(Nodes nodes, long size) {
        return size == 0 ? emptyRoot() : hash(nodes, 0, size);
    }

    /**
     * Stores {@code leafHash} as leaf {@code size} (the tree had {@code size} leaves) and every perfect subtree it
     * completes; {@code put} receives (level, index, hash).
     */
    public static void append(Nodes nodes, long size, byte[] leafHash, NodeWriter put) {
        put.put(0, size, leafHash);
        byte[] current = leafHash;
        int level = 0;
        long index = size;
        while ((index & 1) == 1) {
            current = nodeHash(nodes.node(level, index - 1), current);
            level++;
            index >>>= 1;
            put.put(level, index, current);
        }
    }

    /** Where {@link #append} writes. */
    public interface NodeWriter {
        void put(int level, long index, byte[] hash);
    }

    /** RFC 9162 §2.1.3.1 PATH(leaf, D[0:size]). */
    public static List<byte[]> inclusionProof(Nodes nodes, long leaf, long size) {
        if (leaf < 0 || leaf >= size) {
            throw new IllegalArgumentException("leaf " + leaf + " is not in a tree of " + size);
        }
        List<byte[]> proof = new ArrayList<>();
        path(nodes, leaf, 0, size, proof);
        return proof;
    }

    private static void path(Nodes nodes, long m, long from, long to, List<byte[]> out) {
        if (to - from == 1) {
            return;
        }
        long k = largestPowerOfTwoBelow(to - from);
        if (m < from + k) {
            path(nodes, m, from, from + k, out);
            out.add(hash(nodes, from + k, to));
        } else {
            path(nodes, m, from + k, to, out);
            out.add(hash(nodes, from, from + k));
        }
    }

    /** RFC 9162 §2.1.4.1 PROOF(first, D[0:second]), for 0 < first ≤ second (empty when equal). */
    public static List<byte[]> consistencyProof(Nodes nodes, long first, long second) {
        if (first <= 0 || first > second) {
            throw new IllegalArgumentException("no consistency proof from " + first + " to " + second);
        }
        List<byte[]> proof = new ArrayList<>();
        if (first < second) {
            subproof(nodes, first, 0, second, true, proof);
        }
        return proof;
    }

    private static void subproof(Nodes nodes, long m, long from, long to, boolean complete, List<byte[]> out) {
        long n = to - from;
        if (m == n) {
            if (!complete) {
                out.add(hash(nodes, from, to));
            }
            return;
        }
        long k = largestPowerOfTwoBelow(n);
        if (m <= k) {
            subproof(nodes, m, from, from + k, complete, out);
            out.add(hash(nodes, from + k, to));
        } else {
            subproof(nodes, m - k, from + k, to, false, out);
            out.add(hash(nodes, from, from + k));
        }
    }

    /** RFC 9162 §2.1.3.2: whether {@code proof} shows {@code leafHash} at {@code leaf} in the tree of {@code size} with {@code root}. */
    public static boolean verifyInclusion(long leaf, long size, byte[] leafHash, List<byte[]> proof, byte[] root) {
        if (leaf < 0 || leaf >= size || !allHashes(proof) || !isHash(leafHash) || !isHash(root)) {
            return false;
        }
        long fn = leaf;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                r = nodeHash(r, p);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(r, root);
    }

    /**
     * RFC 9162 §2.1.4.2: whether {@code proof} shows the tree of {@code second} leaves with {@code secondRoot}
     * extends the one of {@code first} with {@code firstRoot}. Equal sizes: an empty proof and equal roots; a first
     * size of 0 proves nothing and fails (as transparency-dev/merkle does).
     */
    public static boolean verifyConsistency(long first, long second, byte[] firstRoot, byte[] secondRoot, List<byte[]> proof) {
        if (first <= 0 || first > second || !allHashes(proof) || !isHash(firstRoot) || !isHash(secondRoot)) {
            return false;
        }
        if (first == second) {
            return proof.isEmpty() && MessageDigest.isEqual(firstRoot, secondRoot);
        }
        if (proof.isEmpty()) {
            return false;
        }
        List<byte[]> path = new ArrayList<>(proof);
        if ((first & (first - 1)) == 0) {
            path.addFirst(firstRoot);
        }
        long fn = first - 1;
        long sn = second - 1;
        while ((fn & 1) == 1) {
            fn >>>= 1;
            sn >>>= 1;
        }
        byte[] fr = path.getFirst();
        byte[] sr = path.getFirst();
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = nodeHash(c, fr);
                sr = nodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                sr = nodeHash(sr, c);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(fr, firstRoot) && MessageDigest.isEqual(sr, secondRoot);
    }

    /** MTH(D[from:to]) from perfect subtrees: aligned powers of two are read, the rest is split as RFC 9162 splits. */
    private static byte[] hash(Nodes nodes, long from, long to) {
        long n = to - from;
        if ((n & (n - 1)) == 0 && from % n == 0) {
            return nodes.node(Long.numberOfTrailingZeros(n), from / n);
        }
        long k = largestPowerOfTwoBelow(n);
        return nodeHash(hash(nodes, from, from + k), hash(nodes, from + k, to));
    }

    /** The largest power of two smaller than {@code n} (n ≥ 2). */
    static long largestPowerOfTwoBelow(long n) {
        return Long.highestOneBit(n - 1);
    }

    private static boolean isHash(byte[] h) {
        return h != null && h.length == HASH_BYTES;
    }

    private static boolean allHashes(List<byte[]> proof) {
        return proof.stream().allMatch(Merkle::isHash);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }
}
