package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.BoxException;
import dev.gpubox.box.ErrorCode;
import dev.gpubox.box.FakeTime;
import dev.gpubox.box.Notifier;
import dev.gpubox.functions.ScheduledStopHandler;
import dev.gpubox.sim.Ec2Simulator;
import dev.gpubox.sim.Ec2State;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Issue 15, point 2: a leaked key renewing {@code snooze?minutes=720} at 07:55 and 19:55 every day, minute by
 * minute for three days against the simulator through the real SDK, the nightly stop and its unaligned
 * five-minute sweep through the real {@link ScheduledStopHandler}. With the default MaxRunHours the run ends
 * at its start + 24 h; with MaxRunHours 0 (the limit off) the same trace keeps the box on all three days.
 */
class LeakedKeyTraceTest {
    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    static final LocalDate FIRST_DAY = LocalDate.of(2026, 11, 9);
    static final int DAYS = 3;
    static final double G4DN_HOURLY = 0.526;

    /** What the trace cost: hours the box ran, snoozes refused, and when the run was stopped (or null). */
    record Outcome(double hoursRunning, int refused, Instant launched, Instant stoppedAt) {
    }

    Outcome replay(String maxRunHours) throws Exception {
        FakeTime time = new FakeTime(ZonedDateTime.of(FIRST_DAY, LocalTime.of(6, 0), NEW_YORK).toInstant());
        Duration timeout = LambdaContexts.scheduledStopTimeout();
        try (Ec2Simulator sim = Ec2Simulator.start(0, time, Duration.ofSeconds(90), Duration.ofSeconds(60));
             Ec2Client ec2 = Endpoints.clientFor(sim.endpoint())) {
            Ec2State state = sim.state();
            BoxConfig stack = SeededBox.seed(state).withSettings(new BoxConfig.Settings("20:00", NEW_YORK.getId(), "12",
                    null, null, null, maxRunHours));
            BoxControl key = new BoxControl(ec2, stack, time, time, Notifier.NONE);
            ScheduledStopHandler function = new ScheduledStopHandler(ec2, stack, Notifier.NONE, time, time);
            Instant sweepEpoch = time.instant().plusSeconds(157); // :02:37 past each five minutes
            Instant end = time.instant().plus(Duration.ofDays(DAYS));
            Instant launched = null;
            Instant stoppedAt = null;
            long runningMinutes = 0;
            int refused = 0;
            List<String> log = new ArrayList<>();
            for (Instant minute = time.instant(); minute.isBefore(end); minute = minute.plusSeconds(60)) {
                if (time.instant().isBefore(minute)) {
                    time.set(minute);
                }
                LocalTime local = minute.atZone(NEW_YORK).toLocalTime();
                if (launched == null && local.equals(LocalTime.of(9, 0))) {
                    key.start(0);
                    launched = time.instant();
                }
                if (launched != null && (local.equals(LocalTime.of(7, 55)) || local.equals(LocalTime.of(19, 55)))) {
                    try {
                        key.snooze(null, "720");
                    } catch (BoxException e) {
                        assertTrue(e.error() == ErrorCode.RUN_LIMIT || e.error() == ErrorCode.WRONG_STATE, e.getMessage());
                        refused++;
                    }
                }
                List<Instant> runs = new ArrayList<>();
                if (local.equals(LocalTime.of(20, 0))) {
                    runs.add(minute);
                }
                long toSweep = Math.floorMod(-Duration.between(sweepEpoch, minute).getSeconds(), 300);
                if (toSweep < 60) {
                    runs.add(minute.plusSeconds(toSweep));
                }
                for (Instant run : runs) {
                    if (time.instant().isBefore(run)) {
                        time.set(run);
                    }
                    function.handleRequest(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)),
                            new ByteArrayOutputStream(), LambdaContexts.invocation(time, timeout, log));
                }
                for (Ec2State.StateEvent event : state.drainEvents()) {
                    if (event.state().equals("stopping") && stoppedAt == null) {
                        stoppedAt = event.time();
                    }
                }
                String now = state.stateOf(stack.instanceId());
                if (now.equals("running") || now.equals("pending")) {
                    runningMinutes++;
                }
            }
            return new Outcome(runningMinutes / 60.0, refused, launched, stoppedAt);
        }
    }

    @Test
    void aLeakedKeyRenewingTheSnoozeCannotKeepARunPastItsCeiling() throws Exception {
        Outcome capped = replay(null); // the template's default, 24
        Outcome open = replay("0");
        String figures = String.format(Locale.ROOT, "leaked key renewing snooze?minutes=720 at 07:55 and 19:55 for %d"
                        + " days (g4dn.xlarge, $%.3f/h): MaxRunHours 24: %.1f h on (~$%.2f), stopped %s after the start,"
                        + " %d snoozes refused; MaxRunHours 0: %.1f h on (~$%.2f), %s%n", DAYS, G4DN_HOURLY,
                capped.hoursRunning(), capped.hoursRunning() * G4DN_HOURLY,
                Duration.between(capped.launched(), capped.stoppedAt()), capped.refused(), open.hoursRunning(),
                open.hoursRunning() * G4DN_HOURLY, open.stoppedAt() == null ? "never stopped" : "stopped " + open.stoppedAt());
        System.out.print(figures);
        Files.writeString(Path.of("target", "money-safety-leaked-key.txt"), figures);

        Duration ran = Duration.between(capped.launched(), capped.stoppedAt());
        // The 07:55 renewal would pass 09:00 (start + 24 h) and is refused, so the run ends at the 19:55
        // snooze's end: never later than its ceiling plus one sweep.
        assertTrue(ran.compareTo(Duration.ofHours(24).plusMinutes(10)) <= 0, "stopped by its start + 24 h: " + figures);
        assertTrue(capped.hoursRunning() <= 24.2, figures);
        assertTrue(capped.refused() >= 1, "the renewal past the ceiling was refused: " + figures);
        assertEquals(null, open.stoppedAt(), "without the ceiling the trace keeps the box on: " + figures);
        assertTrue(open.hoursRunning() > 60, figures);
    }
}
