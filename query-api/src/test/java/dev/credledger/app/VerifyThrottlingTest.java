package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.VERIFIER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.api.Http;
import dev.credledger.api.verify.FailureLimiter;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.secret.SecretFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import io.github.bucket4j.TimeMeter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Throttled verification over real HTTP on a real broker: a flood of 10,000 random well-formed tokens from one client
 * runs into the limiter (429 + Retry-After after the burst), while a valid token — presented by another caller, and by
 * the throttled caller itself — keeps verifying, every time; a flood from distinct source addresses keeps at most the
 * configured number of buckets. The buckets refill on a clock the test holds still and moves by hand, so what may have
 * refilled is decided by the test, never by how fast the machine ran it.
 */
class VerifyThrottlingTest {

    private static final int TRACKED = 1_000;
    private static final AtomicLong NOW = new AtomicLong();

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger(s -> s.withVerifyFailures(new FailureLimiter.Limits(10, 100, TRACKED,
            new TimeMeter() {
                @Override
                public long currentTimeNanos() {
                    return NOW.get();
                }

                @Override
                public boolean isWallClockBased() {
                    return false;
                }
            })));

    private static Http http() {
        return LEDGER.http();
    }

    @Test
    void aFloodOfRandomTokensIsThrottledWhileAValidTokenOfAnotherCallerKeepsVerifying() throws Exception {
        Http.Response enabled = http().post("/v1/accounts/throttle-a/environments/sandbox/api/enable", ADMIN, null);
        String valid = enabled.json().path("authToken").asText();
        SecretFormat format = new SecretFormat();
        List<String> flood = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            flood.add(format.issue(CredentialKind.AUTH_TOKEN, Environment.SANDBOX).plaintext());
        }
        List<Long> usualMicros = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            long start = System.nanoTime();
            assertThat(http().post("/v1/verify", ADMIN, null, "X-Auth-Token", valid).json().path("active").asBoolean()).isTrue();
            usualMicros.add((System.nanoTime() - start) / 1000);
        }
        usualMicros.sort(null);
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger throttled = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        List<Long> validMicros = new ArrayList<>();
        int validActive = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> floods = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int from = t * 2_500;
                floods.add(pool.submit(() -> {
                    for (String token : flood.subList(from, from + 2_500)) {
                        Http.Response r = http().post("/v1/verify", VERIFIER, "{\"sourceIp\":\"203.0.113.66\"}",
                                "X-Auth-Token", token);
                        if (r.status() == 200 && !r.json().path("active").asBoolean()) {
                            answered.incrementAndGet();
                        } else if (r.status() == 429 && r.header("Retry-After") != null
                                && r.header("Content-Type").startsWith("application/problem+json")) {
                            throttled.incrementAndGet();
                        } else {
                            other.incrementAndGet();
                        }
                    }
                }));
            }
            // Meanwhile another caller (the admin key) verifies a valid token, again and again.
            while (floods.stream().anyMatch(f -> !f.isDone())) {
                long start = System.nanoTime();
                Http.Response r = http().post("/v1/verify", ADMIN, null, "X-Auth-Token", valid);
                validMicros.add((System.nanoTime() - start) / 1000);
                if (r.status() == 200 && r.json().path("active").asBoolean()) {
                    validActive++;
                }
            }
            for (Future<?> f : floods) {
                f.get();
            }
        }

        assertThat(other.get()).as("every flood answer is a 200 refusal or a 429 problem").isZero();
        assertThat(answered.get() + throttled.get()).isEqualTo(10_000);
        // The burst, exactly: the clock stood still, so nothing refilled.
        assertThat(answered.get()).isEqualTo(100);
        assertThat(throttled.get()).isEqualTo(9_900);
        assertThat(validActive).as("valid verifications during the flood").isEqualTo(validMicros.size()).isPositive();
        validMicros.sort(null);
        System.out.printf("[throttling] flood: %d answered, %d throttled; valid token of another caller meanwhile: %d "
                        + "verifications, p50 %.2f ms, p99 %.2f ms (before the flood, same client: p50 %.2f ms, p99 %.2f ms)%n",
                answered.get(), throttled.get(), validMicros.size(), validMicros.get(validMicros.size() / 2) / 1000.0,
                validMicros.get(validMicros.size() * 99 / 100) / 1000.0, usualMicros.get(150) / 1000.0,
                usualMicros.get(297) / 1000.0);
        Http.Response limited = http().post("/v1/verify", VERIFIER, null, "X-Auth-Token", flood.getFirst());
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.json().path("throttledBy").asText()).isEqualTo("caller");
        // The throttled caller itself: a valid secret is decided first and never throttled.
        Http.Response own = http().post("/v1/verify", VERIFIER, "{\"sourceIp\":\"203.0.113.66\"}", "X-Auth-Token", valid);
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.json().path("active").asBoolean()).isTrue();
        // One second later ten failures have refilled, and the eleventh is throttled again.
        NOW.addAndGet(java.util.concurrent.TimeUnit.SECONDS.toNanos(1));
        for (int i = 0; i < 10; i++) {
            Http.Response r = http().post("/v1/verify", VERIFIER, null, "X-Auth-Token", flood.get(i));
            assertThat(r.status()).as("failure %d after a second's refill", i + 1).isEqualTo(200);
            assertThat(r.json().path("active").asBoolean()).isFalse();
        }
        assertThat(http().post("/v1/verify", VERIFIER, null, "X-Auth-Token", flood.get(10)).status()).isEqualTo(429);
        assertThat(http().get("/metrics", null).raw()).contains("credledger_verify_throttled_total{by=\"caller\"}");
    }

    @Test
    void aFloodFromDistinctSourceAddressesKeepsBoundedBuckets() {
        // Every failure is charged to its address first: 3,000 addresses ask for 3,000 buckets, and at most 1,000 stay.
        SecretFormat format = new SecretFormat();
        for (int i = 0; i < 3 * TRACKED; i++) {
            String ip = "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
            http().post("/v1/verify", ADMIN, "{\"sourceIp\":\"" + ip + "\"}", "X-Auth-Token",
                    format.issue(CredentialKind.AUTH_TOKEN, Environment.SANDBOX).plaintext());
        }
        String metrics = http().get("/metrics", null).raw();
        double tracked = metrics.lines().filter(l -> l.startsWith("credledger_verify_limiter_tracked_sources "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
        assertThat(tracked).isBetween(TRACKED / 2.0, (double) TRACKED);
    }
}
