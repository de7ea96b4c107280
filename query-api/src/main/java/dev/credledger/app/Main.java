package dev.credledger.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code credledger}: the command line of the ledger. */
@Command(name = "credledger", mixinStandardHelpOptions = true, version = "credledger 0.1.0",
        description = "An event-sourced API-credential ledger on Apache Kafka.",
        subcommands = {ServeCommand.class, ReplayCommand.class, KeysCommand.class, AuditCommand.class, ScanCommand.class,
                RegistryCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine(args).execute(args));
    }

    static CommandLine commandLine(String[] args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setDefaultValueProvider(new ConfigDefaults(System.getenv(), ConfigDefaults.configFile(args, System.getenv())));
        // Bad options: one clear line and exit 2, not a page of usage (--help shows that).
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("credledger " + e.getCommandLine().getCommandName() + ": " + e.getMessage()
                    + " (see --help)");
            return 2;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
