package dev.gpubox.cli.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * samconfig.toml as sam reads it, in the forms a hand-edited file takes. Each case here is one that the awk
 * reader in the old bash {@code ./gpubox deploy} got wrong (said per test), which made it send the wrong
 * profile or propose a laptop zone over the one the user saved.
 */
class SamConfigTest {
    @TempDir
    Path dir;

    private SamConfig load(String env, String... lines) throws IOException {
        Path file = Files.writeString(dir.resolve("samconfig.toml"), String.join("\n", lines) + "\n");
        return SamConfig.load(file, env);
    }

    @Test
    void aCommentAfterASectionHeaderStillOpensThatSection() throws IOException {
        // awk stripped only brackets, blanks and quotes from the header: "default.deploy.parameters#byhand".
        SamConfig config = load("default", "version = 0.1", "[default.deploy.parameters] # by hand", "profile = \"lab\"");
        assertEquals("lab", config.text("profile"));
    }

    @Test
    void literalStringsAndQuotedKeysAreTomlToo() throws IOException {
        // awk left the single quotes on ('lab') and never matched a quoted key.
        SamConfig config = load("default", "[default.deploy.parameters]", "profile = 'lab'", "\"stack_name\" = \"gpubox\"");
        assertEquals("lab", config.text("profile"));
        assertEquals("gpubox", config.text("stack_name"));
    }

    @Test
    void aHashInsideAQuotedOverrideIsNotAComment() throws IOException {
        // awk cut the line at the first '#', so ShutdownTimezone after it was never seen.
        SamConfig config = load("default", "[default.deploy.parameters]",
                "parameter_overrides = \"Label=\\\"gpu #1\\\" ShutdownTimezone=\\\"Asia/Tokyo\\\"\"");
        assertEquals(Map.of("Label", "gpu #1", "ShutdownTimezone", "Asia/Tokyo"), config.overrides());
        assertEquals(List.of("Label=\"gpu #1\" ShutdownTimezone=\"Asia/Tokyo\""), config.overridesAsArguments(),
                "as sam takes it on the command line: TOML's escapes undone, one argument");
    }

    @Test
    void overridesWrittenAsAListOverSeveralLinesAreRead() throws IOException {
        // awk read the first line only: the value "[".
        SamConfig config = load("default", "[default.deploy.parameters]", "parameter_overrides = [",
                "  \"KeyName=my-laptop\",", "  \"ShutdownTimezone=Asia/Tokyo\",", "]");
        assertEquals(List.of("KeyName=my-laptop", "ShutdownTimezone=Asia/Tokyo"), config.overridesAsArguments());
        assertEquals("Asia/Tokyo", config.overrides().get("ShutdownTimezone"));
    }

    @Test
    void eachEnvironmentReadsItsOwnDeploySectionThenItsGlobalOne() throws IOException {
        String[] file = {"version = 0.1", "[default.global.parameters]", "profile = \"default-global\"",
                "[default.deploy.parameters]", "profile = \"lab\"", "confirm_changeset = true",
                "[prod.global.parameters]", "profile = \"prod-admin\"", "[prod.deploy.parameters]",
                "disable_rollback = true", "parameter_overrides = \"ShutdownTimezone=\\\"UTC\\\"\""};
        SamConfig prod = load("prod", file);
        assertEquals("prod-admin", prod.text("profile"), "prod's global section, never default's");
        assertTrue(prod.flag("disable_rollback"));
        assertNull(prod.flag("confirm_changeset"), "default's deploy section is not prod's");
        assertEquals(Map.of("ShutdownTimezone", "UTC"), prod.overrides());
        SamConfig dflt = load("default", file);
        assertEquals("lab", dflt.text("profile"));
        assertTrue(dflt.flag("confirm_changeset"));
        assertEquals(Map.of(), dflt.overrides());
    }

    @Test
    void aFileThatIsNotTomlIsAnErrorNotSilence() throws IOException {
        // awk read nothing from it and the deploy went on with no profile.
        assertThrows(IOException.class, () -> load("default", "[default.deploy.parameters", "profile = \"lab\""));
    }

    @Test
    void overridesAreReadInBothOfSamsForms() {
        assertEquals(Map.of("KeyName", "a b", "SshCidr", "203.0.113.7/32", "ShutdownTimezone", "Asia/Tokyo"),
                SamConfig.parseOverrides("KeyName=\"a b\" SshCidr=203.0.113.7/32"
                        + " ParameterKey=ShutdownTimezone,ParameterValue=Asia/Tokyo"));
    }

    @Test
    void readingWritesNothingBack() throws IOException {
        SamConfig config = load("prod", "version = 0.1", "[default.deploy.parameters]", "profile = \"lab\"");
        assertNull(config.text("profile"));
        assertEquals(List.of(), config.overridesAsArguments());
        assertEquals(false, config.save(), "a read made no prod section to write");
    }
}
