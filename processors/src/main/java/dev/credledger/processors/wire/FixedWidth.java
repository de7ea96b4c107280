package dev.credledger.processors.wire;

/**
 * Numbers as zero-padded decimal digits of a fixed width, so that store keys sort numerically: what
 * {@code String.format("%0<width>d", value)} gives, without a {@link java.util.Formatter} per key (the command path
 * writes several such keys per event).
 */
public final class FixedWidth {

    private static final String ZEROS = "0".repeat(20);

    private FixedWidth() {}

    public static String digits(long value, int width) {
        if (value < 0 || width > ZEROS.length()) {
            return String.format("%0" + width + "d", value);
        }
        String digits = Long.toString(value);
        return digits.length() >= width ? digits : ZEROS.substring(0, width - digits.length()) + digits;
    }
}
