package dev.credledger.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code credledger}: the command line of the ledger. */
@Command(name = "credledger", mixinStandardHelpOptions = true, version = "credledger " + Main.VERSION,
        description = "An event-sourced API-credential ledger on Apache Kafka.",
        subcommands = {ServeCommand.class, ReplayCommand.class, KeysCommand.class, AuditCommand.class, ScanCommand.class,
                RegistryCommand.class, StatusCommand.class, StopCommand.class, CompletionCommand.class})
public final class Main implements Runnable {

    /** The ledger's version, as {@code --version} and {@code credledger.json} say it. */
    public static final String VERSION = "0.1.0";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (args.length > 0 && !args[0].equals("serve") && !args[0].equals("registry")) {
            // A command-line tool says what went wrong in one line of its own; the Kafka clients' retries and
            // reconnections (a WARN every 100 ms while a broker is away) are not for its user.
            org.slf4j.Logger kafka = org.slf4j.LoggerFactory.getLogger("org.apache.kafka");
            if (kafka instanceof ch.qos.logback.classic.Logger logback) {
                logback.setLevel(ch.qos.logback.classic.Level.ERROR);
            }
        }
        System.exit(commandLine(args).execute(args));
    }

    static CommandLine commandLine(String[] args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setDefaultValueProvider(new ConfigDefaults(System.getenv(), ConfigDefaults.configFile(args, System.getenv())));
        // A failure a user can fix (a bad value, a file that cannot be read) is one line; anything else keeps its trace.
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof IllegalArgumentException || e instanceof java.io.UncheckedIOException
                    || e instanceof java.io.IOException || e instanceof java.net.UnknownHostException) {
                commandLine.getErr().println("credledger " + commandLine.getCommandName() + ": " + e.getMessage());
                return 2;
            }
            throw e;
        });
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
