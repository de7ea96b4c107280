package dev.credledger.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code credledger audit}: the auditor's own checks of the trail. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "The auditor's own checks of the audit trail.",
        subcommands = {AuditVerifyCommand.class})
final class AuditCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
