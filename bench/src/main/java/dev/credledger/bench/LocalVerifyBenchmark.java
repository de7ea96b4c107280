package dev.credledger.bench;

import dev.credledger.client.LocalView;
import dev.credledger.events.avro.CredentialKind;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.avro.TokenStatus;
import dev.credledger.events.model.Environment;
import dev.credledger.events.secret.IssuedSecret;
import dev.credledger.events.secret.SecretFormat;
import dev.credledger.events.verify.Verification;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A local verify in a revocation client holding {@code entries} secrets (issue 12's target: p99 ≤ 2 µs with 1M):
 * the same {@link LocalView} the client fills from Kafka, filled here directly. Baseline, same run: the
 * SHA-256 fingerprint of the presented token alone, which every verify computes. Setup prints the heap the
 * entries take (used heap after a full GC, before and after loading). Run: {@code bench/run.sh jmh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx3g"})
public class LocalVerifyBenchmark {

    @Param("1000000")
    int entries;

    private LocalView view;
    private String[] tokens;
    private int next;

    @Setup(Level.Trial)
    public void load() {
        SecretFormat format = new SecretFormat();
        long before = usedHeap();
        view = new LocalView();
        tokens = new String[4096];
        Instant now = Instant.now();
        for (int i = 0; i < entries; i++) {
            IssuedSecret s = format.issue(dev.credledger.events.model.CredentialKind.AUTH_TOKEN, Environment.SANDBOX);
            if (i < tokens.length) {
                tokens[i] = s.plaintext();
            }
            view.applyLookup(s.ref().fingerprint().hex(), TokenLookup.newBuilder()
                    .setSecretId(s.ref().secretId()).setAccountId("account-" + (i % 200_000))
                    .setEnvironment(dev.credledger.events.avro.Environment.SANDBOX).setKind(CredentialKind.AUTH_TOKEN)
                    .setPrefix(s.ref().prefix()).setStatus(TokenStatus.ACTIVE).setCredentialId(null).setClientId(null)
                    .setExpiresAt(null).setRevocationReason(null).setUpdatedAt(now).build());
        }
        long after = usedHeap();
        System.out.printf("%n[memory] %,d entries: %,d MiB of heap (%.0f bytes each)%n", entries,
                (after - before) >> 20, (double) (after - before) / entries);
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Benchmark
    public Verification.Decision verifyActiveToken() {
        return view.verify(tokens[next++ & (tokens.length - 1)], Environment.SANDBOX, null);
    }

    @Benchmark
    public String baselineFingerprintOnly() {
        return dev.credledger.events.model.Fingerprint.hexOf(tokens[next++ & (tokens.length - 1)]);
    }
}
