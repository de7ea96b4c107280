package dev.credledger.app;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code credledger completion bash|zsh}: a completion script for every subcommand and option, from picocli. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a shell completion script for credledger.",
                "bash: source <(./credledger completion bash)",
                "zsh:  source <(./credledger completion zsh)"})
final class CompletionCommand implements Callable<Integer> {

    enum Shell { bash, zsh }

    @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
    Shell shell;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        String script = AutoComplete.bash("credledger", spec.parent().commandLine());
        if (shell == Shell.zsh) {
            // zsh runs bash completion scripts through its bashcompinit layer.
            script = "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n" + script;
        }
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
