package dev.gpubox.local.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `./gpubox deploy` as a user runs it, with stand-ins for the sam and aws CLIs on PATH that record every
 * call and answer with a change set in CloudFormation's shape: a replacing change set is deleted, never
 * executed; a safe one is executed and waited for; --allow-replacement executes a replacing one.
 */
class GpuboxDeployIT {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final String ARN = "arn:aws:cloudformation:us-west-2:123456789012:changeSet/samcli-deploy1764417600/0f1e2d3c";

    @TempDir
    Path bin;

    record Result(int exit, String output, List<String> calls) {
    }

    Result deploy(String changeSet, String... args) throws IOException, InterruptedException {
        Path fixture = Path.of("src", "test", "resources", "change-sets", changeSet).toAbsolutePath();
        Path calls = bin.resolve("calls.log");
        fake("sam", "echo \"sam $*\" >> " + calls + "\n"
                + "echo 'Deploying with following values'\necho\necho 'Changeset created successfully. " + ARN + "'\n");
        fake("aws", "echo \"aws $*\" >> " + calls + "\n"
                + "case \"$*\" in\n"
                + "  *describe-change-set*--query*) echo gpubox ;;\n"
                + "  *describe-change-set*) cat " + fixture + " ;;\n"
                + "  *describe-stacks*) echo UPDATE_COMPLETE ;;\n"
                + "esac\n");
        List<String> command = new java.util.ArrayList<>(List.of(REPO.resolve("gpubox").toString(), "deploy", "--no-build"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        List<String> logged = Files.exists(calls) ? Files.readAllLines(calls) : List.of();
        return new Result(p.exitValue(), output, logged);
    }

    private void fake(String name, String body) throws IOException {
        Path script = bin.resolve(name);
        Files.writeString(script, "#!/usr/bin/env bash\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void aChangeSetThatReplacesTheBoxIsDeletedNotExecuted() throws Exception {
        Result r = deploy("new-key-pair.json", "--parameter-overrides", "KeyName=new-laptop");
        assertEquals(ReplacementGuard.REFUSED, r.exit(), r.output());
        assertTrue(r.output().contains("REFUSED") && r.output().contains("parameter KeyName"), r.output());
        assertTrue(r.calls().contains("sam deploy --no-execute-changeset --parameter-overrides KeyName=new-laptop"),
                r.calls().toString());
        assertTrue(r.calls().contains("aws cloudformation delete-change-set --change-set-name " + ARN), r.calls().toString());
        assertFalse(r.calls().stream().anyMatch(c -> c.contains("execute-change-set")), r.calls().toString());
    }

    @Test
    void aChangeSetThatKeepsTheBoxIsExecutedAndWaitedFor() throws Exception {
        Result r = deploy("code-and-instance-type.json");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.calls().contains("aws cloudformation execute-change-set --change-set-name " + ARN), r.calls().toString());
        assertTrue(r.calls().contains("aws cloudformation wait stack-update-complete --stack-name gpubox"), r.calls().toString());
        assertFalse(r.calls().stream().anyMatch(c -> c.contains("delete-change-set")));
    }

    @Test
    void theOverrideExecutesAReplacingChangeSet() throws Exception {
        Result r = deploy("new-key-pair.json", "--allow-replacement");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("--allow-replacement given"), r.output());
        assertTrue(r.calls().contains("sam deploy --no-execute-changeset"), "the override is not passed to sam: " + r.calls());
        assertTrue(r.calls().contains("aws cloudformation execute-change-set --change-set-name " + ARN), r.calls().toString());
    }
}
