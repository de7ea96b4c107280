package dev.credledger.api.leaks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The signature check of leak reports against the example GitHub publishes for its secret-scanning partner program
 * (docs.github.com, "Secret scanning partner program", signature validation samples): GitHub's key, payload and
 * signature, verified here by the JDK's ECDSA.
 */
class LeakReportKeysTest {

    private static final String GITHUB_KEY_ID = "90a421169f0a406205f1563a953312f0be898d3c7b6c06b681aa86a874555f4a";
    private static final String KEYS = """
            {"public_keys":[{"key_identifier":"%s","key":"-----BEGIN PUBLIC KEY-----\\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE9MJJHnMfn2+H4xL4YaPDA4RpJqUq\\nkCmRCBnYERxZanmcpzQSXs1X/AljlKkbJ8qpVIW4clayyef9gWhFbNHWAA==\\n-----END PUBLIC KEY-----","is_current":true}]}
            """.formatted(GITHUB_KEY_ID);
    private static final byte[] PAYLOAD = "[{\"token\":\"some_token\",\"type\":\"some_type\",\"url\":\"some_url\"}]"
            .getBytes(StandardCharsets.UTF_8);
    private static final String SIGNATURE = "MEUCIQDKZokqnCjrRtw0tni+2Ltvl/uiMJ1EGumEsp1BsNr32AIgQY1YXD2nlj+XNfGK4rBfkMJ1JDOQcYXxa2sY8FNkrKc=";

    @Test
    void githubsPublishedExampleVerifies() {
        assertThat(LeakReportKeys.parse(KEYS).verify(PAYLOAD, GITHUB_KEY_ID, SIGNATURE)).isTrue();
    }

    @Test
    void anAlteredBodyAnUnknownKeyOrAMalformedSignatureDoNot() {
        LeakReportKeys keys = LeakReportKeys.parse(KEYS);
        byte[] altered = new String(PAYLOAD, StandardCharsets.UTF_8).replace("some_url", "some_uri").getBytes(StandardCharsets.UTF_8);

        assertThat(keys.verify(altered, GITHUB_KEY_ID, SIGNATURE)).isFalse();
        assertThat(keys.verify(PAYLOAD, "f9525bf080f75b3506ca1ead061add62b8633a346606dc5fe544e29231c6ee0d", SIGNATURE)).isFalse();
        assertThat(keys.verify(PAYLOAD, GITHUB_KEY_ID, "not base64!")).isFalse();
        assertThat(keys.verify(PAYLOAD, GITHUB_KEY_ID, null)).isFalse();
        assertThat(keys.verify(PAYLOAD, null, SIGNATURE)).isFalse();
    }

    @Test
    void aFileThatIsNotAKeyListIsRefused() {
        assertThatThrownBy(() -> LeakReportKeys.parse("{\"keys\":[]}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LeakReportKeys.parse("{\"public_keys\":[{\"key_identifier\":\"x\",\"key\":\"-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\"}]}"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
