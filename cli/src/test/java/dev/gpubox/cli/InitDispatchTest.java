package dev.gpubox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ./gpubox init} reaches the init command (its steps: InitAgainstMotoTest), and help names it. */
class InitDispatchTest {
    @Test
    void initIsACommandAndABadArgumentIsAUsageError() {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int exit = new Cli(Map.of("HOME", "/nonexistent"), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(new String[] {"init", "--ssh-cidr", "10.0.0.1"});
        assertEquals(2, exit);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("gpubox init: --ssh-cidr 10.0.0.1 is not an IPv4 CIDR"),
                err.toString(StandardCharsets.UTF_8));
        assertTrue(Cli.USAGE.contains("./gpubox init"));
    }
}
