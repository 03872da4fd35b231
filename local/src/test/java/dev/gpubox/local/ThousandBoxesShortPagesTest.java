package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.FakeTime;
import dev.gpubox.box.Notifier;
import dev.gpubox.functions.ScheduledStopHandler;
import dev.gpubox.sim.Ec2Simulator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Issue 8 point 8: real EC2 may return fewer results than MaxResults, with a NextToken. With the simulator
 * returning short pages at random (seeded), the nightly stop of 1,000 boxes still stops every one of them;
 * every EC2 call of the run is counted at the wire.
 */
class ThousandBoxesShortPagesTest {
    static final long SEED = 8L;

    @Test
    void everyBoxIsStoppedAcrossShortPagesAndEveryCallIsCounted() throws Exception {
        Instant sevenPm = Instant.parse("2026-11-29T11:00:00Z"); // 19:00 Asia/Shanghai
        FakeTime time = new FakeTime(sevenPm);
        try (Ec2Simulator sim = Ec2Simulator.start(0, time, Duration.ofSeconds(20), Duration.ofSeconds(15));
             Ec2Client ec2 = Endpoints.clientFor(sim.endpoint())) {
            BoxConfig stack = SeededBox.seed(sim.state());
            List<String> fleet = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                fleet.add(sim.state().seedInstance("g4dn.xlarge", "k", "running",
                        Map.of(SeededBox.TAG_KEY, SeededBox.STACK)));
            }
            String other = sim.state().seedInstance("g4dn.xlarge", "k", "running",
                    Map.of(SeededBox.TAG_KEY, "another-stack"));
            sim.state().shortPages(SEED);
            time.set(sevenPm.plus(Duration.ofHours(1))); // the nightly stop
            sim.resetCalls();

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new ScheduledStopHandler(ec2, stack, Notifier.NONE, time, time).handleRequest(
                    new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), out, null);
            JsonNode report = new ObjectMapper().readTree(out.toByteArray());

            assertEquals(1000, report.path("stopped").size(), "every box, whatever the pages' sizes");
            assertEquals(1, report.path("alreadyStopped").size(), "the stack's own stopped box");
            for (String id : fleet) {
                assertTrue(!sim.state().stateOf(id).equals("running"), id + " still running");
            }
            assertEquals("running", sim.state().stateOf(other), "another stack's box is left alone");

            int describes = sim.calls("DescribeInstances");
            int stops = sim.calls("StopInstances");
            int tags = sim.calls("CreateTags");
            assertTrue(describes > 2, "the pages came back short: " + describes + " describes for 1,001 boxes");
            assertEquals(20, stops, "1,000 boxes in batches of 50");
            assertEquals(20, tags, "one stop-reason tag per batch, written after its stop");
            // Issue 17 point 2: the sweep also reads the box's SSH rules once (and its group, in the describes).
            int sshRules = sim.calls("DescribeSecurityGroupRules");
            assertEquals(1, sshRules, "one read of the box's SSH rules, nothing revoked (none expired)");
            assertEquals(describes + stops + tags + sshRules, sim.totalCalls(), "no other EC2 call");
            String figures = String.format(java.util.Locale.ROOT,
                    "1,000-box nightly stop with short pages (seed %d): %d EC2 calls = %d DescribeInstances + %d"
                            + " StopInstances + %d CreateTags; 1,000 of 1,000 stopped%n",
                    SEED, sim.totalCalls(), describes, stops, tags);
            System.out.print(figures);
            Files.writeString(Path.of("target", "thousand-box-stop.txt"), figures);
        }
    }
}
