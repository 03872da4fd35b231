package dev.gpubox.box;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need something outside the JVM (the team's reference folder, python3 with cfn-lint,
 * samtranslator or moto, a browser): on a developer machine without it they are skipped with a reason
 * that says what is missing; on CI ({@code CI} set) its absence fails the build, so a green CI never
 * means "skipped everything that mattered".
 */
public final class ExternalTools {
    private ExternalTools() {
    }

    /** Skips (locally) or fails (on CI) with {@code reason} unless {@code present}. */
    public static void require(boolean present, String reason) {
        if (onCi()) {
            Assertions.assertTrue(present, reason + " (CI is set, so this is a failure, not a skip)");
        }
        Assumptions.assumeTrue(present, reason);
    }

    public static boolean onCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
    }

    /** The first executable called {@code name} on PATH, if any. */
    public static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** A command on PATH, or skip/fail saying which and why it is needed. */
    public static Path requireCommand(String name, String neededFor) {
        Optional<Path> found = onPath(name);
        require(found.isPresent(), "'" + name + "' is not on PATH; it is needed for " + neededFor + ".");
        return found.orElseThrow();
    }

    /**
     * {@code python3} on PATH that can import {@code module} (e.g. {@code samtranslator}, {@code moto},
     * {@code cfnlint}), or skip/fail saying so.
     */
    public static Path requirePythonModule(String module, String neededFor) {
        Optional<Path> python = onPath("python3");
        boolean importable = python.isPresent() && imports(python.get(), module);
        require(importable, python.isEmpty()
                ? "python3 is not on PATH; it is needed (with the '" + module + "' module) for " + neededFor + "."
                : python.get() + " cannot import '" + module + "'; it is needed for " + neededFor + ".");
        return python.orElseThrow();
    }

    private static boolean imports(Path python, String module) {
        try {
            Process p = new ProcessBuilder(python.toString(), "-c", "import " + module)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
