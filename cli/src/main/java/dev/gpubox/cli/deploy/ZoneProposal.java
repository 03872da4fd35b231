package dev.gpubox.cli.deploy;

import dev.gpubox.cli.init.SamConfig;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/**
 * ShutdownTimezone has no default (issue 15). When neither the command line's --parameter-overrides nor
 * samconfig's parameter_overrides names it, {@code ./gpubox deploy} proposes this laptop's zone. With
 * {@code --guided} it becomes the prompt's default (samconfig's other overrides kept as theirs). Otherwise it
 * is only said: a deployed stack keeps the zone it has (sam sends UsePreviousValue for a parameter it is not
 * given), and sending the laptop's would silently move the nightly stop of someone deploying from a trip.
 */
final class ZoneProposal {
    static final String PARAMETER = "ShutdownTimezone";
    private static final String OVERRIDES_FLAG = "--parameter-overrides";

    private ZoneProposal() {
    }

    /**
     * Says what it proposes on {@code err} and, with --guided, adds it to {@code options}' sam arguments.
     *
     * @return the laptop's zone when it was proposed, else empty (the deploy names its own, or none is known)
     */
    static Optional<String> propose(DeployOptions options, Optional<String> laptopZone, PrintStream err) {
        List<String> saved = options.samconfig.overridesAsArguments();
        List<String> named = !options.cliOverrides ? saved : options.samArgs.stream()
                .map(a -> a.startsWith(OVERRIDES_FLAG + "=") ? a.substring(OVERRIDES_FLAG.length() + 1) : a).toList();
        String given = String.join(" ", named);
        if (SamConfig.parseOverrides(given).containsKey(PARAMETER)) {
            return Optional.empty();
        }
        if (laptopZone.isEmpty()) {
            err.println("gpubox deploy: ShutdownTimezone is not set and this laptop's time zone could not be told; give it,"
                    + " e.g. --parameter-overrides ShutdownTimezone=America/New_York.");
            return laptopZone;
        }
        String zone = laptopZone.get();
        if (!options.guided) {
            err.println("gpubox deploy: ShutdownTimezone is in neither " + options.configFile + " nor --parameter-overrides;"
                    + " a deployed stack keeps the zone it has. This laptop's is " + zone + ": save ShutdownTimezone=\\\""
                    + zone + "\\\" in parameter_overrides to use it (./gpubox deploy --guided asks).");
            return laptopZone;
        }
        err.println("gpubox deploy: proposing this laptop's time zone, " + zone + ", for ShutdownTimezone (the nightly"
                + " stop's zone): Enter takes it, or type another IANA name.");
        String proposal = PARAMETER + "=" + zone;
        List<String> args = options.samArgs;
        if (options.cliOverrides) { // right after the flag, so that the command line's own value would still win
            int flag = args.indexOf(OVERRIDES_FLAG);
            if (flag >= 0) {
                args.add(flag + 1, proposal);
            }
        } else { // samconfig's saved overrides stay the prompts' defaults
            args.add(OVERRIDES_FLAG);
            args.addAll(saved);
            args.add(proposal);
        }
        return laptopZone;
    }
}
