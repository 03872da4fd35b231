package dev.gpubox.cli.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What ./gpubox deploy hands to sam and keeps for itself, with samconfig.toml read per --config-env. */
class DeployOptionsTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream said = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(said, true, StandardCharsets.UTF_8);

    private String samconfig(String... lines) throws IOException {
        return Files.writeString(dir.resolve("samconfig.toml"), String.join("\n", lines) + "\n").toString();
    }

    @Test
    void gpuboxsFlagsStayOffSamsCommandLineAndTheRestKeepsItsOrder() throws IOException {
        String config = samconfig("[default.deploy.parameters]", "profile = \"lab\"", "confirm_changeset = true");
        DeployOptions o = DeployOptions.parse(List.of("--allow-restart", "--config-file", config, "--no-build",
                "--allow-replacement", "--no-confirm-changeset"));
        assertTrue(o.allowReplacement && o.allowRestart);
        assertEquals(List.of("--template-file", "template.yaml", "--config-file", config, "--no-confirm-changeset"), o.samArgs);
        assertEquals("lab", o.profile);
        assertFalse(o.confirm(), "the command line's flag wins over samconfig's confirm_changeset");
    }

    @Test
    void theConfigEnvironmentChosenIsTheOneRead() throws IOException {
        String config = samconfig("[default.deploy.parameters]", "profile = \"lab\"", "[prod.global.parameters]",
                "profile = \"prod-admin\"", "[prod.deploy.parameters]", "disable_rollback = true",
                "template_file = \"template.yaml\"");
        DeployOptions o = DeployOptions.parse(List.of("--config-file=" + config, "--config-env", "prod"));
        assertEquals("prod-admin", o.profile);
        assertTrue(o.rollbackDisabled());
        assertEquals(List.of("--config-file=" + config, "--config-env", "prod"), o.samArgs,
                "prod's template_file names the template: none is added");
    }

    @Test
    void aZoneSavedAsAListOrGivenInTheEqualsFormIsNeverReplaced() throws IOException {
        String listed = samconfig("[default.deploy.parameters]", "parameter_overrides = [\"KeyName=k\",",
                "  \"ShutdownTimezone=Asia/Tokyo\"]");
        DeployOptions saved = DeployOptions.parse(List.of("--guided", "--config-file", listed));
        assertEquals(Optional.empty(), ZoneProposal.propose(saved, Optional.of("Europe/Berlin"), err));
        assertFalse(saved.samArgs.contains("--parameter-overrides"), saved.samArgs.toString());

        DeployOptions given = DeployOptions.parse(List.of("--guided", "--config-file", samconfig(),
                "--parameter-overrides=ShutdownTimezone=Asia/Tokyo"));
        assertEquals(Optional.empty(), ZoneProposal.propose(given, Optional.of("Europe/Berlin"), err));
        assertEquals("", said.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theGuidedProposalKeepsAListOfSavedOverridesAsArgumentsOfTheirOwn() throws IOException {
        DeployOptions o = DeployOptions.parse(List.of("--guided", "--config-file",
                samconfig("[default.deploy.parameters]", "parameter_overrides = [\"KeyName=my laptop\", \"SshCidr=203.0.113.7/32\"]")));
        assertEquals(Optional.of("Europe/Berlin"), ZoneProposal.propose(o, Optional.of("Europe/Berlin"), err));
        assertEquals(List.of("--parameter-overrides", "KeyName=my laptop", "SshCidr=203.0.113.7/32",
                "ShutdownTimezone=Europe/Berlin"), o.samArgs.subList(o.samArgs.size() - 4, o.samArgs.size()));
    }
}
