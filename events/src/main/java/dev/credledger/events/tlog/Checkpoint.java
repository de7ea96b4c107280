package dev.credledger.events.tlog;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A C2SP tlog-checkpoint: the note text {@code <origin>\n<tree size>\n<base64 root hash>\n} (no extension lines are
 * written; any are kept on parsing), signed as a {@link SignedNote}.
 */
public record Checkpoint(String origin, long size, byte[] root, List<String> extensions) {

    public Checkpoint {
        if (origin == null || origin.isEmpty() || origin.contains("\n")) {
            throw new IllegalArgumentException("a checkpoint's origin is one non-empty line");
        }
        if (size < 0 || root == null || root.length != Merkle.HASH_BYTES) {
            throw new IllegalArgumentException("a checkpoint has a size and a 32-byte root hash");
        }
        root = root.clone();
        extensions = List.copyOf(extensions);
        if (extensions.stream().anyMatch(e -> e.isEmpty() || e.contains("\n"))) {
            throw new IllegalArgumentException("extension lines are non-empty single lines");
        }
    }

    public Checkpoint(String origin, long size, byte[] root) {
        this(origin, size, root, List.of());
    }

    /** The note text. */
    public String body() {
        StringBuilder b = new StringBuilder().append(origin).append('\n').append(size).append('\n')
                .append(Base64.getEncoder().encodeToString(root)).append('\n');
        extensions.forEach(e -> b.append(e).append('\n'));
        return b.toString();
    }

    /** The signed note of this checkpoint. */
    public String sign(NoteKey key) {
        return SignedNote.sign(body(), key);
    }

    /** The checkpoint a note's text states (its signatures are not looked at: see {@link SignedNote#verifiedBy}). */
    public static Checkpoint parse(String noteText) {
        if (!noteText.endsWith("\n")) {
            throw new IllegalArgumentException("a checkpoint ends in a newline");
        }
        String[] lines = noteText.substring(0, noteText.length() - 1).split("\n", -1);
        if (lines.length < 3 || Arrays.stream(lines).anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("a checkpoint is at least three non-empty lines");
        }
        long size;
        try {
            size = Long.parseLong(lines[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a checkpoint's size is a decimal number");
        }
        if (size < 0 || !Long.toString(size).equals(lines[1])) {
            throw new IllegalArgumentException("a checkpoint's size has no sign and no leading zero");
        }
        byte[] root;
        try {
            root = NoteKey.decodeStrict(lines[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a checkpoint's root hash is base64");
        }
        return new Checkpoint(lines[0], size, root, Arrays.asList(lines).subList(3, lines.length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint c && origin.equals(c.origin) && size == c.size && Arrays.equals(root, c.root)
                && extensions.equals(c.extensions);
    }

    @Override
    public int hashCode() {
        return origin.hashCode() * 31 + Long.hashCode(size) * 17 + Arrays.hashCode(root);
    }

    @Override
    public String toString() {
        return "Checkpoint[" + origin + ", " + size + ", " + HexFormat.of().formatHex(root) + "]";
    }
}
