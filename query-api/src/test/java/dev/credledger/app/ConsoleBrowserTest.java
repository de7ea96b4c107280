package dev.credledger.app;

import static dev.credledger.app.TestLedger.ADMIN;
import static dev.credledger.app.TestLedger.AUDITOR;
import static dev.credledger.app.TestLedger.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.api.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The audit console in a real browser: Selenium WebDriver driving Debian's headless Chromium (through its chromedriver)
 * against the real server on the in-process broker. Sign in, find an account, read its timeline and the state at a
 * point, investigate a revoked secret pasted as plaintext (which never leaves the page: every request the browser made
 * is checked), verify a proof in the page, see enforcement, download the credential report; at 1280×800 and at a
 * phone's width, without a Content-Security-Policy violation. Screenshots go to {@code target/console-screenshots}.
 * Skipped, saying so, where chromium or chromedriver is not installed ({@code apt-get install chromium chromium-driver}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SHOTS = Path.of("target/console-screenshots");
    private static final Path DOWNLOADS = Path.of("target/console-downloads").toAbsolutePath();

    @RegisterExtension
    static final TestLedger LEDGER = new TestLedger(s -> s.withAuditLog(TestLedger.externalAuditLog()));

    private static ChromeDriver browser;
    private static String leakedToken;
    private static String base;
    private static String axeSource;

    @BeforeAll
    static void anAccountAndABrowser() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "chromium and chromedriver are not installed (apt-get install chromium chromium-driver): browser tests skipped");
        Http http = LEDGER.http();
        String env = "/v1/accounts/console-a/environments/sandbox";
        leakedToken = http.post(env + "/api/enable", ADMIN, null, "X-Actor", "alice@acme.example").json().path("authToken").asText();
        http.post(env + "/credentials", ADMIN, "{\"name\":\"reports-reader\",\"ttlSeconds\":864000,\"scopes\":[\"reports:read\"]}");
        http.post(env + "/allowed-ips", ADMIN, "{\"cidr\":\"203.0.113.0/24\"}");
        // A gateway live before the revocation, so that it counts for it; it applies it later (the enforcement page).
        acknowledgeEveryRevocationAs("api-gateway", "gw-1");
        await("the gateway live", () -> http.get("/v1/enforcement-points", AUDITOR).raw().contains("api-gateway"));
        http.post(env + "/api/refresh", ADMIN, "{\"reason\":\"COMPROMISED\"}", "X-Actor", "bob@acme.example");
        http.send("PUT", "/v1/accounts/console-a/credential-policy", ADMIN, "{\"maxAgeDays\":90}");
        Files.createDirectories(SHOTS);
        Files.createDirectories(DOWNLOADS);

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800",
                "--disable-gpu");
        options.setExperimentalOption("prefs", Map.of("download.default_directory", DOWNLOADS.toString(),
                "download.prompt_for_download", false));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build(), options);
        base = LEDGER.app().httpUrl();
    }

    @AfterAll
    static void closeTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    @Order(1)
    void signingInWithAnAuditorKeyShowsTheRoleAndSignOutAndKeepsTheKeyInThisTabOnly() throws Exception {
        browser.get(base + "/console/");
        WebElement key = waitFor(By.id("key"));
        shot("sign-in");
        key.sendKeys(AUDITOR);
        browser.findElement(By.cssSelector("form button[type=submit]")).click();

        waitForText(By.id("who"), "Signed in as auditor");
        assertThat(browser.findElement(By.id("signout")).isDisplayed()).isTrue();
        JavascriptExecutor js = browser;
        assertThat(js.executeScript("return sessionStorage.getItem('credledger.console.key')")).isEqualTo(AUDITOR);
        assertThat(js.executeScript("return JSON.stringify(localStorage)")).asString().doesNotContain(AUDITOR);
        assertThat(js.executeScript("return document.cookie")).isEqualTo("");
        assertThat(browser.getCurrentUrl()).doesNotContain(AUDITOR);
    }

    @Test
    @Order(2)
    void anAccountIsFoundAndShowsItsEnvironmentsCredentialsAndPolicy() throws Exception {
        browser.get(base + "/console/#/accounts");
        waitFor(By.id("account")).sendKeys("console-a");
        browser.findElement(By.cssSelector("form button[type=submit]")).click();

        WebElement sandbox = waitFor(By.cssSelector("section[aria-label=sandbox]"));
        waitForText(By.cssSelector("section[aria-label=sandbox]"), "reports-reader");
        assertThat(sandbox.getText()).contains("reports:read").contains("203.0.113.0/24").contains("clat_sbx_");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("90 days");
        shot("account");
        // An address that is not an account ID is not a page (it could otherwise steer a request to another route).
        browser.get(base + "/console/#/account/..");
        waitForText(By.tagName("main"), "Not found");
        browser.get(base + "/console/#/account/console-a");
        waitForText(By.cssSelector("section[aria-label=sandbox]"), "reports-reader");
        browser.manage().window().setSize(new Dimension(390, 844));
        try {
            shot("account-phone");
            Object overflow = browser.executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
            assertThat(((Number) overflow).intValue()).as("no sideways scrolling at a phone's width").isLessThanOrEqualTo(0);
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 800));
        }
    }

    @Test
    @Order(3)
    void theTimelineShowsEveryRecordAndAPointOpensTheStateAtThatMoment() throws Exception {
        browser.get(base + "/console/#/timeline/console-a");
        waitFor(By.cssSelector("#records details"));
        List<WebElement> records = browser.findElements(By.cssSelector("#records details"));
        assertThat(records).hasSizeGreaterThanOrEqualTo(5);
        assertThat(records.getFirst().getText()).contains("ApiEnabled").contains("alice@acme.example");

        // The second point: the account right after the credential was created, before the refresh.
        browser.findElements(By.cssSelector("svg.axis circle")).get(1).click();
        waitForText(By.id("state"), "State at");
        assertThat(browser.findElement(By.id("state")).getText()).contains("reports-reader").doesNotContain("203.0.113.0/24");
        shot("timeline");
    }

    @Test
    @Order(4)
    void aRevokedSecretPastedAsPlaintextIsInvestigatedWithoutThePlaintextLeavingThePage() throws Exception {
        browser.manage().logs().get(LogType.PERFORMANCE); // forget what came before
        browser.get(base + "/console/#/secret");
        waitFor(By.id("secret")).sendKeys(leakedToken);
        browser.findElement(By.cssSelector("form button[type=submit]")).click();

        waitForText(By.id("investigation"), "REVOKED");
        String text = browser.findElement(By.id("investigation")).getText();
        assertThat(text).contains("TOKEN_COMPROMISED").contains("bob@acme.example").contains("AuthTokenRefreshed");
        assertThat(text).doesNotContain(leakedToken);
        assertThat(browser.findElement(By.id("secret")).getAttribute("value")).isEmpty();
        List<String> requests = browser.manage().logs().get(LogType.PERFORMANCE).getAll().stream().map(LogEntry::getMessage)
                .filter(m -> m.contains("Network.requestWillBeSent")).toList();
        assertThat(requests).as("the browser's requests").anyMatch(m -> m.contains("/v1/secrets/"
                + dev.credledger.events.model.Fingerprint.hexOf(leakedToken)));
        assertThat(requests).noneMatch(m -> m.contains(leakedToken));
        shot("investigate");
    }

    @Test
    @Order(5)
    void aRecordsInclusionAndTheCheckpointsSignatureAreVerifiedInTheBrowser() throws Exception {
        Http http = LEDGER.http();
        await("a checkpoint that covers the account's records", () -> http.get("/v1/accounts/console-a/audit/5/proof", AUDITOR)
                .status() == 200);
        browser.get(base + "/console/#/proofs/console-a");
        waitForText(By.id("chain-verdict"), "Chain intact");
        browser.findElement(By.xpath("//button[contains(., \"ledger's own key\")]")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> !d.findElement(By.id("verifier-key")).getAttribute("value").isBlank());
        WebElement sequence = browser.findElement(By.id("sequence"));
        sequence.clear();
        sequence.sendKeys("5");
        browser.findElement(By.xpath("//button[.='Verify']")).click();

        waitForText(By.id("proof-verdict"), "Verified");
        assertThat(browser.findElement(By.id("proof-result")).getText()).doesNotContain("✗");
        assertThat(browser.findElement(By.id("proof-engine")).getText()).contains("this browser (WebCrypto)");
        browser.executeScript("arguments[0].scrollIntoView({block: 'end'})", browser.findElement(By.id("proof-result")));
        shot("proofs");

        // A key that is not the ledger's: the same proof is not verified.
        WebElement key = browser.findElement(By.id("verifier-key"));
        key.clear();
        key.sendKeys(dev.credledger.events.tlog.NoteKey.generate("credledger.local/audit").verifierKey());
        browser.findElement(By.xpath("//button[.='Verify']")).click();
        waitForText(By.id("proof-verdict"), "Not verified");
        assertThat(browser.findElement(By.id("proof-result")).getText()).as("what failed")
                .contains("✗ the checkpoint is signed by the verifier key given");

        // A browser without Ed25519 in WebCrypto (simulated: this page's WebCrypto made to refuse Ed25519 keys, as an
        // older browser's does): the vendored library checks the same signature, and refuses the same wrong key.
        browser.executeScript("const subtle = crypto.subtle; const importKey = subtle.importKey.bind(subtle);"
                + "subtle.importKey = (format, key, algorithm, ...rest) => (algorithm.name || algorithm) === 'Ed25519'"
                + " ? Promise.reject(new DOMException('Unrecognized algorithm name', 'NotSupportedError'))"
                + " : importKey(format, key, algorithm, ...rest);");
        browser.findElement(By.xpath("//button[.='Verify']")).click();
        waitForText(By.id("proof-engine"), "noble-ed25519 3.2.0");
        assertThat(browser.findElement(By.id("proof-verdict")).getText()).startsWith("Not verified");
        String wrong = key.getAttribute("value");
        browser.findElement(By.xpath("//button[contains(., \"ledger's own key\")]")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> !d.findElement(By.id("verifier-key")).getAttribute("value")
                .equals(wrong));
        browser.findElement(By.xpath("//button[.='Verify']")).click();
        waitForText(By.id("proof-verdict"), "Verified");
        assertThat(browser.findElement(By.id("proof-engine")).getText())
                .contains("noble-ed25519 3.2.0, as this browser has no Ed25519 in WebCrypto");
        browser.navigate().refresh(); // the page's own WebCrypto again
    }

    @Test
    @Order(6)
    void theEnforcementPageListsThePointsAndTheCompliancePageDownloadsTheReport() throws Exception {
        // The gateway applies the early copy first, the committed record after (as a revocation client does).
        String recent = "/v1/revocations?since=" + java.time.Instant.now().minus(Duration.ofHours(1));
        acknowledge("api-gateway", "gw-1", false, true);
        await("the early copy applied by the gateway", () -> LEDGER.http().get(recent, AUDITOR).json().path("items").path(0)
                .path("effectiveEverywhereAt").isTextual());
        acknowledgeEveryRevocationAs("api-gateway", "gw-1");
        await("the record applied by the gateway", () -> LEDGER.http().get(recent, AUDITOR).json().path("items").path(0)
                .path("committedEverywhereAt").isTextual());
        browser.get(base + "/console/#/enforcement");
        waitForText(By.tagName("main"), "Enforcement points");
        waitForText(By.id("recent-revocations"), "TOKEN_COMPROMISED");
        assertThat(browser.findElement(By.id("recent-revocations")).getText()).contains("console-a").contains("clat_sbx_")
                .contains(" ms").doesNotContain("pending");
        browser.findElement(By.xpath("//section[@id='recent-revocations']//button[.='Points']")).click();
        waitForText(By.tagName("main"), "api-gateway (gw-1)");
        assertThat(browser.findElement(By.tagName("main")).getText()).containsPattern("early copy, \\d+ ms before the record")
                .contains("the early copy's head start");
        shot("enforcement");

        browser.get(base + "/console/#/compliance");
        waitForText(By.tagName("main"), "Never used");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("console-a").contains("0–30 days");
        shot("compliance");
        Path report = DOWNLOADS.resolve("credential-report.csv");
        Files.deleteIfExists(report);
        browser.findElement(By.id("report-csv")).click();
        await("the report downloaded", () -> Files.exists(report));
        assertThat(Files.readString(report)).startsWith("accountId,environment,kind,credentialId").contains("console-a");
    }

    @Test
    @Order(7)
    void noPageBrokeTheContentSecurityPolicyOrAccessibilityRulesAndSigningOutForgetsTheKey() throws Exception {
        List<String> problems = browser.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage)
                .filter(m -> m.contains("Content Security Policy") || m.contains("Refused to")).toList();
        assertThat(problems).isEmpty();

        // Every control of every page visited is labelled (by its <label>, or aria-label).
        for (String page : List.of("#/accounts", "#/timeline/console-a", "#/secret", "#/proofs/console-a", "#/enforcement",
                "#/compliance")) {
            browser.get(base + "/console/" + page);
            waitFor(By.cssSelector("main form"));
            Object unlabelled = browser.executeScript("return [...document.querySelectorAll('input, select, textarea')]"
                    + ".filter(e => !e.closest('label') && !e.getAttribute('aria-label')).map(e => e.id || e.name)");
            assertThat((List<?>) unlabelled).as("unlabelled controls on " + page).isEmpty();
            assertThat(accessibilityViolations()).as("WCAG 2.1 A/AA violations found by axe-core on " + page).isEmpty();
        }
        // The skip link moves the focus to the page and keeps the address (and so the page).
        browser.get(base + "/console/#/compliance");
        waitForText(By.tagName("main"), "Never used");
        browser.executeScript("document.querySelector('.skip').click()");
        assertThat(browser.getCurrentUrl()).endsWith("#/compliance");
        assertThat(browser.executeScript("return document.activeElement.id")).isEqualTo("main");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("Never used");

        browser.findElement(By.id("signout")).click();
        waitFor(By.id("key"));
        assertThat(((JavascriptExecutor) browser).executeScript("return sessionStorage.length")).isEqualTo(0L);
    }

    @Test
    void theConsoleIsServedWithAStrictPolicyNeverFramedAndTheApiAnswersAreNotStored() throws Exception {
        Http.Response page = LEDGER.http().get("/console/", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Security-Policy")).contains("script-src 'self'").contains("style-src 'self'")
                .doesNotContain("unsafe-inline").contains("frame-ancestors 'none'");
        assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(page.raw()).doesNotContain("<script>").doesNotContain("style=").doesNotContain("onclick");
        assertThat(LEDGER.http().get("/v1/accounts/console-a/audit", AUDITOR).header("Cache-Control")).isEqualTo("no-store");
        assertThat(LEDGER.http().get("/console/nothing.js", null).status()).isEqualTo(404);
        // The Ed25519 fallback is npm's @noble/ed25519 3.2.0 index.js, byte for byte (its SHA-256, from the package).
        Http.Response noble = LEDGER.http().get("/console/noble-ed25519.js", null);
        assertThat(noble.header("Content-Security-Policy")).isEqualTo(page.header("Content-Security-Policy"));
        assertThat(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(noble.raw().getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                .isEqualTo("a4f631d1876b5d9e43a86cd71194ca27b5e1451edf4ba4db9a418f40a475569a");
        assertThat(LEDGER.http().get("/v1/whoami", ADMIN).json().path("role").asText()).isEqualTo("admin");
        assertThat(LEDGER.http().get("/v1/whoami", TestLedger.VERIFIER).json().path("role").asText()).isEqualTo("verifier");
        assertThat(LEDGER.http().get("/v1/whoami", null).status()).isEqualTo(401);
    }

    /**
     * An enforcement point's report that it has applied every revocation so far, written as the revocation client's
     * {@code EnforcementReporter} writes it (that client's module depends on this one, so it cannot run here).
     */
    private static void acknowledgeEveryRevocationAs(String point, String instance) throws Exception {
        acknowledge(point, instance, true, true);
    }

    /**
     * A report of {@code point}/{@code instance} that it has applied every revocation so far on the committed feed
     * ({@code committed}) and on the early copy ({@code early}); a feed not named is reported at its start (nothing).
     */
    private static void acknowledge(String point, String instance, boolean committed, boolean early) throws Exception {
        var registry = new dev.credledger.events.registry.SchemaRegistryClient(new dev.credledger.events.registry.SchemaRegistryClient
                .Settings(java.net.URI.create(LEDGER.app().registryUrl()), "test:" + ADMIN, null, Duration.ofSeconds(10)));
        var topics = new dev.credledger.processors.topology.Topics(registry);
        Map<String, Object> config = Map.of("bootstrap.servers", LEDGER.app().bootstrapServers(),
                "isolation.level", "read_committed", "group.id", "console-test-" + java.util.UUID.randomUUID());
        java.util.List<dev.credledger.events.avro.AppliedPosition> positions = new java.util.ArrayList<>();
        java.util.List<dev.credledger.events.avro.AppliedPosition> earlyPositions = new java.util.ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(config,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(dev.credledger.processors.topology.Topics.REVOCATIONS).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            consumer.endOffsets(partitions).forEach((tp, end) -> positions.add(new dev.credledger.events.avro.AppliedPosition(tp.partition(), committed ? end : 0)));
            var earlyPartitions = consumer.partitionsFor(dev.credledger.processors.topology.Topics.EARLY_REVOCATIONS).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
            consumer.endOffsets(earlyPartitions).forEach((tp, end) -> earlyPositions.add(new dev.credledger.events.avro.AppliedPosition(tp.partition(), early ? end : 0)));
        }
        var ack = dev.credledger.events.avro.EnforcementAck.newBuilder().setEnforcementPoint(point).setInstance(instance)
                .setPositions(positions).setEarlyPositions(earlyPositions).setAppliedAt(java.time.Instant.now()).setStartedAt(java.time.Instant.now().minusSeconds(60))
                .setReportInterval(5_000).build();
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(Map.<String, Object>of("bootstrap.servers",
                LEDGER.app().bootstrapServers()), new org.apache.kafka.common.serialization.StringSerializer(),
                topics.enforcementAcks.valueSerde().serializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                    dev.credledger.processors.topology.Topics.ENFORCEMENT_ACKS, point + "|" + instance, ack)).get();
        }
    }

    private static WebElement waitFor(By by) {
        return new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    private static void waitForText(By by, String text) {
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    /** A screenshot of the page as it is now, once axe-core has found nothing on it to fix. */
    private static void shot(String name) throws Exception {
        Files.write(SHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
        assertThat(accessibilityViolations()).as("WCAG 2.1 A/AA violations found by axe-core on " + name).isEmpty();
    }

    /**
     * What axe-core (Deque's rules engine, the one browsers' own audits build on) finds against WCAG 2.1 levels A and
     * AA on the page as it is now — contrast, names, labels, landmarks, keyboard traps — one line per element.
     */
    private static List<String> accessibilityViolations() throws Exception {
        if (axeSource == null) {
            try (var in = ConsoleBrowserTest.class.getResourceAsStream("/axe.min.js")) {
                axeSource = new String(java.util.Objects.requireNonNull(in, "axe.min.js on the class path").readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        browser.executeScript(axeSource);
        Object found = browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
                + ".then(r => done(r.violations.flatMap(v => v.nodes.map(n => v.id + ' (' + v.impact + '): '"
                + " + n.target.join(' ') + ' — ' + n.failureSummary.replace(/\\s+/g, ' ')))), e => done(['axe failed: ' + e]));");
        return ((List<?>) found).stream().map(String::valueOf).toList();
    }
}
