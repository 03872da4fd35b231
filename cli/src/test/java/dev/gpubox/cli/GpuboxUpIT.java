package dev.gpubox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.local.WireFixture;
import dev.gpubox.sim.Fault;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./gpubox login|up|status|snooze|down|phone} run as a user runs them — the repository's script, the
 * built jar, a temporary HOME — against local mode, with a stand-in sshd that opens only a few seconds
 * after the box is running.
 */
class GpuboxUpIT {
    static final Path SCRIPT = Path.of("..", "gpubox").toAbsolutePath().normalize();
    static final String USERS_OWN = "Host github.com\n  User git\n  IdentityFile ~/.ssh/github\n";

    @TempDir
    Path home;
    private WireFixture local;
    private final Map<String, String> env = new HashMap<>();

    record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void localModeAndAFreshHome() throws IOException {
        local = new WireFixture(Duration.ofSeconds(2), Duration.ofSeconds(5));
        env.put("HOME", home.toString());
        env.put("GPUBOX_POLL_MS", "300");
        env.remove("XDG_CONFIG_HOME");
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(home.resolve(".ssh/config"), USERS_OWN);
    }

    @AfterEach
    void close() {
        local.close();
    }

    /**
     * {@code ./gpubox phone} as a user runs it: the script's dispatch and the built jar, which must carry the
     * QR library (a jar without it fails here with NoClassDefFoundError, not in a unit test). It calls nothing.
     */
    @Test
    void phoneAfterALoginPrintsTheCodeAndTheKeyAndCallsNothing() throws Exception {
        assertEquals(0, gpubox("login", "--url", local.api.url().toString(), "--key", WireFixture.KEY).exit());
        int calls = local.api.keyedCalls();
        Run phone = gpubox("phone");
        assertEquals(0, phone.exit(), phone.out() + phone.err());
        assertTrue(phone.out().contains("No camera? Open " + local.api.url() + "/ on the phone and paste this key once: "
                + WireFixture.KEY), phone.out());
        assertTrue(phone.out().lines().findFirst().orElseThrow().matches("[█#]+"), "the quiet zone first: " + phone.out());
        assertEquals(calls, local.api.keyedCalls(), "./gpubox phone reads the login; it calls no API");
    }

    @Test
    void upWaitsForRunningThenForSshdThenWritesOneHostBlockAndASecondUpChangesNothing() throws Exception {
        Run login = gpubox("login", "--url", local.api.url().toString(), "--key", WireFixture.KEY);
        assertEquals(0, login.exit(), login.err());
        Path config = home.resolve(".config/gpubox/config");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config)));
        assertTrue(login.out().endsWith(local.call("GET", "/status").field("message") + "\n"), login.out());

        // The stand-in sshd on loopback opens 2 s after the box is running (which takes 2 s after the start).
        int sshPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            sshPort = probe.getLocalPort();
        }
        env.put("GPUBOX_SSH_PROBE", "127.0.0.1:" + sshPort);
        try (LateSshd sshd = new LateSshd(sshPort, () -> local.call("GET", "/status").field("state").equals("running"),
                Duration.ofSeconds(2))) {
            Run up = gpubox("up");
            assertEquals(0, up.exit(), up.out() + up.err());
            assertTrue(up.out().contains("  pending · "), up.out());
            assertTrue(up.out().contains("  running, waiting for sshd on 127.0.0.1:" + sshPort), up.out());
            assertTrue(up.out().contains("  sshd answers on 127.0.0.1:" + sshPort), up.out());
            assertTrue(sshd.listening(), "up found the stand-in sshd only once it listened");
            assertTrue(up.out().endsWith("\n  ssh gpubox\n  code --remote ssh-remote+gpubox /home/ubuntu\n"), up.out());
            // The docs quote the start line word for word; when it runs after tonight's stop, the stop time
            // differs (a late start), so then only up to "It stops at".
            String started = up.out().lines().findFirst().orElseThrow();
            String quoted = started.endsWith(" It stops at 20:00 Asia/Shanghai.") ? started + "\n"
                    : started.substring(0, started.indexOf(" It stops at ") + " It stops at ".length());
            for (String doc : List.of("README.md", "docs/phone-and-laptop.md")) {
                assertTrue(Files.readString(Path.of("..", doc)).contains("\n" + quoted),
                        doc + " quotes the start line word for word: " + started);
            }
            System.out.println("--- ./gpubox up\n" + up.out());

            String eip = local.call("GET", "/status").field("elasticIp");
            String expected = USERS_OWN + "\n"
                    + "# >>> gpubox: written by ./gpubox up; edits inside this block are replaced >>>\n"
                    + "Host gpubox\n"
                    + "  HostName " + eip + "\n"
                    + "  User ubuntu\n"
                    + "  IdentityFile ~/.ssh/my-laptop.pem\n"
                    + "# <<< gpubox <<<\n";
            Path sshConfig = home.resolve(".ssh/config");
            assertEquals(expected, Files.readString(sshConfig));

            FileTime written = Files.getLastModifiedTime(sshConfig);
            Thread.sleep(20);
            Run again = gpubox("up");
            assertEquals(0, again.exit(), again.err());
            assertTrue(again.out().contains("Kept the 'Host gpubox' block"), again.out());
            assertEquals(expected, Files.readString(sshConfig), "a second up changes nothing");
            assertEquals(written, Files.getLastModifiedTime(sshConfig), "not even rewritten");
        }

        Run status = gpubox("status");
        assertEquals(local.call("GET", "/status").field("message") + "\n", status.out());

        String until = ZonedDateTime.now(local.box.policy().zone()).plusHours(2).format(DateTimeFormatter.ofPattern("HH:mm"));
        Run snooze = gpubox("snooze", until);
        assertEquals(0, snooze.exit(), snooze.err());
        assertTrue(snooze.out().contains(until), snooze.out());
        assertEquals(0, gpubox("snooze", "off").exit());
        assertTrue(local.call("GET", "/status").json().path("snoozedUntil").isNull());

        Run down = gpubox("down");
        assertEquals(0, down.exit(), down.err());
        assertTrue(down.out().startsWith("GPU box is stopping"), down.out());

        // Changing your mind: up right after down waits for the stop to finish, then starts the box.
        Run upAgain;
        try (LateSshd sshd = new LateSshd(sshPort, () -> true, Duration.ZERO)) {
            upAgain = gpubox("up");
        }
        assertEquals(0, upAgain.exit(), upAgain.err());
        assertTrue(upAgain.out().startsWith("  stopping · 0 s (starts again once stopped)\nGPU box is starting"),
                upAgain.out());
        assertEquals(0, gpubox("down").exit());
        local.awaitState("stopped");

        // A quota error: the API's message word for word, the next step, a non-zero exit.
        local.sim.faults().inject("StartInstances", Fault.VCPU_LIMIT, 2);
        String message = local.call("POST", "/start").field("message");
        Run refused = gpubox("up");
        assertEquals(1, refused.exit());
        assertEquals("gpubox up: " + message + "\nNext: ask for a higher 'Running On-Demand G and VT instances' quota"
                + " in Service Quotas (docs/setup.md), then run ./gpubox up again.\n", refused.err());

        // No capacity (after the SDK's own retries): exit 4, "try later", and the command to change type.
        local.sim.faults().clear();
        local.sim.faults().inject("StartInstances", Fault.INSUFFICIENT_CAPACITY, 10);
        Run noCapacity = gpubox("up");
        assertEquals(4, noCapacity.exit(), noCapacity.err());
        assertTrue(noCapacity.err().startsWith("gpubox up: AWS has no spare GPUs of this type"), noCapacity.err());
        assertTrue(noCapacity.err().endsWith("\nNext: run ./gpubox up again in a few minutes; if it persists, deploy"
                + " another type: sam deploy --parameter-overrides InstanceType=g5.xlarge\n"), noCapacity.err());

        // The docs quote this run's lines word for word (up to AWS's own words, which vary by zone).
        String guide = Files.readString(Path.of("..", "docs", "phone-and-laptop.md"));
        String capacity = noCapacity.err().substring(0, noCapacity.err().indexOf(" AWS said: "));
        assertTrue(guide.contains(capacity), "docs/phone-and-laptop.md quotes: " + capacity);
    }

    /**
     * Issue 17 point 2, "done means": on a new network (the group holds only the old network's SshCidr rule)
     * {@code ./gpubox up} opens SSH to this laptop's address through POST /ssh, before it waits for sshd, with
     * no stack update. The stand-in sshd answers only once the group lets this address in, as a real one would.
     */
    @Test
    void upOnANewNetworkOpensSshWithoutAStackUpdate() throws Exception {
        assertEquals(0, gpubox("login", "--url", local.api.url().toString(), "--key", WireFixture.KEY).exit());
        local.sim.securityGroups().seedRule("203.0.113.7/32", 22, "SSH"); // yesterday's network, the permanent rule
        int sshPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            sshPort = probe.getLocalPort();
        }
        env.put("GPUBOX_SSH_PROBE", "127.0.0.1:" + sshPort);
        java.util.function.BooleanSupplier thisNetworkAllowed = () -> local.sim.securityGroups().rules().stream()
                .anyMatch(r -> "127.0.0.1/32".equals(r.cidrIpv4()) && r.fromPort() == 22 && r.toPort() == 22);
        try (LateSshd sshd = new LateSshd(sshPort, thisNetworkAllowed, Duration.ZERO)) {
            Run up = gpubox("up");
            assertEquals(0, up.exit(), up.out() + up.err());
            int opened = up.out().indexOf("SSH is open from 127.0.0.1/32 until ");
            assertTrue(opened > 0, up.out());
            assertTrue(opened < up.out().indexOf("  sshd answers on 127.0.0.1:" + sshPort), "opened before the wait: " + up.out());
            assertTrue(sshd.listening());
        }
        assertEquals(1, local.sim.calls("AuthorizeSecurityGroupIngress"), "one POST /ssh at the wire");
        assertEquals(List.of("203.0.113.7/32", "127.0.0.1/32"), local.sim.securityGroups().rules().stream()
                .map(r -> r.cidrIpv4()).toList(), "the permanent rule kept, this network added");
    }

    /** Issue 17 point 3: up --ssm writes a Session Manager Host block and opens no port. */
    @Test
    void upSsmWritesASessionManagerHostBlockAndOpensNoPort() throws Exception {
        assertEquals(0, gpubox("login", "--url", local.api.url().toString(), "--key", WireFixture.KEY).exit());
        Run up = gpubox("up", "--ssm");
        assertEquals(0, up.exit(), up.out() + up.err());
        assertEquals(0, local.sim.calls("AuthorizeSecurityGroupIngress"), "no inbound rule through Session Manager");
        assertTrue(!up.out().contains("waiting for sshd"), "no probe of port 22: " + up.out());
        String expected = USERS_OWN + "\n"
                + "# >>> gpubox: written by ./gpubox up; edits inside this block are replaced >>>\n"
                + "Host gpubox\n"
                + "  HostName " + local.box.instanceId() + "\n"
                + "  User ubuntu\n"
                + "  IdentityFile ~/.ssh/my-laptop.pem\n"
                + "  ProxyCommand aws ssm start-session --target %h --document-name AWS-StartSSHSession"
                + " --parameters portNumber=%p\n"
                + "# <<< gpubox <<<\n";
        assertEquals(expected, Files.readString(home.resolve(".ssh/config")));
        // The docs show the same block.
        String guide = Files.readString(Path.of("..", "docs", "phone-and-laptop.md"));
        assertTrue(guide.contains(expected.substring(USERS_OWN.length() + 1).replace(local.box.instanceId(),
                "i-0123456789abcdef0")), "docs/phone-and-laptop.md shows the --ssm block");
        assertEquals(2, gpubox("up", "--ssh").exit(), "a misspelt flag is a usage error");
    }

    @Test
    void aWrongKeyOrNoApiSaysWhatToDo() throws Exception {
        Run wrong = gpubox("login", "--url", local.api.url().toString(), "--key", "not-the-key");
        assertEquals(1, wrong.exit());
        assertEquals("gpubox login: Missing or wrong API key: send it in the x-api-key header. The stack output"
                + " ApiKeyValueCommand prints it (docs/setup.md, step 5); after ./gpubox rotate-key, the key it printed.\nNext: the API refused the key: run"
                + " ./gpubox login again.\n", wrong.err());

        Run notLoggedIn = gpubox("status");
        assertEquals(1, notLoggedIn.exit(), "the saved (wrong) key is refused again");
        local.api.close();
        Run gone = gpubox("status");
        assertEquals(3, gone.exit());
        assertTrue(gone.err().startsWith("gpubox status: cannot reach the gpubox API at " + local.api.url()), gone.err());
        assertEquals(USERS_OWN, Files.readString(home.resolve(".ssh/config")), "nothing written on failure");
    }

    @Test
    void loginReadsTheStackOutputsWithTheAwsCli() throws Exception {
        // A stand-in `aws` that answers the two calls login makes, as the real CLI would for a deployed stack.
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path aws = bin.resolve("aws");
        Files.writeString(aws, """
                #!/bin/sh
                case "$*" in
                  "cloudformation describe-stacks --stack-name gpubox --query Stacks[0].Outputs --output json")
                    printf '[{"OutputKey":"ApiUrl","OutputValue":"%s"},{"OutputKey":"ApiKeyValueCommand","OutputValue":"aws apigateway get-api-key --api-key k1l2m3 --include-value --query value --output text --region us-west-2"}]' "$GPUBOX_TEST_URL" ;;
                  "apigateway get-api-key --api-key k1l2m3 --include-value --query [value,enabled] --output text --region us-west-2")
                    printf '%s\tTrue\n' "$GPUBOX_TEST_KEY" ;;
                  *) echo "unexpected: aws $*" >&2; exit 255 ;;
                esac
                """);
        aws.toFile().setExecutable(true);
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        env.put("GPUBOX_TEST_URL", local.api.url().toString());
        env.put("GPUBOX_TEST_KEY", WireFixture.KEY);
        Run login = gpubox("login");
        assertEquals(0, login.exit(), login.err());
        assertEquals("url=" + local.api.url().toString().replace(":", "\\:") + "\nkey=" + WireFixture.KEY,
                String.join("\n", Files.readAllLines(home.resolve(".config/gpubox/config")).stream()
                        .filter(l -> !l.startsWith("#")).sorted(java.util.Comparator.reverseOrder()).toList()));
    }

    private Run gpubox(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        if (!env.containsKey("XDG_CONFIG_HOME")) {
            builder.environment().remove("XDG_CONFIG_HOME");
        }
        Path out = Files.createTempFile("gpubox-out", ".txt");
        Path err = Files.createTempFile("gpubox-err", ".txt");
        Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "./gpubox " + String.join(" ", args) + " timed out");
        Run run = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return run;
    }

    /** A stand-in sshd (it greets with {@code SSH-2.0-}) that starts listening a while after the box runs, like sshd on a box still booting. */
    static final class LateSshd implements AutoCloseable {
        private final Thread thread;
        private volatile ServerSocket socket;

        LateSshd(int port, java.util.function.BooleanSupplier boxRuns, Duration delay) {
            thread = new Thread(() -> {
                try {
                    while (!boxRuns.getAsBoolean()) {
                        Thread.sleep(100);
                    }
                    Thread.sleep(delay.toMillis());
                    ServerSocket s = new ServerSocket();
                    s.setReuseAddress(true);
                    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                    socket = s;
                    while (!s.isClosed()) {
                        try (java.net.Socket connection = s.accept()) { // sshd speaks first (RFC 4253)
                            connection.getOutputStream().write("SSH-2.0-OpenSSH_9.6p1\r\n".getBytes(StandardCharsets.US_ASCII));
                        }
                    }
                } catch (IOException | InterruptedException closed) {
                    // closed by the test
                }
            }, "late-sshd");
            thread.setDaemon(true);
            thread.start();
        }

        boolean listening() {
            return socket != null;
        }

        @Override
        public void close() throws IOException {
            thread.interrupt();
            if (socket != null) {
                socket.close();
            }
        }
    }
}
