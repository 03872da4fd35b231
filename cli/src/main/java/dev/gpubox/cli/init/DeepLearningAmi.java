package dev.gpubox.cli.init;

import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Parameter;

/**
 * Step 3: the current Deep Learning AMI from AWS's public SSM parameters. Their names change between
 * releases (a new PyTorch, a new Ubuntu), so they are listed under {@link #ROOT}, not named here. The id is
 * pinned into samconfig.toml as a plain id: re-resolving on each deploy would replace the box.
 */
final class DeepLearningAmi {
    static final String ROOT = "/aws/service/deeplearning/ami/x86_64";
    /** {@code …/<name>/latest/ami-id}: one parameter per AMI line, the newest release of it. */
    private static final Pattern LATEST = Pattern.compile(Pattern.quote(ROOT) + "/([^/]+)/latest/ami-id");
    private static final Pattern NUMBER = Pattern.compile("\\d+");

    private final SsmClient ssm;

    DeepLearningAmi(SsmClient ssm) {
        this.ssm = ssm;
    }

    record Found(String name, String imageId) {}

    /**
     * The newest NVIDIA GPU line on Ubuntu (the template's defaults: user ubuntu, /dev/sda1): PyTorch ones
     * first, then the base one; within each, the highest versions in the name (PyTorch, then Ubuntu).
     */
    Optional<Found> newest() {
        return ssm.getParametersByPathPaginator(r -> r.path(ROOT).recursive(true)).stream()
                .flatMap(page -> page.parameters().stream())
                .map(DeepLearningAmi::latest).flatMap(Optional::stream)
                .filter(f -> isUbuntuGpu(f.name()))
                .max(Comparator.comparing((Found f) -> f.name().contains("pytorch"))
                        .thenComparing(f -> versions(f.name()), DeepLearningAmi::compareVersions));
    }

    String resolve(String current, boolean update, PrintStream out) throws InitFailure {
        Optional<Found> newest = newest();
        if (current != null && !update) {
            out.println("AMI: keeping the pinned " + current + " (samconfig.toml)"
                    + newest.filter(f -> !f.imageId().equals(current))
                            .map(f -> "; the newest is " + f.imageId() + " (" + f.name() + "): --update-ami pins it,"
                                    + " and the next deploy then REPLACES the box and its disk").orElse(""));
            return current;
        }
        Found found = newest.orElseThrow(() -> new InitFailure(1, "no Ubuntu GPU Deep Learning AMI found under "
                + ROOT + " in this region: give one with --image-id ami-…"));
        out.println("AMI: " + found.imageId() + " (" + found.name() + "), pinned as a plain id so an update never"
                + " replaces the box");
        return found.imageId();
    }

    private static Optional<Found> latest(Parameter p) {
        Matcher m = LATEST.matcher(p.name());
        return m.matches() ? Optional.of(new Found(m.group(1), p.value())) : Optional.empty();
    }

    private static boolean isUbuntuGpu(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("nvidia") && n.contains("gpu") && n.contains("ubuntu")
                && (n.startsWith("base-") || n.contains("pytorch"));
    }

    private static List<Integer> versions(String name) {
        return NUMBER.matcher(name).results().map(r -> Integer.parseInt(r.group())).toList();
    }

    private static int compareVersions(List<Integer> a, List<Integer> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = Integer.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }
}
