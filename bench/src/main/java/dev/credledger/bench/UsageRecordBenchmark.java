package dev.credledger.bench;

import dev.credledger.api.StoreLocator;
import dev.credledger.api.reports.UsageRecorder;
import dev.credledger.events.avro.CredentialKind;
import dev.credledger.events.avro.Environment;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.avro.TokenStatus;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.processors.topology.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
 * What last use adds to a successful {@code /v1/verify} (issue 15): {@link UsageRecorder#record}, over {@code secrets}
 * secrets in turn. Baseline, same run: a lookup of the same keys in a {@link ConcurrentHashMap}, the least any
 * per-secret bookkeeping costs. The recorder's producer points at no broker (its flusher thread waits on it, off the
 * measured path; the fork's exit ends it): only the request path is measured. Run:
 * {@code bench/run.sh jmh UsageRecord}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class UsageRecordBenchmark {

    @Param("100000")
    int secrets;

    private UsageRecorder recorder;
    private TokenLookup[] entries;
    private ConcurrentHashMap<UUID, TokenLookup> baseline;
    private int next;

    @Setup(Level.Trial)
    public void load() {
        Topics topics = new Topics(new SchemaRegistryClient(new SchemaRegistryClient.Settings(
                java.net.URI.create("http://127.0.0.1:1"), null, null, Duration.ofSeconds(1))));
        recorder = new UsageRecorder(dev.credledger.processors.topology.ClientProperties.of("127.0.0.1:1"), topics, new StoreLocator(() -> null, () -> null),
                () -> "bench", Duration.ofDays(1));
        int size = Integer.highestOneBit(secrets);
        entries = new TokenLookup[size];
        baseline = new ConcurrentHashMap<>();
        Instant now = Instant.now();
        for (int i = 0; i < size; i++) {
            entries[i] = TokenLookup.newBuilder().setSecretId(UUID.randomUUID()).setAccountId("account-" + i)
                    .setEnvironment(Environment.SANDBOX).setKind(CredentialKind.AUTH_TOKEN).setPrefix("clat_sbx_abcd")
                    .setStatus(TokenStatus.ACTIVE).setCredentialId(null).setClientId(null).setExpiresAt(null)
                    .setRevocationReason(null).setUpdatedAt(now).build();
            baseline.put(entries[i].getSecretId(), entries[i]);
            recorder.record(entries[i]);
        }
    }

    @Benchmark
    public void recordUse() {
        recorder.record(entries[next++ & (entries.length - 1)]);
    }

    @Benchmark
    public TokenLookup baselineMapLookup() {
        return baseline.get(entries[next++ & (entries.length - 1)].getSecretId());
    }
}
