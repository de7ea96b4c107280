package dev.credledger.app;

import dev.credledger.events.secret.SecretFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code credledger scan PATH...}: finds the ledger's secrets in files and directories by their format and checksum,
 * offline. Prints where each is and what it says about itself (prefix, kind, environment, fingerprint) — never the
 * secret. Exit 1 when it found any, 0 when none, 2 for a path that cannot be read (or a report that failed). Usable as
 * a pre-commit hook. With {@code --report URL}, what it found is also sent to the ledger's {@code POST /v1/leaks} in
 * the format of GitHub's secret-scanning partner program, with the scanner key, so the ledger revokes it.
 */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"Find credledger secrets (by format and CRC32 checksum) in files and directories; never prints one.",
                "Exit 1 when any is found, 0 when none; skips .git directories and binary files."})
final class ScanCommand implements Callable<Integer> {

    /** Files larger than this are not read (a build artifact, a dump). */
    static final long MAX_FILE_BYTES = 16L << 20;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories to scan.")
    List<Path> paths = new ArrayList<>();

    @CommandLine.Option(names = "--report", paramLabel = "URL", arity = "0..1", parameterConsumer = ReportUrl.class,
            description = "Also report what was found to the ledger at URL (its base URL, or the full URL of /v1/leaks), which "
                    + "revokes it. Without URL: the local ledger (<data-dir>/credledger.json; --data-dir, else ./data, then ./data-demo).")
    String reportUrl;

    @CommandLine.Option(names = "--data-dir", description = "With --report and no URL: the local ledger to report to.")
    Path dataDir;

    /** {@code --report} takes the next argument only if it is a URL: {@code scan --report ./repo} scans ./repo. */
    static final class ReportUrl implements CommandLine.IParameterConsumer {
        @Override
        public void consumeParameters(java.util.Stack<String> args, CommandLine.Model.ArgSpec argSpec,
                CommandLine.Model.CommandSpec commandSpec) {
            String next = args.isEmpty() ? null : args.peek();
            argSpec.setValue(next != null && next.matches("(?i)https?://.*") ? args.pop() : "");
        }
    }

    @CommandLine.Option(names = "--scanner-token", description = "Bearer key to report with (the scanner role's, or admin's). Env: CREDLEDGER_SCANNER_TOKEN.")
    String scannerToken;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** A secret found: where, and the secret itself — kept in memory only, to report it. */
    record Finding(Path file, int line, String token, dev.credledger.events.model.CredentialKind kind) {}

    private final List<Finding> findings = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int[] found = {0};
        long[] files = {0};
        for (Path root : paths) {
            if (!Files.exists(root)) {
                err.println("credledger scan: no such file or directory: " + root);
                return 2;
            }
            try {
                Files.walkFileTree(root, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        return dir.getFileName() != null && dir.getFileName().toString().equals(".git") && !dir.equals(root)
                                ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        if (attrs.isRegularFile() && attrs.size() <= MAX_FILE_BYTES) {
                            files[0]++;
                            found[0] += scan(file, out, findings);
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        err.println("credledger scan: cannot read " + file + ": " + e.getMessage());
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                err.println("credledger scan: cannot read " + root + ": " + e.getMessage());
                return 2;
            }
        }
        out.flush();
        err.printf("credledger scan: %d secret%s in %,d files%n", found[0], found[0] == 1 ? "" : "s", files[0]);
        err.flush();
        if (reportUrl != null && !findings.isEmpty()) {
            if (reportUrl.isEmpty()) {
                var local = LocalLedger.find(dataDir).filter(f -> f.ledger().running());
                if (local.isEmpty()) {
                    err.println("credledger scan: --report without a URL reports to the local ledger, and none runs"
                            + " (no live credledger.json in " + (dataDir != null ? dataDir : "./data or ./data-demo") + ")");
                    return 2;
                }
                reportUrl = local.get().ledger().httpUrl();
            }
            try {
                LeakReporter.Result result = LeakReporter.report(reportUrl, scannerToken, findings);
                // What the ledger did with each secret (each once, where it was first found): a result, on stdout.
                for (LeakReporter.Outcome o : result.outcomes()) {
                    out.printf("%s:%d: sha256:%s %s%n", o.finding().file(), o.finding().line(),
                            dev.credledger.events.model.Fingerprint.hexOf(o.finding().token()), o.outcome());
                }
                out.flush();
                err.println("credledger scan: " + result.summary());
            } catch (LeakReporter.Failed e) {
                err.println("credledger scan: the report failed: " + e.getMessage());
                err.flush();
                return 2;
            }
            err.flush();
        }
        return found[0] > 0 ? 1 : 0;
    }

    /** Prints each secret of one text file as {@code file:line:column: prefix kind environment sha256:fingerprint}. */
    static int scan(Path file, PrintWriter out, List<Finding> findings) throws IOException {
        if (isBinary(file)) {
            return 0;
        }
        int found = 0;
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (BufferedReader reader = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file), decoder))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                for (SecretFormat.Found f : SecretFormat.findAll(line)) {
                    found++;
                    findings.add(new Finding(file, number, f.in(line), f.kind()));
                    out.printf("%s:%d:%d: %s %s %s sha256:%s%n", file, number, f.column() + 1, f.prefix(),
                            f.kind().name().toLowerCase(Locale.ROOT).replace('_', ' '), f.environment().pathName(), f.fingerprint().hex());
                }
            }
        }
        return found;
    }

    /** A NUL byte in the first 8 KiB: not text. */
    private static boolean isBinary(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(8192);
            for (byte b : head) {
                if (b == 0) {
                    return true;
                }
            }
            return false;
        }
    }
}
