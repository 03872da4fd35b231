package dev.gpubox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ./gpubox's pick_jdk tells a JDK's version from its {@code release} file, without starting a JVM: every
 * laptop command runs it, and a {@code java -XshowSettings} per JDK cost 0.1-0.3 s each time
 * (docs/performance.md, "The laptop CLI"). The fake JDKs' {@code java} leaves a mark when it is started.
 */
class PickJdkTest {
    static final Path SCRIPT = Path.of("..", "gpubox").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private Path fakeJdk(String name, String javaVersion) throws IOException {
        Path home = dir.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + javaVersion + "\"\n");
        for (String tool : new String[] {"java", "javac"}) {
            Path bin = home.resolve("bin").resolve(tool);
            Files.writeString(bin, "#!/bin/sh\necho started >> '" + dir.resolve("started") + "'\nexit 1\n");
            Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return home;
    }

    private String jdk(Path javaHome) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString(), "jdk").redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", javaHome.toString());
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor();
        return out;
    }

    @Test
    void aJdkHomeIsReadFromItsReleaseFileWithoutStartingItsJvm() throws Exception {
        Path jdk21 = fakeJdk("jdk-21", "21.0.2");
        assertEquals(jdk21.toString(), jdk(jdk21));
        assertFalse(Files.exists(dir.resolve("started")), "pick_jdk started the JDK's java to ask its version");
    }

    @Test
    void aJava8StyleVersionIsEightNotOne() throws Exception {
        Path jdk8 = fakeJdk("jdk-8", "1.8.0_402");
        // JAVA_HOME is too old: another JDK >= 21 on the machine (or none, exit 2) is picked, never the 1.8.
        String picked = jdk(jdk8);
        assertFalse(picked.equals(jdk8.toString()), picked);
        assertFalse(Files.exists(dir.resolve("started")), "pick_jdk started the JDK's java to ask its version");
    }
}
