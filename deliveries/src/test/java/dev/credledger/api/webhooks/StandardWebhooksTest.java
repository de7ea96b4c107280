package dev.credledger.api.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The Standard Webhooks signature against the test vector of the specification's reference implementations
 * (secret, message ID, timestamp, payload and the signature they produce), and the verification rules.
 */
class StandardWebhooksTest {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long TIMESTAMP = 1614265330;
    private static final byte[] PAYLOAD = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    private static final String SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private final StandardWebhooks webhooks = new StandardWebhooks(SECRET);
    private final Instant then = Instant.ofEpochSecond(TIMESTAMP);

    @Test
    void signsTheSpecificationsTestVectorByteForByte() {
        assertThat(webhooks.sign(ID, TIMESTAMP, PAYLOAD)).isEqualTo(SIGNATURE);
        assertThat(webhooks.headers(ID, TIMESTAMP, PAYLOAD)).containsExactly(
                java.util.Map.entry("webhook-id", ID), java.util.Map.entry("webhook-timestamp", "1614265330"),
                java.util.Map.entry("webhook-signature", SIGNATURE));
    }

    @Test
    void verifiesTheVectorAndRefusesAnyChangeAStaleTimestampOrAnotherScheme() {
        Duration tolerance = StandardWebhooks.DEFAULT_TOLERANCE;
        assertThat(webhooks.verify(ID, "1614265330", SIGNATURE, PAYLOAD, then, tolerance)).isTrue();
        assertThat(webhooks.verify(ID, "1614265330", "v1,bm90IGl0 " + SIGNATURE, PAYLOAD, then, tolerance))
                .as("one of several signatures (a secret rotation)").isTrue();
        assertThat(webhooks.verify(ID, "1614265330", SIGNATURE, "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8),
                then, tolerance)).isFalse();
        assertThat(webhooks.verify("msg_other", "1614265330", SIGNATURE, PAYLOAD, then, tolerance)).isFalse();
        assertThat(webhooks.verify(ID, "1614265330", SIGNATURE, PAYLOAD, then.plus(Duration.ofMinutes(6)), tolerance))
                .as("older than the tolerance").isFalse();
        assertThat(webhooks.verify(ID, "1614265330", SIGNATURE.replace("v1,", "v2,"), PAYLOAD, then, tolerance)).isFalse();
        assertThat(webhooks.verify(ID, "soon", SIGNATURE, PAYLOAD, then, tolerance)).isFalse();
    }

    @Test
    void newSecretsHaveTheSpecificationsFormAndBadOnesAreRefused() {
        String secret = StandardWebhooks.newSecret(new SecureRandom());
        assertThat(secret).startsWith("whsec_");
        StandardWebhooks fresh = new StandardWebhooks(secret);
        assertThat(fresh.verify(ID, "1614265330", fresh.sign(ID, TIMESTAMP, PAYLOAD), PAYLOAD, then, Duration.ofSeconds(1))).isTrue();
        assertThat(fresh.toString()).doesNotContain(secret.substring(6));
        assertThatThrownBy(() -> new StandardWebhooks("whsec_c2hvcnQ=")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StandardWebhooks("whsec_not base64!")).isInstanceOf(IllegalArgumentException.class);
    }
}
