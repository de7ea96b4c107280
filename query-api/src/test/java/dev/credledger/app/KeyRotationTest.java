package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.SIGNER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.api.Http;
import dev.credledger.events.avro.WrappedDataKey;
import dev.credledger.events.registry.SchemaRegistryClient;
import dev.credledger.events.sealing.FileKeyring;
import dev.credledger.processors.topology.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A KEK rotation while the ledger signs and enables: {@code credledger keys rotate} re-wraps every data key under
 * the new KEK, no MAC fails or changes meanwhile, and once the old KEK is removed (and the ledger restarted, so no
 * unwrapped key is cached) every salt still signs.
 */
class KeyRotationTest {

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger();

    private final Map<String, String> salts = new ConcurrentHashMap<>();

    private void enable(String account) {
        Http.Response r = LEDGER.http().post("/v1/accounts/" + account + "/environments/sandbox/api/enable", ADMIN, null);
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        salts.put(account, r.json().path("privateSalt").asText());
    }

    /** Whether the ledger's MAC for the account is the one its customer computes. */
    private boolean signsRight(String account) {
        Http.Response r = LEDGER.http().post("/v1/accounts/" + account + "/environments/sandbox/mac", SIGNER,
                "{\"payload\":\"delivery\"}");
        return r.status() == 200 && r.json().path("mac").asText().equals(hmac(salts.get(account)));
    }

    private static String hmac(String salt) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(salt.getBytes(StandardCharsets.US_ASCII), "HmacSHA1"));
            return HexFormat.of().formatHex(mac.doFinal("delivery".getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aRotationUnderLoadRewrapsEveryDataKeyAndNoMacFailsOrChanges() throws Exception {
        for (int i = 0; i < 8; i++) {
            enable("rotate-" + i);
        }
        Path ring = Path.of(LEDGER.app().sealingKeyFile());
        String oldKek = FileKeyring.load(ring).currentId();
        Path newKey = Files.createTempDirectory("credledger-new-kek-").resolve("new.key");
        FileKeyring.generate(newKey);
        String newKek = FileKeyring.load(newKey).currentId();

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger signed = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        // What fails in the load thread (an assertion in enable(), say) is kept and rethrown here, never lost with it.
        java.util.concurrent.atomic.AtomicReference<Throwable> died = new java.util.concurrent.atomic.AtomicReference<>();
        Thread load = Thread.ofPlatform().start(() -> {
            try {
                int n = 0;
                while (!stop.get() && n < 100_000) {
                    n++;
                    if (n % 25 == 0) {
                        enable("rotate-new-" + n); // new data keys are made while the rotation runs
                    }
                    for (String account : List.copyOf(salts.keySet())) {
                        if (signsRight(account)) {
                            signed.incrementAndGet();
                        } else {
                            failures.add(account);
                        }
                    }
                }
            } catch (Throwable t) {
                died.set(t);
            }
        });
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code;
        try {
            var cli = Main.commandLine(new String[0]);
            cli.setOut(new PrintWriter(out));
            cli.setErr(new PrintWriter(err));
            int before = signed.get();
            code = cli.execute("keys", "rotate", "--sealing-key-file", ring.toString(), "--new-key-file", newKey.toString(),
                    "--bootstrap-servers", LEDGER.app().bootstrapServers(), "--schema-registry-url", LEDGER.app().registryUrl(),
                    "--schema-registry-basic-auth", "credledger:" + ADMIN, "--reload-wait", "2s");
            assertThat(signed.get()).as("MACs signed while the rotation ran").isGreaterThan(before);
        } finally {
            stop.set(true);
            load.join();
        }
        if (died.get() != null) {
            throw new AssertionError("the load thread failed", died.get());
        }

        assertThat(code).as(out + " " + err).isZero();
        assertThat(out.toString()).contains("re-wrapped").contains("No data key needs an older KEK");
        assertThat(failures).isEmpty();
        assertThat(liveKekIds()).containsOnly(newKek);
        // Each instance shows which KEK wraps and which only unwrap.
        String metrics = LEDGER.http().get("/metrics", null).raw();
        assertThat(metrics).contains("credledger_sealing_kek{kek=\"" + newKek + "\"} 1.0",
                "credledger_sealing_kek{kek=\"" + oldKek + "\"} 0.0");

        // Retire the old KEK: only the new one is left, and a restart drops every cached unwrapped key.
        FileKeyring.write(ring, List.of(FileKeyring.load(newKey).keys().getFirst()));
        assertThat(FileKeyring.load(ring).ids()).containsExactly(newKek).doesNotContain(oldKek);
        LEDGER.restart();
        for (String account : salts.keySet()) {
            assertThat(signsRight(account)).as(account).isTrue();
        }
    }

    /** The KEK IDs of the data keys that are not destroyed. */
    private static java.util.Set<String> liveKekIds() {
        var topics = new Topics(new SchemaRegistryClient(SchemaRegistryClient.Settings.of(LEDGER.app().registryUrl())));
        var decode = topics.dataKeys.valueSerde().deserializer();
        Map<String, WrappedDataKey> latest = new LinkedHashMap<>();
        for (ConsumerRecord<String, Object> r : TopicDump.read(LEDGER.app().bootstrapServers(), Topics.DATA_KEYS, decode::deserialize)) {
            latest.put(r.key(), (WrappedDataKey) r.value());
        }
        java.util.Set<String> ids = new java.util.TreeSet<>();
        latest.values().stream().filter(java.util.Objects::nonNull).forEach(v -> ids.add(v.getKekId()));
        return ids;
    }
}
