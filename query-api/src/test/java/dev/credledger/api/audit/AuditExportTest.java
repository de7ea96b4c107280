package dev.credledger.api.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.events.avro.Actor;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.Channel;
import dev.credledger.events.avro.Outcome;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Iterator;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The export writes as it reads: 100,000 records go through without the heap holding them. */
class AuditExportTest {

    private static final String DETAIL = "x".repeat(1_000);

    @Test
    void oneHundredThousandRecordsExportInBoundedMemoryInEveryFormat() throws Exception {
        for (AuditExport.Format format : AuditExport.Format.values()) {
            CountingStream out = new CountingStream();
            long before = usedHeapAfterGc();

            long written = AuditExport.write(records(100_000, out), format, out);

            long retained = usedHeapAfterGc() - before;
            assertThat(written).isEqualTo(100_000);
            assertThat(out.lines).isEqualTo(format == AuditExport.Format.csv ? 100_001 : 100_000);
            // Over 100 MB went out; what stays on the heap is a small fraction of it.
            assertThat(out.bytes).as(format.name()).isGreaterThan(100_000_000L);
            assertThat(retained).as("%s retained heap", format).isLessThan(out.bytes / 4);
        }
    }

    @Test
    void csvFieldsAreQuotedAsRfc4180Says() {
        assertThat(AuditExport.csvField("plain")).isEqualTo("plain");
        assertThat(AuditExport.csvField("a,b")).isEqualTo("\"a,b\"");
        assertThat(AuditExport.csvField("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(AuditExport.csvField("two\r\nlines")).isEqualTo("\"two\r\nlines\"");
        assertThat(AuditExport.csvField(null)).isEmpty();
        assertThat(AuditExport.noFormula("=HYPERLINK(\"http://x\")")).isEqualTo("'=HYPERLINK(\"http://x\")");
        assertThat(AuditExport.noFormula("alice@example.com")).isEqualTo("alice@example.com");
    }

    /** Lazily made records; half way through, most of what was read must already have been written out. */
    private static Iterator<AuditRecord> records(int n, CountingStream out) {
        return new Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
                return i < n;
            }

            @Override
            public AuditRecord next() {
                i++;
                if (i == n / 2) {
                    assertThat(out.bytes).as("bytes written before the records are all read").isGreaterThan(40_000_000L);
                }
                return AuditRecord.newBuilder().setAccountId("big").setSequence(i).setEventId(UUID.randomUUID())
                        .setType("IpAllowed").setEnvironment(dev.credledger.events.avro.Environment.SANDBOX)
                        .setOccurredAt(Instant.ofEpochMilli(1_790_000_000_000L + i))
                        .setActor(new Actor("ops", "127.0.0.1", "agent, \"quoted\"", Channel.HTTP_API))
                        .setOutcome(Outcome.ACCEPTED).setReasonCode(null).setDetail(DETAIL).setSubjectId(null)
                        .setCommandId(UUID.randomUUID()).setCorrelationId(null).setPrevHash("0".repeat(64))
                        .setHash("1".repeat(64)).build();
            }
        };
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Discards what it is given, counting bytes and line ends. */
    private static final class CountingStream extends OutputStream {
        long bytes;
        long lines;

        @Override
        public void write(int b) {
            bytes++;
            if (b == '\n') {
                lines++;
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    lines++;
                }
            }
        }
    }
}
