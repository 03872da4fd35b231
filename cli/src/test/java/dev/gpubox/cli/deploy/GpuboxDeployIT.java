package dev.gpubox.cli.deploy;

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

    /** What the fake sam prints after its arguments check out: a created change set, or SAM's "no changes" error. */
    String samReply = "echo 'Deploying with following values'\necho\necho 'Changeset created successfully. " + ARN + "'\n";
    /** The --profile every aws call must carry (none when null). */
    String expectedProfile;
    /** What the user types at the confirmation prompt. */
    String stdin = "";
    /** The laptop's time zone, as $TZ says it. */
    String laptopZone = "Europe/Berlin";
    /** The box's state as aws ec2 describe-instances reports it; null makes that call fail. */
    String boxState = "stopped";

    record Result(int exit, String output, List<String> calls) {
    }

    Result deploy(String changeSet, String... args) throws IOException, InterruptedException {
        Path fixture = Path.of("src", "test", "resources", "change-sets", changeSet).toAbsolutePath();
        Path calls = bin.resolve("calls.log");
        // Like SAM CLI, the fake deploys .aws-sam/build/template.yaml (possibly stale) unless told a template.
        fake("sam", "echo \"sam $*\" >> " + calls + "\n"
                + "case \" $* \" in\n"
                + "  *' --template-file '*|*' --template-file='*|*' -t '*|*' --template '*) ;;\n"
                + "  *) echo 'fake sam: no template named, so SAM CLI would deploy .aws-sam/build/template.yaml' >&2; exit 97 ;;\n"
                + "esac\n" + samReply);
        fake("aws", "echo \"aws $*\" >> " + calls + "\n"
                + "case \" $* \" in *' --region us-west-2 '*) ;; *) echo 'fake aws: not the change set region' >&2; exit 98 ;; esac\n"
                + (expectedProfile == null
                        ? "case \" $* \" in *' --profile '*) echo 'fake aws: unexpected --profile' >&2; exit 98 ;; esac\n"
                        : "case \" $* \" in *' --profile " + expectedProfile + " '*) ;; *) echo 'fake aws: no --profile "
                                + expectedProfile + "' >&2; exit 98 ;; esac\n")
                + "case \"$*\" in\n"
                + "  *'ec2 '*describe-instances*--instance-ids\\ i-0123456789abcdef0\\ *) "
                + (boxState == null ? "echo 'An error occurred (UnauthorizedOperation)' >&2; exit 254 ;;\n"
                        : "printf 'i-0123456789abcdef0\\t%s\\n' " + boxState + " ;;\n")
                + "  *describe-instances*) echo 'fake aws: describe-instances without the box id' >&2; exit 98 ;;\n"
                + "  *describe-change-set*--query*) echo gpubox ;;\n"
                + "  *describe-change-set*) cat " + fixture + " ;;\n"
                + "  *describe-stacks*) echo UPDATE_COMPLETE ;;\n"
                + "esac\n");
        List<String> command = new java.util.ArrayList<>(List.of(REPO.resolve("gpubox").toString(), "deploy", "--no-build"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("TZ", laptopZone);
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
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

    /** A samconfig.toml in SAM's own layout, passed with --config-file. */
    private String samconfig(String... deployParameters) throws IOException {
        Path file = bin.resolve("samconfig.toml");
        Files.writeString(file, "version = 0.1\n[default.global.parameters]\nstack_name = \"gpubox\"\n\n"
                + "[default.deploy.parameters]\nresolve_s3 = true\ncapabilities = \"CAPABILITY_IAM\"\n"
                + String.join("\n", deployParameters) + "\n");
        return file.toString();
    }

    private static long count(List<String> calls, String part) {
        return calls.stream().filter(c -> c.contains(part)).count();
    }

    @Test
    void aChangeSetThatReplacesTheBoxIsDeletedNotExecuted() throws Exception {
        Result r = deploy("new-key-pair.json", "--parameter-overrides", "KeyName=new-laptop");
        assertEquals(ReplacementGuard.REFUSED, r.exit(), r.output());
        assertTrue(r.output().contains("REFUSED") && r.output().contains("parameter KeyName"), r.output());
        assertTrue(r.calls().contains("sam deploy --no-execute-changeset --template-file template.yaml --parameter-overrides KeyName=new-laptop"),
                r.calls().toString());
        assertTrue(r.calls().contains("aws cloudformation --region us-west-2 delete-change-set --change-set-name " + ARN), r.calls().toString());
        assertFalse(r.calls().stream().anyMatch(c -> c.contains("execute-change-set")), r.calls().toString());
    }

    @Test
    void aChangeSetThatKeepsTheBoxIsExecutedAndWaitedFor() throws Exception {
        Result r = deploy("code-and-instance-type.json");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.calls().contains("aws cloudformation --region us-west-2 execute-change-set --change-set-name " + ARN), r.calls().toString());
        assertTrue(r.calls().contains("aws cloudformation --region us-west-2 wait stack-update-complete --stack-name gpubox"), r.calls().toString());
        assertFalse(r.calls().stream().anyMatch(c -> c.contains("delete-change-set")));
    }

    @Test
    void theOverrideExecutesAReplacingChangeSet() throws Exception {
        Result r = deploy("new-key-pair.json", "--allow-replacement");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("--allow-replacement given"), r.output());
        assertTrue(r.calls().contains("sam deploy --no-execute-changeset --template-file template.yaml"), "the override is not passed to sam: " + r.calls());
        assertTrue(r.calls().contains("aws cloudformation --region us-west-2 execute-change-set --change-set-name " + ARN), r.calls().toString());
    }

    /** Issue 18 point 1: UseSpot switched on an existing stack replaces the box; even the override does not execute it. */
    @Test
    void aUseSpotSwitchIsDeletedNotExecutedEvenWithTheOverride() throws Exception {
        Result r = deploy("use-spot-switched-on.json", "--allow-replacement");
        assertEquals(ReplacementGuard.REFUSED, r.exit(), r.output());
        assertTrue(r.output().contains("UseSpot changed") && r.output().contains("Moving to or from Spot"), r.output());
        assertTrue(r.calls().contains("aws cloudformation --region us-west-2 delete-change-set --change-set-name " + ARN), r.calls().toString());
        assertFalse(r.calls().stream().anyMatch(c -> c.contains("execute-change-set")), r.calls().toString());
    }

    @Test
    void templateYamlIsDeployedNotAStaleSamBuildCopyUnlessTheUserNamesATemplate() throws Exception {
        Result plain = deploy("code-and-instance-type.json");
        assertEquals(0, plain.exit(), plain.output());
        assertEquals(1, count(plain.calls(), "sam deploy --no-execute-changeset --template-file template.yaml"), plain.calls().toString());

        Result named = deploy("code-and-instance-type.json", "-t", ".aws-sam/build/template.yaml");
        assertEquals(0, named.exit(), named.output());
        assertTrue(named.calls().contains("sam deploy --no-execute-changeset -t .aws-sam/build/template.yaml"), named.calls().toString());
    }

    @Test
    void everyAwsCallGoesToTheChangeSetsRegionWithTheGivenProfile() throws Exception {
        expectedProfile = "work";
        Result r = deploy("code-and-instance-type.json", "--profile", "work");
        assertEquals(0, r.exit(), r.output());
        long aws = count(r.calls(), "aws ");
        // describe-change-set, describe-instances, describe-stacks, execute-change-set, wait (the stack's name is
        // the change set's own StackName, not one more describe-change-set call).
        assertTrue(aws >= 5, r.calls().toString());
        assertEquals(aws, count(r.calls(), "aws cloudformation --region us-west-2 --profile work ")
                + count(r.calls(), "aws ec2 --region us-west-2 --profile work describe-instances"), r.calls().toString());
        assertEquals(1, count(r.calls(), "aws ec2 --region us-west-2 --profile work describe-instances"), r.calls().toString());
        assertTrue(r.calls().contains("sam deploy --no-execute-changeset --template-file template.yaml --profile work"), r.calls().toString());
    }

    @Test
    void theProfileSavedInSamconfigIsUsedForTheAwsCallsToo() throws Exception {
        expectedProfile = "lab";
        Result r = deploy("code-and-instance-type.json", "--config-file", samconfig("profile = \"lab\""));
        assertEquals(0, r.exit(), r.output());
        assertEquals(count(r.calls(), "aws "), count(r.calls(), " --region us-west-2 --profile lab "), r.calls().toString());
    }

    /** A hand-edited samconfig.toml, read as TOML (the old bash read it with awk and missed all three). */
    @Test
    void aHandEditedSamconfigIsReadAsSamReadsIt() throws Exception {
        expectedProfile = "lab";
        Path file = Files.writeString(bin.resolve("samconfig.toml"), "version = 0.1\n"
                + "[default.deploy.parameters] # mine, edited by hand\n"
                + "profile = 'lab'\n"
                + "parameter_overrides = \"Label=\\\"gpu #1\\\" ShutdownTimezone=\\\"Asia/Tokyo\\\"\"\n");
        Result r = deploy("code-and-instance-type.json", "--guided", "--config-file", file.toString());
        assertEquals(0, r.exit(), r.output());
        assertEquals(count(r.calls(), "aws "), count(r.calls(), " --region us-west-2 --profile lab "), r.calls().toString());
        assertEquals(0, count(r.calls(), "Europe/Berlin"), "the saved zone, after a '#' inside quotes, is the user's: " + r.calls());
        assertFalse(r.output().contains("laptop"), r.output());
    }

    @Test
    void confirmChangesetAsksBeforeExecutingAndANoDeletesTheChangeSet() throws Exception {
        String config = samconfig("confirm_changeset = true");
        stdin = "n\n";
        Result no = deploy("code-and-instance-type.json", "--config-file", config);
        assertEquals(1, no.exit(), no.output());
        assertTrue(no.output().contains("Execute this change set? [y/N]"), no.output());
        assertEquals(0, count(no.calls(), "execute-change-set"), no.calls().toString());
        assertEquals(1, count(no.calls(), "delete-change-set --change-set-name " + ARN), no.calls().toString());

        Files.delete(bin.resolve("calls.log"));
        stdin = "y\n";
        Result yes = deploy("code-and-instance-type.json", "--config-file", config);
        assertEquals(0, yes.exit(), yes.output());
        assertEquals(1, count(yes.calls(), "execute-change-set --change-set-name " + ARN), yes.calls().toString());

        Files.delete(bin.resolve("calls.log"));
        stdin = "";
        Result flag = deploy("code-and-instance-type.json", "--config-file", config, "--no-confirm-changeset");
        assertEquals(0, flag.exit(), flag.output());
        assertFalse(flag.output().contains("Execute this change set?"), flag.output());
        assertEquals(1, count(flag.calls(), "execute-change-set"), flag.calls().toString());
    }

    @Test
    void disableRollbackFromSamconfigReachesTheExecution() throws Exception {
        Result r = deploy("code-and-instance-type.json", "--config-file", samconfig("disable_rollback = true"));
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.calls().contains("aws cloudformation --region us-west-2 execute-change-set --change-set-name " + ARN
                + " --disable-rollback"), r.calls().toString());

        Files.delete(bin.resolve("calls.log"));
        Result plain = deploy("code-and-instance-type.json");
        assertEquals(0, count(plain.calls(), "--disable-rollback"), plain.calls().toString());
    }

    @Test
    void noChangesToDeployIsSuccessNotAFailure() throws Exception {
        samReply = "echo 'Error: No changes to deploy. Stack gpubox is up to date' >&2\nexit 1\n";
        Result r = deploy("code-and-instance-type.json");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("nothing to change"), r.output());
        assertEquals(0, count(r.calls(), "aws "), r.calls().toString());
    }

    // ------------------------------------------------------------------ a running box is not restarted

    @Test
    void aChangeThatStopsAndStartsARunningBoxIsDeletedNotExecuted() throws Exception {
        boxState = "running";
        Result r = deploy("bootstrap-upgrade.json");
        assertEquals(ReplacementGuard.REFUSED, r.exit(), r.output());
        assertTrue(r.output().contains("would stop and start your GPU box while it runs")
                && r.output().contains("UserData (template.yaml changed it)"), r.output());
        assertTrue(r.calls().contains("aws ec2 --region us-west-2 describe-instances --instance-ids i-0123456789abcdef0"
                + " --query Reservations[].Instances[].[InstanceId,State.Name] --output text"), r.calls().toString());
        assertEquals(1, count(r.calls(), "delete-change-set --change-set-name " + ARN), r.calls().toString());
        assertEquals(0, count(r.calls(), "execute-change-set"), r.calls().toString());
    }

    @Test
    void theSameChangeOnAStoppedBoxIsExecuted() throws Exception {
        Result r = deploy("bootstrap-upgrade.json");
        assertEquals(0, r.exit(), r.output());
        assertEquals(1, count(r.calls(), "execute-change-set --change-set-name " + ARN), r.calls().toString());
    }

    @Test
    void allowRestartExecutesItOnARunningBox() throws Exception {
        boxState = "running";
        Result r = deploy("bootstrap-upgrade.json", "--allow-restart");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("--allow-restart given"), r.output());
        assertTrue(r.calls().contains("sam deploy --no-execute-changeset --template-file template.yaml"),
                "the flag is gpubox's, not sam's: " + r.calls());
        assertEquals(1, count(r.calls(), "execute-change-set --change-set-name " + ARN), r.calls().toString());
    }

    @Test
    void aStateThatCannotBeReadCountsAsRunning() throws Exception {
        boxState = null;
        Result r = deploy("bootstrap-upgrade.json");
        assertEquals(ReplacementGuard.REFUSED, r.exit(), r.output());
        assertTrue(r.output().contains("could not read the box's state") && r.output().contains("may be running"), r.output());
        assertEquals(0, count(r.calls(), "execute-change-set"), r.calls().toString());
    }

    @Test
    void noStateIsAskedForWhenNothingWouldRestartTheBox() throws Exception {
        boxState = "running";
        Result r = deploy("code-only.json");
        assertEquals(0, r.exit(), r.output());
        assertEquals(0, count(r.calls(), "describe-instances"), r.calls().toString());
    }

    // ------------------------------------------------------------------ the time zone proposal (issue 15.4)

    @Test
    void theGuidedDeployProposesTheLaptopsZoneWhenNothingNamesShutdownTimezone() throws Exception {
        Result r = deploy("code-and-instance-type.json", "--guided");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.calls().contains("sam deploy --no-execute-changeset --template-file template.yaml --guided"
                + " --parameter-overrides ShutdownTimezone=Europe/Berlin"), r.calls().toString());
        assertTrue(r.output().contains("proposing this laptop's time zone, Europe/Berlin, for ShutdownTimezone"),
                r.output());
    }

    @Test
    void theProposalKeepsSamconfigsOtherOverridesAsThePromptsDefaults() throws Exception {
        laptopZone = ":America/New_York"; // glibc's form of $TZ
        Result r = deploy("code-and-instance-type.json", "--guided", "--config-file",
                samconfig("parameter_overrides = \"KeyName=\\\"my-laptop\\\" SshCidr=\\\"203.0.113.7/32\\\"\""));
        assertEquals(0, r.exit(), r.output());
        assertEquals(1, count(r.calls(), "--guided --config-file " + bin.resolve("samconfig.toml")
                + " --parameter-overrides KeyName=\"my-laptop\" SshCidr=\"203.0.113.7/32\" ShutdownTimezone=America/New_York"),
                r.calls().toString());
    }

    @Test
    void aZoneTheUserGaveIsNeverReplaced() throws Exception {
        Result saved = deploy("code-and-instance-type.json", "--guided", "--config-file",
                samconfig("parameter_overrides = \"ShutdownTimezone=\\\"Asia/Shanghai\\\"\""));
        assertEquals(0, saved.exit(), saved.output());
        assertEquals(0, count(saved.calls(), "Europe/Berlin"), saved.calls().toString());
        assertFalse(saved.output().contains("laptop"), saved.output());

        Files.delete(bin.resolve("calls.log"));
        Result given = deploy("code-and-instance-type.json", "--guided", "--parameter-overrides",
                "ShutdownTimezone=Asia/Tokyo");
        assertEquals(0, count(given.calls(), "Europe/Berlin"), given.calls().toString());
    }

    @Test
    void withoutGuidedTheZoneIsProposedButNotSentSoADeployedStackKeepsItsOwn() throws Exception {
        Result r = deploy("code-and-instance-type.json");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.calls().contains("sam deploy --no-execute-changeset --template-file template.yaml"), r.calls().toString());
        assertTrue(r.output().contains("a deployed stack keeps the zone it has. This laptop's is Europe/Berlin"), r.output());

        Files.delete(bin.resolve("calls.log"));
        Result one = deploy("code-and-instance-type.json", "--parameter-overrides", "IdleMinutes=30");
        assertTrue(one.calls().contains("sam deploy --no-execute-changeset --template-file template.yaml"
                + " --parameter-overrides IdleMinutes=30"), one.calls().toString());
    }

    @Test
    void aNewStackWithoutAZoneIsToldWhichToChoose() throws Exception {
        samReply = "echo 'Error: Failed to create changeset for the stack: gpubox, An error occurred (ValidationError)"
                + " when calling the CreateChangeSet operation: Parameters: [ShutdownTimezone] must have values' >&2\nexit 1\n";
        Result r = deploy("code-and-instance-type.json");
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("ShutdownTimezone has no default: choose the nightly stop's zone, e.g. this"
                + " laptop's (Europe/Berlin)"), r.output());
        assertEquals(0, count(r.calls(), "aws "), r.calls().toString());
    }
}
