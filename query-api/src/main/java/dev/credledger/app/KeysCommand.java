package dev.credledger.app;

import dev.credledger.events.sealing.FileKeyring;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code credledger keys ...}: the key-encryption keys that seal private salts. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Key-encryption keys that seal private salts.",
        subcommands = {KeysCommand.Generate.class, KeysCommand.Rotate.class})
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

    /**
     * {@code credledger keys rotate}: makes the key of {@code --new-key-file} the current KEK of the sealing key
     * file (the old ones stay in it, to unwrap), lets running ledgers reload it, then re-wraps every data key on
     * {@code credential-data-keys} under it, while the ledger runs. Afterwards the old KEKs can be removed.
     */
    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Re-wrap every data key under a new key-encryption key, while the ledger runs.")
    static final class Rotate implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--sealing-key-file", required = true, description = "The ledger's sealing key file: the new key is put first in it.")
        Path ring;

        @Option(names = "--new-key-file", required = true, description = "A key file made by 'credledger keys generate'.")
        Path newKey;

        @CommandLine.Mixin
        ClusterOptions cluster = new ClusterOptions();

        @Option(names = "--reload-wait", description = "How long running ledgers get to reload the key file before re-wrapping starts. Default: ${DEFAULT-VALUE}")
        String reloadWait = "3s";

        @Override
        public Integer call() {
            java.io.PrintWriter err = spec.commandLine().getErr();
            java.io.PrintWriter out = spec.commandLine().getOut();
            java.time.Duration wait;
            java.time.Duration reload;
            FileKeyring ringKeys;
            byte[] fresh;
            try {
                cluster.resolve();
                wait = cluster.timeout();
                reload = ServeCommand.duration("--reload-wait", reloadWait);
                ringKeys = FileKeyring.load(ring);
                fresh = FileKeyring.load(newKey).keys().getFirst();
            } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
                err.println("credledger keys rotate: " + e.getMessage());
                return 2;
            }
            String freshId = FileKeyring.idOf(fresh);
            if (!ringKeys.currentId().equals(freshId)) {
                java.util.List<byte[]> keys = new java.util.ArrayList<>();
                keys.add(fresh);
                ringKeys.keys().stream().filter(k -> !FileKeyring.idOf(k).equals(freshId)).forEach(keys::add);
                FileKeyring.write(ring, keys);
                out.println("credledger keys rotate: " + freshId + " wraps from now on; " + ringKeys.ids()
                        + " still unwrap. Waiting " + reloadWait + " for running ledgers to reload " + ring + " ...");
                out.flush();
                java.util.concurrent.locks.LockSupport.parkNanos(reload.toNanos());
            }
            dev.credledger.events.registry.SchemaRegistryClient registry = cluster.registry(wait);
            try {
                registry.subjects();
            } catch (RuntimeException e) {
                err.println("credledger keys rotate: the schema registry at " + cluster.schemaRegistryUrl + " cannot be reached within "
                        + cluster.timeout);
                return 1;
            }
            DataKeyRotation.Outcome outcome;
            try (DataKeyRotation rotation = new DataKeyRotation(FileKeyring.load(ring), cluster.clients(),
                    new dev.credledger.processors.topology.Topics(registry), wait)) {
                outcome = rotation.run();
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                err.println("credledger keys rotate: Kafka at " + cluster.bootstrapServers + " cannot be reached within " + cluster.timeout
                        + " (" + e.getMessage() + ")");
                return 1;
            } catch (RuntimeException e) {
                err.println("credledger keys rotate: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                return 1;
            }
            java.util.Set<String> old = new java.util.TreeSet<>(outcome.kekIdsLeft());
            old.remove(freshId);
            out.println("credledger keys rotate: re-wrapped " + outcome.rewrapped() + " data keys under " + freshId
                    + (outcome.destroyedAgain() > 0 ? " (" + outcome.destroyedAgain() + " destroyed again: disabled meanwhile)" : "")
                    + (outcome.orphansDestroyed() > 0 ? "; destroyed " + outcome.orphansDestroyed() + " unused data keys" : "")
                    + "; data keys now under " + outcome.kekIdsLeft() + ". " + (old.isEmpty()
                    ? "No data key needs an older KEK: remove them from every instance's sealing key file, then destroy them."
                    : "Still under older KEKs: " + old + " (run again)."));
            return old.isEmpty() ? 0 : 1;
        }
    }
}
