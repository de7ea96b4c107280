package dev.credledger.app;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;

/**
 * Where an option's value comes from when it is not on the command line: the environment variable
 * {@code CREDLEDGER_<OPTION>} ({@code --http-port} → {@code CREDLEDGER_HTTP_PORT}), then the properties file
 * ({@code --config}, or {@code CREDLEDGER_CONFIG}; keys are the option names: {@code http-port=8080}),
 * then the built-in default.
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {

    private final Map<String, String> environment;
    private final Properties file = new Properties();

    ConfigDefaults(Map<String, String> environment, Path configFile) {
        this.environment = environment;
        if (configFile != null) {
            try (Reader reader = Files.newBufferedReader(configFile)) {
                file.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the configuration file " + configFile, e);
            }
        }
    }

    /** The config file named by {@code --config FILE}/{@code --config=FILE} in the arguments, or by the environment. */
    static Path configFile(String[] args, Map<String, String> environment) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        String fromEnv = environment.get("CREDLEDGER_CONFIG");
        return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv);
    }

    static String environmentName(String option) {
        return "CREDLEDGER_" + option.replaceFirst("^--", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec argSpec) {
        if (!(argSpec instanceof CommandLine.Model.OptionSpec option)) {
            return null;
        }
        String name = option.longestName();
        String fromEnv = environment.get(environmentName(name));
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        String fromFile = file.getProperty(name.replaceFirst("^--", ""));
        if (fromFile != null && !fromFile.isBlank()) {
            return fromFile.strip();
        }
        // The built-in defaults are serve's: elsewhere (status, replay, …) an option not given means "find it".
        return option.command() != null && "serve".equals(option.command().name()) ? BuiltInDefaults.of(name) : null;
    }
}
