package dev.gpubox.local.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the CLI answers before it calls anything: usage mistakes and a missing login, each with exit 2. */
class CliTest {
    @TempDir
    Path home;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new Cli(Map.of("HOME", home.toString()), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutLoginEveryCommandSaysHowToLogIn() {
        assertEquals(2, run("status"));
        assertEquals("gpubox status: not logged in (no " + home.resolve(".config/gpubox/config") + ")."
                + " Run ./gpubox login first (it reads the stack's outputs), or ./gpubox login --url URL --key KEY.\n", err());
    }

    @Test
    void usageMistakesExitTwoAndSayWhatToType() {
        assertEquals(2, run("snooze"));
        assertTrue(err().contains("./gpubox snooze 23:30"), err());
        assertEquals(2, run("login", "--url", "http://127.0.0.1:1"));
        assertTrue(err().contains("give both --url and --key"), err());
        assertEquals(2, run("upp"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage:"));
        assertEquals(0, run("help"));
    }

    @Test
    void theConfigFileFollowsXdgConfigHome() {
        assertEquals(Path.of("/x/gpubox/config"), CliConfig.file(Map.of("XDG_CONFIG_HOME", "/x", "HOME", "/h")));
        assertEquals(Path.of("/h/.config/gpubox/config"), CliConfig.file(Map.of("HOME", "/h")));
    }
}
