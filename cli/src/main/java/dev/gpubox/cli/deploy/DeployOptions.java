package dev.gpubox.cli.deploy;

import dev.gpubox.cli.init.SamConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./gpubox deploy}'s command line: gpubox's own flags taken out, everything else kept for
 * {@code sam deploy} in the order given, and the sam options gpubox must honour itself (it executes the
 * change set, so confirm_changeset and disable_rollback are its job) read from the command line, else
 * from samconfig.toml's environment, as sam would.
 */
final class DeployOptions {
    boolean allowReplacement;
    boolean allowRestart;
    boolean guided;
    /** Whether the command line has its own --parameter-overrides (which replaces samconfig's whole list). */
    boolean cliOverrides;
    /** Everything for {@code sam deploy} after {@code --no-execute-changeset}. */
    final List<String> samArgs = new ArrayList<>();
    String profile;
    Boolean confirmChangeset;
    Boolean disableRollback;
    String configFile = "samconfig.toml";
    String configEnv = SamConfig.DEFAULT_ENV;
    /** The samconfig.toml environment sam reads for this deploy. */
    SamConfig samconfig;
    private boolean templateGiven;

    /** Parses {@code args} and fills in what the command line leaves to {@code samconfig.toml}. */
    static DeployOptions parse(List<String> args) throws IOException {
        DeployOptions o = new DeployOptions();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String next = i + 1 < args.size() ? args.get(i + 1) : null;
            switch (arg) {
                case ReplacementGuard.ALLOW -> o.allowReplacement = true;
                case ReplacementGuard.ALLOW_RESTART -> o.allowRestart = true;
                case "--no-build" -> { } // the script's: it built the jars before starting this JVM
                default -> {
                    o.samArgs.add(arg); // a value flag's value follows as an argument of its own
                    o.read(arg, next);
                }
            }
        }
        SamConfig config = SamConfig.load(Path.of(o.configFile), o.configEnv);
        if (o.profile == null) {
            o.profile = config.text("profile");
        }
        if (o.confirmChangeset == null) {
            o.confirmChangeset = config.flag("confirm_changeset");
        }
        if (o.disableRollback == null) {
            o.disableRollback = config.flag("disable_rollback");
        }
        // SAM CLI would otherwise deploy a stale .aws-sam/build/template.yaml left by an earlier `sam build`.
        if (!o.templateGiven && config.text("template_file") == null) {
            o.samArgs.addAll(0, List.of("--template-file", "template.yaml"));
        }
        o.samconfig = config;
        return o;
    }

    private void read(String arg, String next) {
        String flag = arg.contains("=") && arg.startsWith("--") ? arg.substring(0, arg.indexOf('=')) : arg;
        String value = flag.equals(arg) ? next : arg.substring(arg.indexOf('=') + 1);
        switch (flag) {
            case "--guided", "-g" -> guided = true;
            case "--parameter-overrides" -> cliOverrides = true;
            case "--template-file", "--template", "-t" -> templateGiven = true;
            case "--profile" -> profile = value;
            case "--config-file" -> configFile = value != null ? value : configFile;
            case "--config-env" -> configEnv = value != null ? value : configEnv;
            case "--confirm-changeset" -> confirmChangeset = true;
            case "--no-confirm-changeset" -> confirmChangeset = false;
            case "--disable-rollback" -> disableRollback = true;
            case "--no-disable-rollback" -> disableRollback = false;
            default -> { }
        }
    }

    boolean confirm() {
        return Boolean.TRUE.equals(confirmChangeset);
    }

    boolean rollbackDisabled() {
        return Boolean.TRUE.equals(disableRollback);
    }
}
