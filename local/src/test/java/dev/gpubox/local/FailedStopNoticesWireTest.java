package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.FakeTime;
import dev.gpubox.box.NightlyStop;
import dev.gpubox.sim.Ec2Simulator;
import dev.gpubox.sim.Fault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Issue 8 point 5 at the wire: a box whose stop EC2 refuses all night gets one notice, then a reminder at
 * most hourly — not one per five-minute sweep and per Lambda retry. The dedup state lives in instance tags
 * the simulator keeps, as EC2 would.
 */
class FailedStopNoticesWireTest {
    record Notice(Instant at, String subject) {
    }

    @Test
    void oneNoticePerBoxPerNightThenHourlyReminders() throws Exception {
        Instant eightPm = Instant.parse("2026-11-29T12:00:00Z"); // 20:00 Asia/Shanghai, the default stop
        FakeTime time = new FakeTime(eightPm.minus(Duration.ofHours(3)));
        List<Notice> notices = new ArrayList<>();
        try (Ec2Simulator sim = Ec2Simulator.start(0, time, Duration.ofSeconds(20), Duration.ofSeconds(15));
             Ec2Client ec2 = Endpoints.clientFor(sim.endpoint())) {
            var tags = java.util.Map.of(SeededBox.TAG_KEY, SeededBox.STACK);
            String refused = sim.state().seedInstance("g4dn.xlarge", "k", "running", tags);
            String fine = sim.state().seedInstance("g5.xlarge", "k", "running", tags);
            BoxConfig stack = new BoxConfig(refused, null, SeededBox.TAG_KEY, SeededBox.STACK, "ubuntu");
            sim.faults().injectFor("StopInstances", refused, Fault.VCPU_LIMIT, 10_000);
            NightlyStop nightly = new NightlyStop(ec2, stack, (s, m) -> notices.add(new Notice(time.instant(), s)),
                    time, time);

            // 20:00 until 23:30: the sweep every five minutes, each failed run retried twice by Lambda.
            int runs = 0;
            for (Instant run = eightPm; run.isBefore(eightPm.plus(Duration.ofMinutes(210)));
                 run = run.plus(Duration.ofMinutes(5))) {
                for (Duration retry : List.of(Duration.ZERO, Duration.ofMinutes(1), Duration.ofMinutes(3))) {
                    if (time.instant().isBefore(run.plus(retry))) {
                        time.set(run.plus(retry));
                    }
                    runs++;
                    if (!nightly.run(Duration.ofSeconds(30)).hasFailures()) {
                        break;
                    }
                }
            }

            assertEquals("stopped", sim.state().stateOf(fine), "the other box stopped on time");
            assertTrue(runs > 100, "every run failed for the refused box: " + runs);
            assertEquals(List.of(eightPm, eightPm.plus(Duration.ofHours(1)), eightPm.plus(Duration.ofHours(2)),
                    eightPm.plus(Duration.ofHours(3))), notices.stream().map(Notice::at).toList(),
                    "one notice, then a reminder each hour: " + notices);
            assertTrue(notices.get(0).subject().startsWith("gpubox: could not stop"), notices.get(0).subject());
            assertTrue(notices.get(1).subject().startsWith("gpubox: still could not stop"), notices.get(1).subject());
        }
    }

    /**
     * The dedup record is a tag, and the tag write fails exactly when stops fail (EC2 throttling both): this
     * container remembers what it noticed, by box and deadline, so two hours of sweeps send one notice and
     * two reminders, not one per sweep. CreateTags fails with an error the SDK does not retry, to keep the
     * test fast; a throttled write takes the same path.
     */
    @Test
    void aFailingDedupTagWriteDoesNotMakeEverySweepNoticeAgain() throws Exception {
        Instant eightPm = Instant.parse("2026-11-29T12:00:00Z");
        FakeTime time = new FakeTime(eightPm.minus(Duration.ofHours(3)));
        List<Notice> notices = new ArrayList<>();
        try (Ec2Simulator sim = Ec2Simulator.start(0, time, Duration.ofSeconds(20), Duration.ofSeconds(15));
             Ec2Client ec2 = Endpoints.clientFor(sim.endpoint())) {
            String refused = sim.state().seedInstance("g4dn.xlarge", "k", "running",
                    java.util.Map.of(SeededBox.TAG_KEY, SeededBox.STACK));
            BoxConfig stack = new BoxConfig(refused, null, SeededBox.TAG_KEY, SeededBox.STACK, "ubuntu");
            sim.faults().injectFor("StopInstances", refused, Fault.VCPU_LIMIT, 10_000)
                    .inject("CreateTags", Fault.VCPU_LIMIT, 10_000);
            NightlyStop nightly = new NightlyStop(ec2, stack, (s, m) -> notices.add(new Notice(time.instant(), s)),
                    time, time);

            for (Instant run = eightPm; run.isBefore(eightPm.plus(Duration.ofMinutes(130)));
                 run = run.plus(Duration.ofMinutes(5))) {
                time.set(run);
                nightly.run(Duration.ofSeconds(30));
            }

            assertTrue(sim.calls("CreateTags") >= 3, "the record's tag write was tried and failed: "
                    + sim.calls("CreateTags"));
            assertEquals(List.of(eightPm, eightPm.plus(Duration.ofHours(1)), eightPm.plus(Duration.ofHours(2))),
                    notices.stream().map(Notice::at).toList(), "one notice, then hourly: " + notices);
        }
    }
}
