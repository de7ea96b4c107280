package dev.credledger.events.tlog;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A C2SP signed note: a text ending in a newline, a blank line, and signature lines {@code — <key name>
 * <base64(key ID ‖ signature)>}. The signature covers the text including its final newline.
 *
 * @param text the note text, ending in a newline
 */
public record SignedNote(String text, List<Line> signatures) {

    /** One signature line: who (name and key ID) and the signature bytes. */
    public record Line(String keyName, int keyId, byte[] signature) {}

    /** Go's golang.org/x/mod/sumdb/note refuses more; C2SP asks to accept at least 16. */
    public static final int MAX_SIGNATURES = 100;
    private static final String DASH = "\u2014 ";

    public SignedNote {
        signatures = List.copyOf(signatures);
    }

    /** {@code text} signed by {@code key}: the whole note, as its bytes are to be published. */
    public static String sign(String text, NoteKey key) {
        if (text.isEmpty() || !text.endsWith("\n") || hasForbiddenCharacter(text)) {
            throw new IllegalArgumentException("a note text ends in a newline and has no other control characters");
        }
        byte[] signature = key.sign(text.getBytes(StandardCharsets.UTF_8));
        byte[] line = ByteBuffer.allocate(4 + signature.length).putInt(key.keyId()).put(signature).array();
        return text + "\n" + DASH + key.name() + " " + Base64.getEncoder().encodeToString(line) + "\n";
    }

    /** Parses a note; throws {@link IllegalArgumentException} for one that is malformed (nothing is verified yet). */
    public static SignedNote parse(String note) {
        if (hasForbiddenCharacter(note)) {
            throw malformed("control characters other than newline");
        }
        int split = note.lastIndexOf("\n\n");
        if (split < 0) {
            throw malformed("no blank line before the signatures");
        }
        String text = note.substring(0, split + 1);
        String lines = note.substring(split + 2);
        if (lines.isEmpty() || !lines.endsWith("\n")) {
            throw malformed("no signature, or the last line does not end in a newline");
        }
        List<Line> out = new ArrayList<>();
        for (String line : lines.substring(0, lines.length() - 1).split("\n", -1)) {
            if (out.size() == MAX_SIGNATURES) {
                throw malformed("more than " + MAX_SIGNATURES + " signatures");
            }
            if (!line.startsWith(DASH)) {
                throw malformed("a signature line starts with an em dash and a space");
            }
            int space = line.indexOf(' ', DASH.length());
            String name = space < 0 ? "" : line.substring(DASH.length(), space);
            if (!NoteKey.isValidName(name)) {
                throw malformed("a signature line names its key");
            }
            byte[] bytes;
            try {
                bytes = NoteKey.decodeStrict(line.substring(space + 1));
            } catch (IllegalArgumentException e) {
                throw malformed("a signature is base64");
            }
            if (bytes.length < 5) {
                throw malformed("a signature is a key ID and at least one byte");
            }
            out.add(new Line(name, ByteBuffer.wrap(bytes).getInt(), Arrays.copyOfRange(bytes, 4, bytes.length)));
        }
        return new SignedNote(text, out);
    }

    /**
     * Whether {@code key} signed this note. Signatures of other keys are ignored (C2SP); one of this key (same name
     * and key ID) that fails to verify fails the note.
     */
    public boolean verifiedBy(NoteKey key) {
        boolean verified = false;
        byte[] message = text.getBytes(StandardCharsets.UTF_8);
        for (Line line : signatures) {
            if (line.keyName().equals(key.name()) && line.keyId() == key.keyId()) {
                if (!key.verify(message, line.signature())) {
                    return false;
                }
                verified = true;
            }
        }
        return verified;
    }

    private static boolean hasForbiddenCharacter(String s) {
        return s.chars().anyMatch(c -> c < 0x20 && c != '\n') || !StandardCharsets.UTF_8.newEncoder().canEncode(s);
    }

    private static IllegalArgumentException malformed(String why) {
        return new IllegalArgumentException("malformed note: " + why);
    }
}
