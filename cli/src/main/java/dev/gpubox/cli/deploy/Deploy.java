package dev.gpubox.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpubox.cli.init.LaptopZone;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./gpubox deploy [--allow-replacement] [--allow-restart] [sam deploy options...]}: creates the change
 * set with {@code sam deploy --no-execute-changeset}, lets {@link ReplacementGuard} read it, and executes it
 * only if it keeps the GPU box; otherwise deletes it and says which parameter would replace the box.
 * {@code --allow-replacement} executes anyway (docs/setup.md). It also refuses a change CloudFormation makes by
 * stopping and starting the box (UserData, InstanceType, ...) while the box is not stopped, as
 * {@code aws ec2 describe-instances} reports it; {@code --allow-restart} executes anyway.
 *
 * <p>It deploys template.yaml itself unless you name a template ({@link DeployOptions}); every aws call goes to
 * the change set's region with your --profile (or samconfig's); samconfig's confirm_changeset and
 * disable_rollback, and their command-line flags, are honoured when the change set is executed. {@code sam}
 * and {@code aws} are the user's own CLIs, run as they are on PATH; the script builds the jars before this runs.
 */
public final class Deploy {
    static final Pattern CHANGE_SET = Pattern.compile("Changeset created successfully\\. *(arn:\\S*:changeSet/\\S*)");
    static final Pattern NO_ZONE = Pattern.compile("ShutdownTimezone.*must have values");
    static final Set<String> YES = Set.of("y", "Y", "yes", "Yes", "YES");

    private final Map<String, String> env;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    public Deploy(Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        this.env = env;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /** A step that ends the deploy: the message (null when already said) and the exit status. */
    private static final class Stop extends Exception {
        final int exit;

        Stop(int exit, String message) {
            super(message, null, false, false);
            this.exit = exit;
        }
    }

    /** Runs the whole deploy; the exit status. */
    public int run(List<String> args) {
        try {
            deploy(args);
            return 0;
        } catch (Stop stop) {
            if (stop.getMessage() != null) {
                err.println("gpubox deploy: " + stop.getMessage());
            }
            return stop.exit;
        } catch (IOException e) {
            err.println("gpubox deploy: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    private void deploy(List<String> args) throws Stop, IOException, InterruptedException {
        DeployOptions options;
        try {
            options = DeployOptions.parse(args);
        } catch (IOException unreadable) { // sam would refuse the file too; say it before building a change set
            throw new Stop(2, "cannot read samconfig.toml: " + unreadable.getMessage());
        }
        Optional<String> zone = ZoneProposal.propose(options, LaptopZone.of(env), err);
        Path sam = tool("sam");
        Path aws = tool("aws");

        List<String> create = new ArrayList<>(List.of(sam.toString(), "deploy", "--no-execute-changeset"));
        create.addAll(options.samArgs);
        ByteArrayOutputStream samOutput = new ByteArrayOutputStream();
        int samStatus = runShowing(create, samOutput);
        String said = samOutput.toString(StandardCharsets.UTF_8);
        String arn = null;
        for (Matcher m = CHANGE_SET.matcher(said); m.find(); ) {
            arn = m.group(1);
        }
        if (arn == null) {
            if (said.contains("No changes to deploy")) {
                err.println("gpubox deploy: nothing to change; the stack already matches template.yaml and your parameters.");
                return;
            }
            if (NO_ZONE.matcher(said).find()) {
                err.println("gpubox deploy: ShutdownTimezone has no default: choose the nightly stop's zone, e.g. this"
                        + " laptop's (" + zone.orElse("America/New_York") + "), in samconfig.toml's parameter_overrides,"
                        + " or run ./gpubox deploy --guided.");
            }
            throw new Stop(samStatus == 0 ? 1 : samStatus, "sam deploy created no change set (see above); nothing was changed.");
        }

        // arn:aws:cloudformation:REGION:ACCOUNT:changeSet/...: the region sam deployed to, wherever it came from.
        List<String> where = new ArrayList<>(List.of("--region", arn.split(":")[3]));
        if (options.profile != null && !options.profile.isEmpty()) {
            where.addAll(List.of("--profile", options.profile));
        }
        Aws cli = new Aws(aws, where);
        Aws.Reply described = cli.capture("cloudformation", "describe-change-set", "--change-set-name", arn, "--output", "json");
        if (described.status() != 0) {
            throw new Stop(described.status(), "could not read the change set (aws cloudformation describe-change-set"
                    + " failed, see above); nothing was executed. It stays until you delete it: aws cloudformation"
                    + " delete-change-set --change-set-name " + arn);
        }
        ReplacementGuard.Verdict verdict = judge(cli, described.stdout());
        boolean go = verdict.allowedBy(options.allowReplacement, options.allowRestart);
        (go ? out : err).println(ReplacementGuard.explain(verdict, options.allowReplacement, options.allowRestart));
        int refusal = verdict.unreadable() != null ? ReplacementGuard.UNREADABLE : go ? 0 : ReplacementGuard.REFUSED;
        if (refusal == 0 && options.confirm() && !confirmed()) {
            err.println("gpubox deploy: not executed (you did not answer y); the change set is deleted.");
            refusal = 1;
        }
        if (refusal != 0) {
            cli.capture("cloudformation", "delete-change-set", "--change-set-name", arn);
            throw new Stop(refusal, null);
        }

        String stack = verdict.stackName();
        Aws.Reply before = cli.capture("cloudformation", "describe-stacks", "--stack-name", stack,
                "--query", "Stacks[0].StackStatus", "--output", "text");
        if (before.status() != 0) { // which wait applies is unknown, so nothing is executed
            throw new Stop(before.status(), "could not read the stack's status (aws cloudformation describe-stacks failed,"
                    + " see above); the change set is not executed: run ./gpubox deploy again.");
        }
        List<String> execute = new ArrayList<>(List.of("cloudformation", "execute-change-set", "--change-set-name", arn));
        if (options.rollbackDisabled()) {
            execute.add("--disable-rollback");
        }
        check(cli.run(execute), "aws cloudformation execute-change-set");
        err.println("Waiting for stack " + stack + "...");
        // A stack that the change set creates is REVIEW_IN_PROGRESS until it is executed.
        String waitFor = before.stdout().strip().equals("REVIEW_IN_PROGRESS") ? "stack-create-complete" : "stack-update-complete";
        check(cli.run(List.of("cloudformation", "wait", waitFor, "--stack-name", stack)),
                "aws cloudformation wait " + waitFor + " (the stack's events say why)");
        err.println("gpubox deploy: stack " + stack + " is up to date.");
    }

    /** The guard's verdict, with the state of each box a change would stop and start, asked only when there is one. */
    private ReplacementGuard.Verdict judge(Aws cli, String changeSetJson) throws IOException, InterruptedException {
        JsonNode changeSet;
        try {
            changeSet = new ObjectMapper().readTree(changeSetJson);
        } catch (IOException notJson) {
            return new ReplacementGuard.Verdict("", List.of(), List.of(), "aws printed no JSON (" + notJson.getMessage() + ")");
        }
        if (changeSet == null || changeSet.isMissingNode()) {
            return new ReplacementGuard.Verdict("", List.of(), List.of(), "aws printed nothing");
        }
        List<String> boxes = ReplacementGuard.interruptions(changeSet).stream().map(ReplacementGuard.BoxRestart::physicalId)
                .filter(id -> !id.isEmpty()).toList();
        Map<String, String> states = Map.of();
        if (!boxes.isEmpty()) {
            List<String> describe = new ArrayList<>(List.of("ec2", "describe-instances", "--instance-ids"));
            describe.addAll(boxes);
            describe.addAll(List.of("--query", "Reservations[].Instances[].[InstanceId,State.Name]", "--output", "text"));
            Aws.Reply reply = cli.capture(describe);
            if (reply.status() == 0) {
                states = ReplacementGuard.boxStates(reply.stdout());
            } else {
                err.println("gpubox deploy: could not read the box's state (aws ec2 describe-instances failed); counting it as running.");
            }
        }
        return ReplacementGuard.analyse(changeSet, states);
    }

    /** sam showed the change set; --no-execute-changeset stopped sam before its own prompt, so this asks. */
    private boolean confirmed() throws IOException {
        err.print("Execute this change set? [y/N] ");
        err.flush();
        String answer = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        return answer != null && YES.contains(answer.strip());
    }

    private static void check(int status, String what) throws Stop {
        if (status != 0) {
            throw new Stop(status, what + " failed (see above).");
        }
    }

    /** The user's own CLI from PATH, or a usage failure that says which one is missing. */
    private Path tool(String name) throws Stop {
        for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new Stop(2, "needs the " + name + " CLI on PATH (docs/setup.md).");
    }

    /**
     * Runs {@code command} with the terminal's stdin (sam --guided prompts), its output shown on stderr as it
     * comes (a prompt has no newline) and kept in {@code kept}; the exit status.
     */
    private int runShowing(List<String> command, ByteArrayOutputStream kept) throws IOException, InterruptedException {
        out.flush();
        err.flush();
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT).redirectErrorStream(true).start();
        try (InputStream output = p.getInputStream()) {
            byte[] buffer = new byte[8192];
            for (int n; (n = output.read(buffer)) >= 0; ) {
                err.write(buffer, 0, n);
                err.flush();
                kept.write(buffer, 0, n);
            }
        }
        return p.waitFor();
    }

    /** {@code aws SERVICE --region R [--profile P] ...}: the change set's region and the user's profile on every call. */
    private final class Aws {
        record Reply(int status, String stdout) {
        }

        private final Path aws;
        private final List<String> where;

        Aws(Path aws, List<String> where) {
            this.aws = aws;
            this.where = where;
        }

        private List<String> command(List<String> serviceAndArgs) {
            List<String> command = new ArrayList<>(List.of(aws.toString(), serviceAndArgs.get(0)));
            command.addAll(where);
            command.addAll(serviceAndArgs.subList(1, serviceAndArgs.size()));
            return command;
        }

        /** Its stdout read; its stderr (AWS's error) shown to the user. */
        Reply capture(String... serviceAndArgs) throws IOException, InterruptedException {
            return capture(List.of(serviceAndArgs));
        }

        Reply capture(List<String> serviceAndArgs) throws IOException, InterruptedException {
            out.flush();
            err.flush();
            Process p = new ProcessBuilder(command(serviceAndArgs)).redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Reply(p.waitFor(), stdout);
        }

        /** Everything it says shown to the user; the exit status. */
        int run(List<String> serviceAndArgs) throws IOException, InterruptedException {
            out.flush();
            err.flush();
            return new ProcessBuilder(command(serviceAndArgs)).inheritIO().start().waitFor();
        }
    }
}
