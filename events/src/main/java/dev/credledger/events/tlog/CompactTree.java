package dev.credledger.events.tlog;

import java.util.ArrayList;
import java.util.List;

/**
 * A Merkle tree known only by its right edge (RFC 9162 §2.1.2's stack): leaves are appended, the root of the leaves
 * so far is known at any time, and memory stays O(log n). What an auditor's verifier needs to recompute a log from
 * its records.
 */
public final class CompactTree {

    /** Perfect subtree hashes, largest (leftmost) first. */
    private final List<byte[]> stack = new ArrayList<>();
    private long size;

    public void append(byte[] leafHash) {
        stack.add(leafHash);
        // Merge as many times as the new leaf's index ends in ones: those subtrees are now complete.
        for (long i = size; (i & 1) == 1; i >>>= 1) {
            byte[] right = stack.removeLast();
            byte[] left = stack.removeLast();
            stack.add(Merkle.nodeHash(left, right));
        }
        size++;
    }

    public long size() {
        return size;
    }

    public byte[] root() {
        if (stack.isEmpty()) {
            return Merkle.emptyRoot();
        }
        byte[] root = stack.getLast();
        for (int i = stack.size() - 2; i >= 0; i--) {
            root = Merkle.nodeHash(stack.get(i), root);
        }
        return root;
    }
}
