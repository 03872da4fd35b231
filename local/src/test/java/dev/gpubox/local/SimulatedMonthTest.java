package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.BoxException;
import dev.gpubox.box.FakeTime;
import dev.gpubox.box.NightlyStop;
import dev.gpubox.box.Notifier;
import dev.gpubox.box.StateChangeNotices;
import dev.gpubox.box.SweepReport;
import dev.gpubox.local.sim.Ec2Simulator;
import dev.gpubox.local.sim.Ec2State;
import dev.gpubox.local.sim.Fault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * A month of a small lab's life, minute by minute, against the EC2 simulator through the real SDK, in
 * America/New_York so that it crosses the end of daylight saving time (2026-11-01).
 *
 * <p>Three managed boxes are started at random times (some after the nightly stop), snoozed on some
 * nights, stopped by hand on others; one unmanaged box runs all month. Faults are injected: throttling and
 * 500s, capacity errors on start, one box whose stop is refused for a whole night's retries, and run
 * crashes (a notice that throws mid-run). The nightly stop runs at 20:00, the sweep every five minutes, and
 * a failed run is retried after one and three minutes as Lambda retries asynchronous invocations.
 *
 * <p>It asserts that no managed box runs more than {@link #LATENESS_LIMIT} past its deadline (the nightly
 * stop or its snooze end; an independent java.time computation here), and that every stop, skipped stop
 * and failure produced exactly one notice. It writes the minutes-past-deadline figures to
 * target/money-safety-month.txt.
 */
class SimulatedMonthTest {
    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    static final LocalTime NIGHTLY = LocalTime.of(20, 0);
    static final LocalDate FIRST_DAY = LocalDate.of(2026, 10, 20);
    static final int DAYS = 30;
    static final Duration LATENESS_LIMIT = Duration.ofMinutes(10);
    static final Duration RUN_BUDGET = Duration.ofSeconds(105);

    /** A notice as the user would receive it, and when. */
    record Notice(Instant at, String subject, String message) {
    }

    /** Records notices; when armed, the next publish throws as a crashing Lambda would. */
    static final class RecordingNotifier implements Notifier {
        final List<Notice> notices = new ArrayList<>();
        final FakeTime time;
        boolean crashNext;
        int crashes;

        RecordingNotifier(FakeTime time) {
            this.time = time;
        }

        @Override
        public void publish(String subject, String message) {
            if (crashNext) {
                crashNext = false;
                crashes++;
                throw new IllegalStateException("simulated crash of the function mid-run");
            }
            record(subject, message);
        }

        void record(String subject, String message) {
            notices.add(new Notice(time.instant(), subject, message));
        }

        long count(String subjectPart) {
            return notices.stream().filter(n -> n.subject().contains(subjectPart)).count();
        }
    }

    @Test
    void noBoxRunsPastItsDeadlineAndEveryEventIsNoticedOnce() throws Exception {
        FakeTime time = new FakeTime(ZonedDateTime.of(FIRST_DAY, LocalTime.of(6, 0), NEW_YORK).toInstant());
        Random random = new Random(20261101L);
        RecordingNotifier notifier = new RecordingNotifier(time);
        try (Ec2Simulator sim = Ec2Simulator.start(0, time, Duration.ofSeconds(90), Duration.ofSeconds(60));
             Ec2Client ec2 = Endpoints.clientFor(sim.endpoint())) {
            Ec2State state = sim.state();
            BoxConfig stack = SeededBox.seed(state).withSettings(
                    new BoxConfig.Settings("20:00", NEW_YORK.getId(), "12", null, null));
            List<String> managed = new ArrayList<>(List.of(stack.instanceId(),
                    state.seedInstance("g5.xlarge", "k", "stopped", Map.of(SeededBox.TAG_KEY, SeededBox.STACK)),
                    state.seedInstance("g6.xlarge", "k", "stopped", Map.of(SeededBox.TAG_KEY, SeededBox.STACK))));
            String unmanaged = state.seedInstance("t3.micro", "k", "running", Map.of("Name", "someone-elses"));
            Map<String, BoxControl> controls = new HashMap<>();
            for (String id : managed) {
                controls.put(id, new BoxControl(ec2, new BoxConfig(id, stack.eipAllocationId(), stack.managedTagKey(),
                        stack.managedTagValue(), "ubuntu", stack.settings()), time, time, notifier));
            }
            // Only the stop function crashes; the notice function is a separate Lambda.
            NightlyStop nightly = new NightlyStop(ec2, stack, notifier, time, time);
            StateChangeNotices stateChanges = new StateChangeNotices(ec2, stack, notifier::record);

            Plan plan = Plan.random(random, managed);
            Map<String, Instant> launched = new HashMap<>();
            Map<String, Instant> snoozedUntil = new HashMap<>();
            TreeMap<Instant, String> retries = new TreeMap<>();
            List<Long> latenessMinutes = new ArrayList<>();
            Map<String, Instant> stopIssuedFor = new HashMap<>();
            int stopEvents = 0;
            int expectedSkips = 0;
            int failedStops = 0;
            int failedStarts = 0;
            int runs = 0;
            int failedRuns = 0;
            Map<String, LocalDate> skipCounted = new HashMap<>();

            Instant end = ZonedDateTime.of(FIRST_DAY.plusDays(DAYS), LocalTime.of(6, 0), NEW_YORK).toInstant();
            for (Instant minute = time.instant(); minute.isBefore(end); minute = minute.plusSeconds(60)) {
                if (time.instant().isBefore(minute)) {
                    time.set(minute);
                }
                ZonedDateTime local = minute.atZone(NEW_YORK);

                // The user.
                for (Plan.Action action : plan.at(local)) {
                    BoxControl control = controls.get(action.box());
                    try {
                        switch (action.kind()) {
                            case START -> {
                                if (action.failWithCapacity()) {
                                    // More than the SDK's retries: the start fails for the user.
                                    sim.faults().inject("StartInstances", Fault.INSUFFICIENT_CAPACITY, 10);
                                }
                                try {
                                    if (control.start(0).accepted()) {
                                        launched.put(action.box(), time.instant());
                                        snoozedUntil.remove(action.box());
                                    }
                                } finally {
                                    sim.faults().clear();
                                }
                            }
                            case SNOOZE -> snoozedUntil.put(action.box(),
                                    control.snooze("23:30", null).box().snoozedUntil());
                            case STOP -> control.stop();
                        }
                    } catch (BoxException e) {
                        if (action.kind() == Plan.Kind.START && action.failWithCapacity()) {
                            failedStarts++;
                            plan.retryStartLater(action, local.plusMinutes(10));
                        }
                    }
                }

                // Faults the night brings.
                if (local.toLocalTime().equals(NIGHTLY)) {
                    Plan.Night night = plan.night(local.toLocalDate());
                    if (night.throttle()) {
                        sim.faults().inject("StopInstances", Fault.THROTTLING, 2);
                    }
                    if (night.internalErrors()) {
                        sim.faults().inject("DescribeInstances", Fault.INTERNAL_ERROR, 3);
                    }
                    if (night.refuseOneBox()) {
                        // One running box's stop is refused for the nightly run and both of Lambda's retries
                        // (a permanent error, so no retry within a run); the next sweep succeeds.
                        managed.stream().filter(id -> state.stateOf(id).equals("running")).reduce((a, b) -> b)
                                .ifPresent(id -> sim.faults().injectFor("StopInstances", id, Fault.VCPU_LIMIT, 3));
                    }
                    notifier.crashNext = night.crash();
                }
                if (local.toLocalTime().equals(NIGHTLY.plusMinutes(30))) {
                    notifier.crashNext = false; // a night without a notice to crash on
                }

                // The schedules: the sweep every five minutes (the nightly one is 20:00's), Lambda's retries.
                boolean scheduled = local.getMinute() % 5 == 0;
                boolean retry = retries.containsKey(minute);
                if (scheduled || retry) {
                    if (retry) {
                        retries.remove(minute);
                    }
                    runs++;
                    Instant runStart = time.instant();
                    Map<String, Boolean> wasRunning = new HashMap<>();
                    managed.forEach(id -> wasRunning.put(id, !state.stateOf(id).equals("stopped")
                            && !state.stateOf(id).equals("stopping")));
                    try {
                        SweepReport report = nightly.run(RUN_BUDGET);
                        for (String id : report.stopped()) {
                            stopIssuedFor.put(id, runStart);
                        }
                        failedStops += report.failed().size();
                        for (var skip : report.skipped().entrySet()) {
                            if (skip.getValue().startsWith("snoozed")) {
                                LocalDate night = launchNight(launched.get(skip.getKey()));
                                if (!night.equals(skipCounted.get(skip.getKey()))
                                        && !minute.isBefore(nightlyAfter(launched.get(skip.getKey())))) {
                                    skipCounted.put(skip.getKey(), night);
                                    expectedSkips++;
                                }
                            }
                        }
                        if (report.hasFailures()) {
                            failedRuns++;
                            scheduleRetry(retries, minute, retry);
                        }
                    } catch (RuntimeException crashed) {
                        failedRuns++;
                        scheduleRetry(retries, minute, retry);
                    }
                }

                // EC2's state-change events, delivered to the notice function.
                for (Ec2State.StateEvent event : state.drainEvents()) {
                    if (event.state().equals("stopped")) {
                        if (!event.instanceId().equals(unmanaged)) {
                            stopEvents++;
                        }
                        stateChanges.onStateChange(event.instanceId(), event.state(), event.time());
                    }
                }

                // The oracle: a managed box must not run past its deadline (plus the cadence of the runs).
                for (String id : managed) {
                    String now = state.stateOf(id);
                    if (!now.equals("running") && !now.equals("pending")) {
                        Instant issued = stopIssuedFor.remove(id);
                        if (issued != null && launched.containsKey(id)) {
                            Instant deadline = deadline(launched.get(id), snoozedUntil.get(id));
                            latenessMinutes.add(Math.max(0, Duration.between(deadline, issued).toMinutes()));
                        }
                        continue;
                    }
                    Instant deadline = deadline(launched.get(id), snoozedUntil.get(id));
                    assertFalse(minute.isAfter(deadline.plus(LATENESS_LIMIT)),
                            id + " still " + now + " at " + local + ", deadline " + deadline.atZone(NEW_YORK));
                }
            }

            assertEquals("running", state.stateOf(unmanaged), "a box without the stack's tag is never touched");
            long stopNotices = notifier.count(" stopped");
            assertEquals(stopEvents, stopNotices, "one notice per stop");
            assertEquals(expectedSkips, notifier.count("kept on (snoozed)"), "one notice per skipped stop");
            assertEquals(failedStops, notifier.count("could not stop"), "one notice per failed stop");
            assertEquals(failedStarts, notifier.count("start failed"), "one notice per failed start");

            long max = latenessMinutes.stream().mapToLong(Long::longValue).max().orElse(0);
            double mean = latenessMinutes.stream().mapToLong(Long::longValue).average().orElse(0);
            long onTime = latenessMinutes.stream().filter(m -> m == 0).count();
            String figures = String.format(java.util.Locale.ROOT,
                    "simulated month %s..%s (%s): %d automatic stops; minutes past deadline: max %d, mean %.2f,"
                            + " on time (same minute) %d of %d; %d runs (%d failed and retried, %d crashed);"
                            + " %d stop notices, %d skip notices, %d failed-stop notices, %d failed-start notices%n",
                    FIRST_DAY, FIRST_DAY.plusDays(DAYS), NEW_YORK, latenessMinutes.size(), max, mean, onTime,
                    latenessMinutes.size(), runs, failedRuns, notifier.crashes, stopNotices, expectedSkips,
                    failedStops, failedStarts);
            System.out.print(figures);
            Files.writeString(Path.of("target", "money-safety-month.txt"), figures);
            assertTrue(max <= LATENESS_LIMIT.toMinutes(), figures);
            assertTrue(notifier.crashes > 0 && failedStops > 0 && failedStarts > 0 && expectedSkips > 0,
                    "the month exercised crashes, failures, capacity errors and snoozes: " + figures);
        }
    }

    /** Lambda retries a failed asynchronous invocation after about one minute, then two more. */
    private static void scheduleRetry(TreeMap<Instant, String> retries, Instant minute, boolean wasRetry) {
        if (!wasRetry) {
            retries.put(minute.plusSeconds(60), "retry 1");
            retries.put(minute.plusSeconds(180), "retry 2");
        }
    }

    /** The oracle's own deadline, in plain java.time: the snooze end, or the first 20:00 after the start. */
    static Instant deadline(Instant launched, Instant snooze) {
        if (snooze != null && snooze.isAfter(launched)) {
            return snooze;
        }
        return nightlyAfter(launched);
    }

    static Instant nightlyAfter(Instant launched) {
        ZonedDateTime start = launched.atZone(NEW_YORK);
        ZonedDateTime today = start.toLocalDate().atTime(NIGHTLY).atZone(NEW_YORK);
        return (today.toInstant().isAfter(launched) ? today : today.plusDays(1)).toInstant();
    }

    static LocalDate launchNight(Instant launched) {
        return nightlyAfter(launched).atZone(NEW_YORK).toLocalDate();
    }
}
