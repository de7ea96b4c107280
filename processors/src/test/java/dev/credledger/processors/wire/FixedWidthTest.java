package dev.credledger.processors.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FixedWidthTest {

    @Test
    void givesExactlyWhatStringFormatGivesSoStoredKeysDoNotChange() {
        List<Long> values = List.of(0L, 1L, 9L, 10L, 99L, 12_345L, 1_765_065_600_000L, 9_999_999_999_999L,
                99_999_999_999_999L, Long.MAX_VALUE, -1L, -1_765_065_600_000L);
        for (int width : new int[] {1, 2, 13, 19, 20}) {
            for (long value : values) {
                assertThat(FixedWidth.digits(value, width)).as("%d in %d digits", value, width)
                        .isEqualTo(String.format("%0" + width + "d", value));
            }
        }
    }
}
