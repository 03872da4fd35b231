package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.functions.ScheduledStopHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Issue 8 point 4: the nightly stop keeps its time budget when EC2 hangs. The endpoint is a loopback socket
 * that accepts every connection and never answers; the real handler, with a Lambda context whose time runs
 * out, must end inside its budget with its failure notice and its summary, not be killed at the timeout.
 */
class HungEc2Test {
    /** Accepts connections and holds them open without ever reading or answering. */
    static final class HungEndpoint implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final List<Socket> held = new CopyOnWriteArrayList<>();
        final Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    held.add(server.accept());
                } catch (IOException closed) {
                    return;
                }
            }
        }, "hung-ec2");

        HungEndpoint() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aRunAgainstAHungEndpointEndsInsideItsBudgetWithItsNoticeAndSummary() throws Exception {
        Duration lambdaTimeout = ScheduledStopHandler.MARGIN.plusSeconds(5); // a 5 s budget
        List<String> notices = new ArrayList<>();
        List<String> log = new ArrayList<>();
        try (HungEndpoint hung = new HungEndpoint(); Ec2Client ec2 = Endpoints.clientFor(hung.uri())) {
            BoxConfig stack = new BoxConfig("i-0123456789abcdef0", null, SeededBox.TAG_KEY, SeededBox.STACK, "ubuntu");
            ScheduledStopHandler handler = new ScheduledStopHandler(ec2, stack, (s, m) -> notices.add(s + ": " + m));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long started = System.nanoTime();

            assertThrows(RuntimeException.class, () -> handler.handleRequest(
                    new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), out,
                    LambdaContexts.invocation(java.time.Clock.systemUTC(), lambdaTimeout, log)), "a run that could not check the boxes fails, for the retries and alarms");

            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertTrue(took.compareTo(Duration.ofSeconds(5).plusMillis(1500)) < 0,
                    "ended inside its 5 s budget (plus the notice), not at the client's 20 s timeout: " + took);
            assertTrue(took.compareTo(lambdaTimeout) < 0, "never killed by the Lambda timeout: " + took);
            assertEquals(1, notices.size(), "its notice: " + notices);
            assertTrue(log.stream().anyMatch(l -> l.startsWith("gpubox scheduled stop:") && l.contains("failed 1")),
                    "its summary: " + log);
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("\"failed\""), out.toString(StandardCharsets.UTF_8));
            assertTrue(!hung.held.isEmpty(), "the SDK really reached the hung endpoint");
        }
    }
}
