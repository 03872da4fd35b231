package dev.gpubox.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 point 3: what changes on the box between releases reaches a running box without a stop. UserData
 * is a fixed bootstrap; the idle watchdog comes through an SSM association (AWS-RunShellScript) that needs
 * the box's instance profile. The association's commands are run here as the SSM agent runs them (sh, as
 * root: here with a fake root directory and a fake systemctl).
 */
class OnBoxDeliveryIT {
    static final Path BOOTSTRAP = Template.REPO.resolve("box/gpubox-bootstrap.sh");
    static final Path WATCHDOG = Template.REPO.resolve("box/gpubox-idle-watchdog.sh");

    @TempDir
    Path dir;

    static String commands() {
        JsonNode commands = Template.resource("GpuboxOnBox").path("Properties").path("Parameters").path("commands");
        assertEquals(1, commands.size(), "one script");
        return commands.get(0).asText();
    }

    @Test
    void userDataIsTheFixedBootstrapAndInstallsNothingThatChanges() throws IOException {
        JsonNode box = Template.resource("GpuInstance").path("Properties");
        String userData = box.path("UserData").path("Fn::Base64").asText();
        assertEquals(Files.readString(BOOTSTRAP), userData, "UserData is box/gpubox-bootstrap.sh, verbatim");
        assertFalse(userData.contains("GPUBOX_WATCHDOG") || userData.contains("/usr/local/bin/gpubox-idle-watchdog"),
                "the watchdog is not in UserData: its next edit would stop and start the box");
        // No parameter or resource in it: any stack change would otherwise change UserData.
        assertTrue(box.path("UserData").path("Fn::Base64").isTextual(), "a literal, no !Sub: " + box.path("UserData"));
    }

    @Test
    void theBoxHasAnInstanceProfileForTheSsmAgentOnly() {
        JsonNode box = Template.resource("GpuInstance").path("Properties");
        assertEquals("GpuInstanceProfile", box.path("IamInstanceProfile").path("Ref").asText());
        JsonNode profile = Template.resource("GpuInstanceProfile");
        assertEquals("AWS::IAM::InstanceProfile", profile.path("Type").asText());
        assertEquals("[{\"Ref\":\"GpuInstanceRole\"}]", profile.path("Properties").path("Roles").toString());
        JsonNode role = Template.resource("GpuInstanceRole").path("Properties");
        assertEquals("[{\"Fn::Sub\":\"arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore\"}]",
                role.path("ManagedPolicyArns").toString());
        assertFalse(role.has("Policies"), "no inline policy: gpubox calls no AWS API from the box");
        JsonNode trust = role.path("AssumeRolePolicyDocument").path("Statement");
        assertEquals(1, trust.size());
        assertEquals("ec2.amazonaws.com", trust.get(0).path("Principal").path("Service").asText());
        assertFalse(role.has("RoleName"), "a named role would need CAPABILITY_NAMED_IAM");
    }

    @Test
    void theAssociationTargetsTheBoxAndRepeatsSoAStoppedBoxCatchesUp() {
        JsonNode onBox = Template.resource("GpuboxOnBox").path("Properties");
        assertEquals("AWS-RunShellScript", onBox.path("Name").asText());
        assertEquals("[{\"Key\":\"InstanceIds\",\"Values\":[{\"Ref\":\"GpuInstance\"}]}]", onBox.path("Targets").toString());
        assertEquals("rate(30 minutes)", onBox.path("ScheduleExpression").asText());
        assertFalse(onBox.has("WaitForSuccessTimeoutSeconds"), "a stopped box must not fail the stack update");
        assertFalse(onBox.path("ApplyOnlyAtCronInterval").asBoolean(false), "an update runs at once");
    }

    @Test
    void theCommandsInstallTheWatchdogVerbatimAndEnableItsTimer() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Run first = runCommands(root);
        assertEquals(0, first.exit(), first.output());
        Path installed = root.resolve("usr/local/bin/gpubox-idle-watchdog");
        assertEquals(Files.readString(WATCHDOG), Files.readString(installed));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(installed)));
        String timer = Files.readString(root.resolve("etc/systemd/system/gpubox-idle-watchdog.timer"));
        assertTrue(timer.contains("OnUnitActiveSec=1min") && timer.contains("WantedBy=timers.target"), timer);
        assertTrue(Files.readString(root.resolve("etc/systemd/system/gpubox-idle-watchdog.service"))
                .contains("ExecStart=/usr/local/bin/gpubox-idle-watchdog"));
        assertEquals(List.of("daemon-reload", "enable --now gpubox-idle-watchdog.timer"), first.systemctl());
        try (var files = Files.list(root.resolve("usr/local/bin"))) {
            assertEquals(List.of("gpubox-idle-watchdog"), files.map(f -> f.getFileName().toString()).toList(), "no temporary left");
        }
    }

    /** Every 30 minutes and after every update: a run with nothing new rewrites nothing and reloads nothing. */
    @Test
    void aRepeatedRunWithNothingNewChangesNothing() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        assertEquals(0, runCommands(root).exit());
        Path installed = root.resolve("usr/local/bin/gpubox-idle-watchdog");
        FileTime before = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(installed, before);
        Run again = runCommands(root);
        assertEquals(0, again.exit(), again.output());
        assertEquals(before, Files.getLastModifiedTime(installed), "an unchanged watchdog is not rewritten");
        assertEquals(List.of("enable --now gpubox-idle-watchdog.timer"), again.systemctl(), "no daemon-reload");
    }

    /** A box still carrying an older watchdog (from an older release's UserData) gets today's, in place. */
    @Test
    void anOlderWatchdogOnARunningBoxIsReplacedInPlace() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path bin = Files.createDirectories(root.resolve("usr/local/bin"));
        Files.writeString(bin.resolve("gpubox-idle-watchdog"), "#!/usr/bin/env bash\necho an older watchdog\n");
        Run run = runCommands(root);
        assertEquals(0, run.exit(), run.output());
        assertEquals(Files.readString(WATCHDOG), Files.readString(bin.resolve("gpubox-idle-watchdog")));
        assertTrue(run.output().contains("gpubox: installed /usr/local/bin/gpubox-idle-watchdog"), run.output());
    }

    record Run(int exit, String output, List<String> systemctl) {
    }

    /** The association's commands, as the SSM agent's runShellScript plugin runs them: one file, run by sh. */
    private Run runCommands(Path root) throws IOException, InterruptedException {
        Path fakes = Files.createDirectories(dir.resolve("fakes"));
        Path log = dir.resolve("systemctl.log");
        Files.deleteIfExists(log);
        Path systemctl = fakes.resolve("systemctl");
        Files.writeString(systemctl, "#!/bin/sh\necho \"$*\" >> '" + log + "'\n");
        Files.setPosixFilePermissions(systemctl, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path script = dir.resolve("_script.sh");
        Files.writeString(script, commands());
        ProcessBuilder pb = new ProcessBuilder("sh", script.toString()).redirectErrorStream(true);
        pb.environment().put("GPUBOX_ROOT", root.toString());
        pb.environment().put("PATH", fakes + ":" + System.getenv("PATH"));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Run(p.exitValue(), output, Files.exists(log) ? Files.readAllLines(log) : List.of());
    }
}
