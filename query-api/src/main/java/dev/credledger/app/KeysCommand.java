package dev.credledger.app;

import dev.credledger.events.sealing.FileKeyring;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code credledger keys ...}: the key-encryption keys that seal private salts. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Key-encryption keys that seal private salts.",
        subcommands = {KeysCommand.Generate.class})
final class KeysCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code credledger keys generate --out FILE}: a new keyring file with one random 256-bit key, mode 0600. */
    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Write a new sealing key file (one random 256-bit key, mode 0600) for --sealing-key-file.")
    static final class Generate implements Callable<Integer> {

        @Option(names = "--out", required = true, description = "The file to create; an existing file is never overwritten.")
        Path out;

        @Override
        public Integer call() {
            try {
                FileKeyring.generate(out);
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                System.err.println("credledger keys generate: " + e.getMessage());
                return 1;
            }
            System.out.println("Wrote " + out.toAbsolutePath().normalize() + " (key " + FileKeyring.load(out).currentId()
                    + "): keep it secret and back it up; without it no sealed salt can be used.");
            return 0;
        }
    }
}
