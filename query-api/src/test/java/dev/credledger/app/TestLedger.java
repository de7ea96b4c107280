package dev.credledger.app;

import dev.credledger.api.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole ledger on its embedded default (real in-process broker, registry, Streams, HTTP on loopback),
 * started once per test class with known keys for the three roles.
 */
public final class TestLedger implements BeforeAllCallback, AfterAllCallback {

    public static final String ADMIN = "test-admin-key";
    public static final String AUDITOR = "test-auditor-key";
    public static final String VERIFIER = "test-verifier-key";
    public static final String SIGNER = "test-signer-key";

    private final java.util.function.UnaryOperator<Settings> customise;
    private Path dataDir;
    private LedgerApplication app;
    private Http http;

    public TestLedger() {
        this(java.util.function.UnaryOperator.identity());
    }

    /** A ledger whose settings the test adds to (say, leak report keys). */
    public TestLedger(java.util.function.UnaryOperator<Settings> customise) {
        this.customise = customise;
    }

    /** The test class that started the ledger: @Nested classes inherit the extension and share its ledger. */
    private String owner;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (owner != null) {
            return;
        }
        owner = context.getUniqueId();
        dataDir = Files.createTempDirectory("credledger-app-");
        start();
    }

    public void start() {
        app = LedgerApplication.start(customise.apply(Settings.embedded(dataDir, 0, 0, 0).withTokens(ADMIN, AUDITOR, VERIFIER)
                .withSigning(SIGNER, null)));
        http = new Http(app.httpUrl());
        awaitReady(app, http);
    }

    /** Stops the process's parts and starts them again on the same data directory. */
    public void restart() {
        restart(() -> { });
    }

    /** As {@link #restart()}, returning every line logged while it stopped and started again. */
    public java.util.List<String> restartLogging() {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
                new ch.qos.logback.core.read.ListAppender<>();
        seen.start();
        root.addAppender(seen);
        try {
            restart();
        } finally {
            root.detachAppender(seen);
        }
        return seen.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
    }

    /** As {@link #restart()}, doing {@code whileStopped} in between (say, deleting the local state). */
    public void restart(Runnable whileStopped) {
        app.close();
        whileStopped.run();
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (app != null && context.getUniqueId().equals(owner)) {
            app.close();
            owner = null;
        }
    }

    /** A sealing key file (mode 0600) for a test's ledgers on an external broker, made once per test JVM. */
    public static synchronized java.nio.file.Path sealingKeyFile() {
        if (sharedSealingKey == null) {
            try {
                java.nio.file.Path file = Files.createTempDirectory("credledger-keys-").resolve("sealing.key");
                dev.credledger.events.sealing.FileKeyring.generate(file);
                sharedSealingKey = file;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return sharedSealingKey;
    }

    private static java.nio.file.Path sharedSealingKey;

    /** An audit signing key (PKCS#8 PEM, mode 0600) for a test's ledgers on an external broker, made once per test JVM. */
    public static synchronized java.nio.file.Path auditSigningKeyFile() {
        if (sharedAuditKey == null) {
            try {
                java.nio.file.Path file = Files.createTempDirectory("credledger-keys-").resolve("audit-signing.pem");
                Files.writeString(file, dev.credledger.events.tlog.NoteKey.generate("credledger.local/audit").toPem());
                Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                sharedAuditKey = file;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return sharedAuditKey;
    }

    /** The audit log settings of a test's ledgers on an external broker: the shared key, checkpoints every 500 ms. */
    public static Settings.AuditLog externalAuditLog() {
        return new Settings.AuditLog(auditSigningKeyFile(), "credledger.local/audit", Duration.ofMillis(500));
    }

    private static java.nio.file.Path sharedAuditKey;

    public Http http() {
        return http;
    }

    /**
     * Makes {@code account} known to the ledger (its first event: a move to the professional plan, which allows live
     * secrets), for the routes that refuse accounts the ledger never heard of. Nothing changes for a known account.
     */
    public static void knownAccount(Http http, String account) {
        Http.Response r = http.send("PUT", "/v1/accounts/" + account + "/plan", ADMIN, "{\"plan\":\"PROFESSIONAL\"}");
        if (r.status() != 200) {
            throw new AssertionError("could not make " + account + " known: " + r);
        }
    }

    public LedgerApplication app() {
        return app;
    }

    /** Polls {@code condition} every 100 ms until it holds; fails after 30 s, naming {@code what} it waited for. */
    public static void await(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 30 s for " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }

    static void awaitReady(LedgerApplication app, Http http) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (app.streamsState() == KafkaStreams.State.RUNNING && http.get("/health/ready", null).status() == 200) {
                return;
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        throw new AssertionError("the ledger did not become ready");
    }
}
