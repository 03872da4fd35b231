package dev.gpubox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The laptop's side of gpubox: {@code ./gpubox up|down|status|snooze|login}. It calls the same API as the
 * phone (the deployed one, or local mode's) and prints the same one-line {@code message}s.
 *
 * <p>{@code up} starts the box, waits for {@code running}, then for sshd's {@code SSH-2.0-} greeting on the
 * box's SSH port, writes one marked {@code Host} block into ~/.ssh/config and prints the ssh and VS Code lines.
 */
public final class Cli {
    static final String USAGE = """
            usage: ./gpubox COMMAND [options]    (./gpubox COMMAND --help: that command's lines)
            the box from your laptop (docs/phone-and-laptop.md):
              ./gpubox login [--stack NAME] [--region R]   read ApiUrl and the API key from the stack's outputs (AWS CLI)
              ./gpubox login --url URL --key KEY           or give them (local mode: the URL and key it prints)
                      [--host ALIAS] [--user U] [--identity FILE] [--path DIR]   optional ssh settings
              ./gpubox up                                  start, wait for sshd's greeting, write ~/.ssh/config, print ssh/code lines
              ./gpubox up --ssm                            the same through Session Manager, no inbound port
              ./gpubox down                                stop the box
              ./gpubox status                              one line: state, address, uptime, cost, next stop
              ./gpubox snooze HH:MM | snooze 90m | snooze 2h   keep it on past tonight's stop: until HH:MM (stack's time zone), or for a while
              ./gpubox snooze off                          end a snooze
              ./gpubox rotate-key [--stack NAME] [--region R]   a new API key; the old one disabled; this login updated
              ./gpubox init [--region R] [--ssh-cidr CIDR] [--yes]   type, quota, AMI, key pair checked; samconfig.toml written
              ./gpubox phone [--invert]                    a QR code that opens the phone panel with the API key
            deploying and developing (docs/setup.md):
              ./gpubox deploy [--allow-replacement] [--allow-restart] [--no-build] [sam deploy options]
                      sam deploy that refuses to replace the GPU box, or to stop and start it while it runs
              ./gpubox test                                build everything and run every test (what CI runs)
              ./gpubox local [--help]                      the API on 127.0.0.1:3000 against an embedded EC2 simulator
              ./gpubox package                             build functions/target/gpubox-functions.jar for sam deploy
              ./gpubox bench [--help] | bench money [--help]   measure the deployed jar; replay a month of stop policies
            """;
    /** The commands this class runs; the others (test, local, ...) are the script's. */
    static final List<String> COMMANDS =
            List.of("login", "up", "down", "status", "snooze", "rotate-key", "init", "deploy", "phone");
    static final Pattern SSH_LINE = Pattern.compile("^ssh (?:-i (\\S+) )?(?:(\\S+)@)?(\\S+)$");

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    // No HTTP client or ObjectMapper field: a laptop command is a short-lived JVM whose time is its start-up,
    // so each call opens one HttpURLConnection (ApiHttp) and reads the reply with ReplyJson.
    private Duration poll = Duration.ofSeconds(2);

    Cli(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        int exit = new Cli(System.getenv(), System.out, System.err).run(args);
        AotTraining.runIfAsked(); // only in the run that trains the class-data archive (./gpubox's launch block)
        System.exit(exit);
    }

    /** A failure the user can act on: the message, the next step, and the exit status. */
    static final class Failure extends Exception {
        final int exit;

        Failure(int exit, String message) {
            super(message);
            this.exit = exit;
        }
    }

    int run(String[] args) {
        String command = args.length == 0 ? "help" : args[0];
        List<String> rest = List.of(args).subList(Math.min(1, args.length), args.length);
        if (command.equals("help") || command.equals("--help") || command.equals("-h")) {
            out.print(rest.isEmpty() ? USAGE : usageOf(rest.get(0)));
            return 0;
        }
        if (!COMMANDS.contains(command)) {
            err.println("gpubox: unknown command '" + command + "'; ./gpubox help lists them.");
            return 2;
        }
        if (rest.contains("--help") || rest.contains("-h")) { // before anything reaches the API
            out.print(usageOf(command));
            return 0;
        }
        try {
            switch (command) {
                case "login" -> login(flags(rest));
                case "status" -> out.println(call("GET", "status").path("message").asText());
                case "up" -> up(UpSsh.ssm(rest));
                case "down" -> out.println(call("POST", "stop").path("message").asText());
                case "snooze" -> snooze(rest);
                case "rotate-key" -> rotateKey(flags(rest));
                case "phone" -> new Phone(env, out).run(rest);
                case "init" -> { return new dev.gpubox.cli.init.Init(env, System.in, out, err).run(rest); }
                case "deploy" -> { return new dev.gpubox.cli.deploy.Deploy(env, System.in, out, err).run(rest); }
                default -> throw new IllegalStateException("COMMANDS lists " + command + " without a case");
            }
            return 0;
        } catch (Failure f) {
            err.println("gpubox " + command + ": " + f.getMessage());
            return f.exit;
        } catch (IOException e) {
            err.println("gpubox " + command + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** USAGE's lines for one command (with their indented continuation lines), or all of USAGE. */
    static String usageOf(String command) {
        StringBuilder lines = new StringBuilder();
        boolean inCommand = false;
        for (String line : USAGE.lines().toList()) {
            String strip = line.strip();
            if (strip.startsWith("./gpubox ")) {
                inCommand = strip.equals("./gpubox " + command) || strip.startsWith("./gpubox " + command + " ");
            } else if (!line.startsWith("      ")) {
                inCommand = false;
            }
            if (inCommand) {
                lines.append(line).append('\n');
            }
        }
        return lines.isEmpty() ? USAGE : "usage:\n" + lines;
    }

    /** {@code ~/...} for a path under HOME, as the user would type it. */
    private String tilde(Path file) {
        Path home = home(env);
        return file.startsWith(home) ? "~/" + home.relativize(file) : file.toString();
    }

    static Path home(Map<String, String> env) {
        String home = env.get("HOME");
        return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"));
    }

    // ------------------------------------------------------------------ login

    private void login(Map<String, String> flags) throws IOException, InterruptedException, Failure {
        Path file = CliConfig.file(env);
        Map<String, String> values = new LinkedHashMap<>(CliConfig.load(file).values());
        if (flags.containsKey("url") || flags.containsKey("key")) {
            if (!flags.containsKey("url") || !flags.containsKey("key")) {
                throw new Failure(2, "give both --url and --key, or neither (then the AWS CLI reads the stack).");
            }
            values.put(CliConfig.URL, apiUrl(flags.get("url")).toString());
            values.put(CliConfig.KEY, flags.get("key"));
        } else {
            StackOutputs.read(flags.getOrDefault("stack", "gpubox"), flags.get("region"), env).forEach(values::put);
        }
        for (String optional : List.of(CliConfig.HOST, CliConfig.USER, CliConfig.IDENTITY, CliConfig.REMOTE_PATH)) {
            if (flags.containsKey(optional)) {
                values.put(optional, flags.get(optional));
            }
        }
        new CliConfig(values).save(file);
        out.println("Saved the API URL and key to " + tilde(file) + " (readable by you only).");
        out.println(call("GET", "status").path("message").asText());
    }

    /**
     * The API's base URL, checked before it is saved: a URL without scheme or host ({@code 127.0.0.1:3917},
     * {@code localhost:3917}) or with a space would otherwise be saved and break every later command.
     */
    static URI apiUrl(String url) throws Failure {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException bad) {
            throw new Failure(2, "'" + url + "' is not a URL (" + bad.getReason() + "). Give the whole URL,"
                    + " e.g. --url http://127.0.0.1:3917 (local mode) or the stack's ApiUrl output.");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new Failure(2, "'" + url + "' is not an http(s) URL with a host. Give the whole URL,"
                    + " e.g. --url http://127.0.0.1:3917 (local mode) or the stack's ApiUrl output.");
        }
        return uri;
    }

    private static Map<String, String> flags(List<String> args) throws Failure {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || i + 1 >= args.size()) {
                throw new Failure(2, "unexpected '" + a + "'.\n" + USAGE);
            }
            flags.put(a.substring(2), args.get(++i));
        }
        return flags;
    }

    // ------------------------------------------------------------------ rotate-key

    private void rotateKey(Map<String, String> flags) throws IOException, InterruptedException, Failure {
        for (String flag : flags.keySet()) {
            if (!flag.equals("stack") && !flag.equals("region")) {
                throw new Failure(2, "unexpected '--" + flag + "'.\n" + USAGE);
            }
        }
        new KeyRotation(env, out, java.time.Clock.systemUTC())
                .rotate(flags.getOrDefault("stack", "gpubox"), flags.get("region"));
    }

    // ------------------------------------------------------------------ snooze

    private void snooze(List<String> args) throws IOException, InterruptedException, Failure {
        if (args.size() != 1) {
            throw new Failure(2, "say until when or for how long: ./gpubox snooze 23:30 (the stack's time zone),"
                    + " ./gpubox snooze 90m, or ./gpubox snooze off.");
        }
        String when = args.get(0);
        JsonNode reply = when.equals("off") ? call("DELETE", "snooze") : call("POST", "snooze?" + snoozeQuery(when));
        out.println(reply.path("message").asText());
    }

    private static final Pattern FOR_A_WHILE = Pattern.compile("(\\d{1,5})\\s*(m|min|h)");

    /**
     * {@code minutes=N} for {@code 90m} or {@code 2h} (the API's "from now"), else {@code until=} the clock
     * time or date-time for the API to read; a bare number is neither, so it is refused here rather than sent.
     */
    static String snoozeQuery(String when) throws Failure {
        Matcher m = FOR_A_WHILE.matcher(when.strip().toLowerCase(java.util.Locale.ROOT));
        if (m.matches()) {
            long minutes = Long.parseLong(m.group(1)) * (m.group(2).equals("h") ? 60 : 1);
            return "minutes=" + minutes; // the API checks the range and names it
        }
        if (when.strip().matches("\\d+")) {
            throw new Failure(2, "'" + when + "' is not a time: say " + when.strip() + "m for minutes from now,"
                    + " or a clock time such as 23:30.");
        }
        return "until=" + URLEncoder.encode(when, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ up

    /** @param ssm {@code --ssm}: reach the box through Session Manager (no inbound rule, no sshd probe) */
    private void up(boolean ssm) throws IOException, InterruptedException, Failure {
        CliConfig config = config();
        // Checked before POST /start: a bad value must not crash `up` after it has started the box.
        poll = Duration.ofMillis(pollMillis(env.get("GPUBOX_POLL_MS")));
        String probe = env.get("GPUBOX_SSH_PROBE");
        if (probe != null) {
            sshProbe(probe);
        }
        long t0 = System.nanoTime();
        long lastPrinted = -10;
        // EC2 cannot start a box that is still stopping (after a `down`, say): wait for it, then start.
        for (JsonNode now = call("GET", "status"); now.path("state").asText().equals("stopping");
                now = call("GET", "status")) {
            if (seconds(t0) - lastPrinted >= 10) {
                lastPrinted = seconds(t0);
                out.println("  stopping · " + lastPrinted + " s (starts again once stopped)");
            }
            if (seconds(t0) > 600) {
                throw new Failure(1, "the box is still stopping after 10 minutes; check it in the EC2 console.");
            }
            Thread.sleep(poll.toMillis());
        }
        JsonNode started = call("POST", "start");
        out.println(started.path("message").asText());
        JsonNode box = started.path("box");
        String last = "";
        lastPrinted = -10;
        while (!box.path("state").asText().equals("running")) {
            String state = box.path("state").asText();
            if (!state.equals("pending")) {
                throw new Failure(1, "the box is " + state + " instead of starting. " + nextStep(409, "wrong_state"));
            }
            if (seconds(t0) > 600) {
                throw new Failure(1, "the box is still pending after 10 minutes; check it in the EC2 console.");
            }
            if (!state.equals(last) || seconds(t0) - lastPrinted >= 10) { // a line every 10 s, not every poll
                lastPrinted = seconds(t0);
                out.println("  " + state + " · " + lastPrinted + " s");
            }
            last = state;
            Thread.sleep(poll.toMillis());
            box = call("GET", "status");
        }
        out.println("  running · " + seconds(t0) + " s");

        String address = box.path("elasticIpAttached").asBoolean() ? box.path("elasticIp").asText()
                : box.path("publicIp").asText(null);
        if (address == null) {
            throw new Failure(1, "the box runs but has no address yet; run ./gpubox status in a moment.");
        }
        if (!ssm) {
            UpSsh.allowThisNetwork(this, out); // before the wait: on a new network sshd is unreachable until then
            awaitSshd(address, t0);
        }

        Matcher ssh = SSH_LINE.matcher(box.path("ssh").asText(""));
        String user = config.get(CliConfig.USER) != null ? config.get(CliConfig.USER) : ssh.matches() ? ssh.group(2) : null;
        String identity = config.get(CliConfig.IDENTITY) != null ? config.get(CliConfig.IDENTITY)
                : ssh.matches() ? ssh.group(1) : null;
        String host = config.get(CliConfig.HOST) != null ? config.get(CliConfig.HOST) : "gpubox";
        Path sshConfig = home(env).resolve(".ssh").resolve("config");
        String hostName = ssm ? UpSsh.instanceId(box) : address;
        boolean changed = SshConfig.write(sshConfig, SshConfig.block(host, hostName, user, identity,
                ssm ? UpSsh.PROXY_COMMAND : null));
        out.println((changed ? "Wrote" : "Kept") + " the 'Host " + host + "' block in " + tilde(sshConfig)
                + " (HostName " + hostName + ").");
        String path = config.get(CliConfig.REMOTE_PATH) != null ? config.get(CliConfig.REMOTE_PATH)
                : "/home/" + (user == null ? "ubuntu" : user);
        out.println();
        out.println("  ssh " + host);
        out.println("  code --remote ssh-remote+" + host + " " + path);
    }

    /**
     * Waits until sshd greets on the box's SSH port ({@link SshGreeting}: an {@code SSH-2.0-} line, not only an
     * accepted connection). {@code GPUBOX_SSH_PROBE=host:port} probes another address instead: local mode's box
     * is simulated, so its reported address leads nowhere and a test (or a developer) stands in for its sshd on
     * loopback. The ssh config always names the real address.
     */
    private void awaitSshd(String address, long t0) throws InterruptedException, Failure {
        String probe = env.getOrDefault("GPUBOX_SSH_PROBE", address + ":22");
        InetSocketAddress target = sshProbe(probe);
        long since = System.nanoTime();
        long lastPrinted = -10;
        for (String why = SshGreeting.probe(target, 3000); why != null; why = SshGreeting.probe(target, 3000)) {
            if (seconds(since) > 300) {
                throw new Failure(1, "the box runs but sshd does not answer on " + probe + " after 5 minutes (" + why
                        + "). Check SshCidr (your IP may have changed), the box's console output, and whether this"
                        + " network lets SSH out.");
            }
            if (seconds(t0) - lastPrinted >= 10) { // a line every 10 s, not every probe
                lastPrinted = seconds(t0);
                out.println("  running, waiting for sshd on " + probe + " · " + lastPrinted + " s");
            }
            Thread.sleep(Math.max(poll.toMillis(), 200));
        }
        out.println("  sshd answers on " + probe + " · " + seconds(t0) + " s");
    }

    /** {@code host:port}, or a usage failure naming the variable. Unresolved: resolving happens per probe. */
    static InetSocketAddress sshProbe(String probe) throws Failure {
        int colon = probe.lastIndexOf(':');
        try {
            int port = Integer.parseInt(probe.substring(colon + 1));
            if (colon > 0 && port > 0 && port < 65536) {
                return InetSocketAddress.createUnresolved(probe.substring(0, colon), port);
            }
        } catch (NumberFormatException notAPort) {
            // the usage failure below
        }
        throw new Failure(2, "GPUBOX_SSH_PROBE='" + probe + "' is not host:port (e.g. 127.0.0.1:2222).");
    }

    /** GPUBOX_POLL_MS (default 2000), or a usage failure naming the variable. */
    static long pollMillis(String value) throws Failure {
        if (value == null) {
            return 2000;
        }
        try {
            long millis = Long.parseLong(value.strip());
            if (millis > 0 && millis <= 60_000) {
                return millis;
            }
        } catch (NumberFormatException notANumber) {
            // the usage failure below
        }
        throw new Failure(2, "GPUBOX_POLL_MS='" + value + "' is not a number of milliseconds from 1 to 60000.");
    }

    private static long seconds(long since) {
        return Duration.ofNanos(System.nanoTime() - since).toSeconds();
    }

    // ------------------------------------------------------------------ the API

    private CliConfig config() throws IOException, Failure {
        Path file = CliConfig.file(env);
        CliConfig config = CliConfig.load(file);
        if (config.get(CliConfig.URL) == null || config.get(CliConfig.KEY) == null) {
            throw new Failure(2, "not logged in (no " + file + "). Run ./gpubox login first"
                    + " (it reads the stack's outputs), or ./gpubox login --url URL --key KEY.");
        }
        return config;
    }

    JsonNode call(String method, String path) throws IOException, InterruptedException, Failure {
        CliConfig config = config();
        String base = config.get(CliConfig.URL);
        ApiHttp.Reply response;
        URI uri;
        JsonNode body;
        for (int attempt = 1; ; attempt++) {
            uri = uri(base, path);
            response = send(method, uri, config);
            body = ReplyJson.read(response.body());
            if (!gatewayUnavailable(response.status(), body.path("error").asText("")) || attempt > wakeDelays.size()) {
                break;
            }
            Duration delay = wakeDelays.get(attempt - 1);
            err.println("  waking up the gpubox API (HTTP " + response.status() + " from API Gateway itself, it was"
                    + " idle)… trying again in " + (delay.toMillis() < 1000 ? delay.toMillis() + " ms" : delay.toSeconds() + " s") + " (try " + (attempt + 1) + " of "
                    + (wakeDelays.size() + 1) + ")");
            Thread.sleep(delay.toMillis());
        }
        if (response.status() >= 300) {
            String message = body.path("message").asText("HTTP " + response.status() + " from " + uri);
            String code = body.path("error").asText("");
            throw new Failure(exitStatus(response.status(), code),
                    message + "\nNext: " + nextStep(response.status(), code));
        }
        return body;
    }

    // ------------------------------------------------------------------ waking up (issue 14)

    /**
     * The waits between the tries of a call that API Gateway answered by itself with a 5xx (no gpubox
     * {@code error} code, or {@code api_unavailable}): Lambda could not run the function yet, e.g. a SnapStart
     * version waking up. Every route is idempotent (docs/api.md), so trying again is safe: 5 tries over 30 s.
     */
    static final List<Duration> WAKE_DELAYS = List.of(Duration.ofSeconds(2), Duration.ofSeconds(4),
            Duration.ofSeconds(8), Duration.ofSeconds(16));
    private List<Duration> wakeDelays = WAKE_DELAYS;

    /** Tests' shorter waits. */
    Cli wakeDelays(List<Duration> delays) {
        this.wakeDelays = List.copyOf(delays);
        return this;
    }

    /** A 5xx the gateway gave by itself, which passes with time; never a gpubox function's own coded 5xx. */
    static boolean gatewayUnavailable(int status, String code) {
        return status >= 500 && (code.isEmpty() || code.equals("api_unavailable"));
    }

    private URI uri(String base, String path) throws Failure {
        try {
            return URI.create(apiUrl(base) + (base.endsWith("/") ? "" : "/") + path);
        } catch (IllegalArgumentException bad) { // a URL saved by hand or by an older gpubox
            throw new Failure(2, "the saved API URL or key in " + tilde(CliConfig.file(env)) + " is not usable ("
                    + bad.getMessage() + "). Run ./gpubox login again.");
        } catch (Failure badUrl) {
            throw new Failure(2, "the saved API URL in " + tilde(CliConfig.file(env)) + " is unusable: "
                    + badUrl.getMessage() + " Run ./gpubox login again.");
        }
    }

    private ApiHttp.Reply send(String method, URI uri, CliConfig config) throws Failure {
        try {
            return ApiHttp.send(method, uri, config.get(CliConfig.KEY));
        } catch (IllegalArgumentException bad) { // a key saved by hand or by an older gpubox
            throw new Failure(2, "the saved API URL or key in " + tilde(CliConfig.file(env)) + " is not usable ("
                    + bad.getMessage() + "). Run ./gpubox login again.");
        } catch (IOException unreachable) {
            throw new Failure(3, "cannot reach the gpubox API at " + config.get(CliConfig.URL) + " ("
                    + describe(unreachable) + "). Check your connection; for local mode, check that ./gpubox local"
                    + " is running.");
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** 4 for what passes by itself (try again later), 1 for what needs the user to act (docs/phone-and-laptop.md). */
    static int exitStatus(int status, String code) {
        return status == 503 || status == 429 || code.equals("account_pending_verification")
                || gatewayUnavailable(status, code) ? 4 : 1;
    }

    private static String gatewayUnavailableStep() {
        return "API Gateway could not run the function in 5 tries over 30 s (it may still be waking up after"
                + " days idle): run the command again in a minute; if it persists, see the function's CloudWatch log.";
    }

    /** What to do about each error the API can answer (docs/api.md). */
    static String nextStep(int status, String code) {
        return switch (code) {
            case "insufficient_capacity" -> "run ./gpubox up again in a few minutes; if it persists, deploy another"
                    + " type: sam deploy --parameter-overrides InstanceType=g5.xlarge";
            case "vcpu_quota" -> "ask for a higher 'Running On-Demand G and VT instances' quota in Service Quotas"
                    + " (docs/setup.md), then run ./gpubox up again.";
            case "throttled", "quota_exceeded" -> "wait a little and run the command again.";
            case "ec2_unavailable" -> "EC2 itself is busy (not a capacity problem): run the command again in"
                    + " half a minute.";
            case "account_pending_verification" -> "AWS is still verifying your new account; wait for AWS's email"
                    + " saying it is verified (usually minutes, up to a few hours), then run the command again.";
            case "misconfigured" -> "the stack is set up wrongly (the message names the missing permission or"
                    + " setting): fix template.yaml or the stack's parameters and redeploy with ./gpubox deploy"
                    + " (docs/setup.md).";
            case "wrong_state" -> "wait for the box to finish what it is doing (./gpubox status), then try again.";
            case "spot_interrupted" -> "nothing to do: AWS restarts the Spot box when capacity returns;"
                    + " ./gpubox status shows when it runs again.";
            case "budget_reached" -> "to start it before the month ends, raise MonthlyBudgetUsd:"
                    + " ./gpubox deploy --parameter-overrides MonthlyBudgetUsd=N (docs/money-safety.md).";
            case "bad_request" -> "fix the argument as the message says (./gpubox help).";
            case "invalid_api_key" -> "the API refused the key: run ./gpubox login again.";
            case "run_limit" -> "snooze until the time the message names or earlier; for longer runs raise"
                    + " MaxRunHours in samconfig.toml and run ./gpubox deploy (0 turns the limit off).";
            case "" -> status == 403 ? "the API refused the key: run ./gpubox login again."
                    : gatewayUnavailable(status, code) ? gatewayUnavailableStep()
                    : "check ./gpubox status; if it persists, see the function's CloudWatch log.";
            case "api_unavailable" -> gatewayUnavailableStep();
            default -> "check ./gpubox status; if it persists, see the function's CloudWatch log.";
        };
    }
}
