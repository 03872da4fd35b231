package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.BoxException;
import dev.gpubox.box.FakeTime;
import dev.gpubox.box.Notifier;
import dev.gpubox.box.StateChangeNotices;
import dev.gpubox.functions.ScheduledStopHandler;
import dev.gpubox.sim.Ec2Simulator;
import dev.gpubox.sim.Ec2State;
import dev.gpubox.sim.Fault;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * A month of a small lab's life, minute by minute, against the EC2 simulator through the real SDK, in
 * America/New_York so that it crosses the end of daylight saving time (2026-11-01).
 *
 * <p>Three managed boxes are started at random times (some after the nightly stop: late starts), snoozed
 * on some nights (until 23:30, or for N minutes, one of them across the DST change), stopped by hand on
 * others; one unmanaged box runs all month. Faults are injected: throttling and 500s, capacity errors on
 * start, starts that EC2 accepts and then abandons, one box whose stop is refused for a whole night's
 * retries, and run crashes (a notice that throws mid-run). The runs go through the real
 * {@link ScheduledStopHandler} with a Lambda context holding template.yaml's timeout: the nightly one at
 * 20:00:00, the five-minute sweep at an offset that is not aligned to the clock (Scheduler's
 * {@code rate(5 minutes)} counts from when the schedule was created), and a failed run retried after one
 * and three minutes as Lambda retries asynchronous invocations.
 *
 * <p>The oracle is plain java.time, independent of StopPolicy: each box's deadline is its snooze end, or
 * LateStartHours after a start past 20:00, or the first 20:00 after its start. Every automatic stop (the
 * simulator's "stopping" event) must come at or after that deadline — never early — and no managed box may
 * run more than {@link #LATENESS_LIMIT} past it. Every stop, skipped stop and failure must produce exactly
 * one notice. The figures go to target/money-safety-month.txt.
 */
class SimulatedMonthTest {
    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    static final LocalTime NIGHTLY = LocalTime.of(20, 0);
    static final Duration LATE_START = Duration.ofHours(4);
    static final Duration MAX_RUN = Duration.ofHours(24);
    static final LocalDate FIRST_DAY = LocalDate.of(2026, 10, 20);
    static final int DAYS = 30;
    static final Duration LATENESS_LIMIT = Duration.ofMinutes(10);
    /** The sweep's schedule was created at 06:02:37: it fires at :02:37, :07:37, ... never on the minute. */
    static final Duration SWEEP_OFFSET = Duration.ofMinutes(2).plusSeconds(37);
    static final Duration START_DELAY = Duration.ofSeconds(90);
    static final ObjectMapper JSON = new ObjectMapper();

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

    /** What one stop did: when it took effect against its deadline. */
    record Stop(String box, Instant deadline, Instant at) {
        long minutesLate() {
            return Duration.between(deadline, at).toMinutes();
        }
    }

    @Test
    void everyStopIsNeverEarlyAndNeverLateAndEveryEventIsNoticedOnce() throws Exception {
        FakeTime time = new FakeTime(ZonedDateTime.of(FIRST_DAY, LocalTime.of(6, 0), NEW_YORK).toInstant());
        Random random = new Random(20261101L);
        RecordingNotifier notifier = new RecordingNotifier(time);
        Duration functionTimeout = LambdaContexts.scheduledStopTimeout();
        try (Ec2Simulator sim = Ec2Simulator.start(0, time, START_DELAY, Duration.ofSeconds(60));
             Ec2Client ec2 = Endpoints.clientFor(sim.endpoint())) {
            Ec2State state = sim.state();
            BoxConfig stack = SeededBox.seed(state).withSettings(
                    new BoxConfig.Settings("20:00", NEW_YORK.getId(), "12", null, null,
                            Long.toString(LATE_START.toHours())));
            List<String> managed = new ArrayList<>(List.of(stack.instanceId(),
                    state.seedInstance("g5.xlarge", "k", "stopped", Map.of(SeededBox.TAG_KEY, SeededBox.STACK)),
                    state.seedInstance("g6.xlarge", "k", "stopped", Map.of(SeededBox.TAG_KEY, SeededBox.STACK))));
            String unmanaged = state.seedInstance("t3.micro", "k", "running", Map.of("Name", "someone-elses"));
            Map<String, BoxControl> controls = new HashMap<>();
            for (String id : managed) {
                // The API functions are separate Lambdas from the stop function: they do not crash with it.
                controls.put(id, new BoxControl(ec2, new BoxConfig(id, stack.eipAllocationId(), stack.managedTagKey(),
                        stack.managedTagValue(), "ubuntu", stack.settings()), time, time, notifier::record));
            }
            // One warm container of the real function, as Lambda keeps it between invocations.
            ScheduledStopHandler function = new ScheduledStopHandler(ec2, stack, notifier, time, time);
            StateChangeNotices stateChanges = new StateChangeNotices(ec2, stack, notifier::record);

            Plan plan = Plan.random(random, managed);
            Map<String, Instant> launched = new HashMap<>();
            Map<String, Instant> snoozedUntil = new HashMap<>();
            Set<String> stoppedByUser = new HashSet<>();
            TreeMap<Instant, String> retries = new TreeMap<>();
            List<Stop> stops = new ArrayList<>();
            List<String> early = new ArrayList<>();
            Set<String> skipsExpected = new HashSet<>();
            Set<String> failuresExpected = new HashSet<>();
            int stopEvents = 0;
            int failedStarts = 0;
            int fallBacks = 0;
            int lateStarts = 0;
            int runs = 0;
            int failedRuns = 0;
            List<String> log = new ArrayList<>();

            Instant sweepEpoch = ZonedDateTime.of(FIRST_DAY, LocalTime.of(6, 0), NEW_YORK).toInstant().plus(SWEEP_OFFSET);
            Instant end = ZonedDateTime.of(FIRST_DAY.plusDays(DAYS), LocalTime.of(6, 0), NEW_YORK).toInstant();
            for (Instant minute = time.instant(); minute.isBefore(end); minute = minute.plusSeconds(60)) {
                if (time.instant().isBefore(minute)) {
                    time.set(minute);
                }
                ZonedDateTime local = minute.atZone(NEW_YORK);

                // The user, on the minute.
                for (Plan.Action action : plan.at(local)) {
                    BoxControl control = controls.get(action.box());
                    try {
                        switch (action.kind()) {
                            case START -> {
                                if (action.failWithCapacity()) {
                                    // More than the SDK's retries: the start fails for the user.
                                    sim.faults().inject("StartInstances", Fault.INSUFFICIENT_CAPACITY, 10);
                                }
                                if (action.fallsBack()) {
                                    state.failNextStarts(1);
                                }
                                try {
                                    if (control.start(0).accepted()) {
                                        launched.put(action.box(), time.instant());
                                        snoozedUntil.remove(action.box());
                                        if (action.fallsBack()) {
                                            fallBacks++;
                                            plan.retryStartLater(action, local.plusMinutes(10));
                                        } else if (!time.instant().isBefore(nightlyOn(local.toLocalDate()))) {
                                            lateStarts++;
                                        }
                                    }
                                } finally {
                                    sim.faults().clear();
                                    state.failNextStarts(0);
                                }
                            }
                            case SNOOZE_UNTIL, SNOOZE_MINUTES -> {
                                Instant asked = action.kind() == Plan.Kind.SNOOZE_UNTIL
                                        ? nextLocal(time.instant(), LocalTime.parse(action.value()))
                                        : ceilToMinute(time.instant().plus(Duration.ofMinutes(Long.parseLong(action.value()))));
                                Instant got = action.kind() == Plan.Kind.SNOOZE_UNTIL
                                        ? control.snooze(action.value(), null).box().snoozedUntil()
                                        : control.snooze(null, action.value()).box().snoozedUntil();
                                assertEquals(asked, got, "the snooze ends when the user asked, " + local);
                                snoozedUntil.put(action.box(), asked);
                            }
                            case STOP -> {
                                stoppedByUser.add(action.box());
                                control.stop();
                            }
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

                // The schedules within this minute, in time order: the nightly cron on the minute, the
                // unaligned sweep, Lambda's retries of failed runs.
                TreeMap<Instant, String> due = new TreeMap<>();
                if (local.toLocalTime().equals(NIGHTLY)) {
                    due.put(minute, "nightly");
                }
                long sinceEpoch = Duration.between(sweepEpoch, minute).getSeconds();
                long toNextSweep = Math.floorMod(-sinceEpoch, 300);
                if (toNextSweep < 60) {
                    due.put(minute.plusSeconds(toNextSweep), "sweep");
                }
                while (!retries.isEmpty() && retries.firstKey().isBefore(minute.plusSeconds(60))) {
                    due.putIfAbsent(retries.firstKey(), "retry");
                    retries.pollFirstEntry();
                }
                for (Map.Entry<Instant, String> run : due.entrySet()) {
                    if (time.instant().isBefore(run.getKey())) {
                        time.set(run.getKey());
                    }
                    runs++;
                    Instant runStart = time.instant();
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    boolean failed = false;
                    try {
                        function.handleRequest(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), out,
                                LambdaContexts.invocation(time, functionTimeout, log));
                    } catch (RuntimeException failedOrCrashed) {
                        failed = true;
                    }
                    assertTrue(Duration.between(runStart, time.instant()).compareTo(functionTimeout) < 0,
                            "a run ends inside the function's timeout");
                    if (out.size() > 0) {
                        JsonNode report = JSON.readTree(out.toByteArray());
                        report.path("failed").fieldNames().forEachRemaining(id ->
                                failuresExpected.add(id + "@" + oracleDeadline(launched.get(id), snoozedUntil.get(id))));
                        report.path("skipped").properties().forEach(skip -> {
                            String id = skip.getKey();
                            if (skip.getValue().asText().startsWith("snoozed")
                                    && !runStart.isBefore(oracleDeadline(launched.get(id), null))) {
                                skipsExpected.add(id + "@" + launched.get(id));
                            }
                        });
                    }
                    if (failed) {
                        failedRuns++;
                        if (!run.getValue().equals("retry")) {
                            retries.put(runStart.plusSeconds(60), "retry 1");
                            retries.put(runStart.plusSeconds(180), "retry 2");
                        }
                    }
                }

                // EC2's state-change events: stops held to their deadlines, "stopped" to the notice function.
                for (Ec2State.StateEvent event : state.drainEvents()) {
                    String id = event.instanceId();
                    if (event.state().equals("stopping") && managed.contains(id) && !stoppedByUser.remove(id)) {
                        Instant deadline = oracleDeadline(launched.get(id), snoozedUntil.get(id));
                        stops.add(new Stop(id, deadline, event.time()));
                        if (event.time().isBefore(deadline)) {
                            early.add(id + " stopped at " + event.time().atZone(NEW_YORK) + ", before its deadline "
                                    + deadline.atZone(NEW_YORK));
                        }
                    }
                    if (event.state().equals("stopped")) {
                        if (!id.equals(unmanaged)) {
                            stopEvents++;
                        }
                        stateChanges.onStateChange(id, event.state(), event.time());
                    }
                }

                // Never late: a managed box must not run past its deadline plus the cadence of the runs.
                for (String id : managed) {
                    String now = state.stateOf(id);
                    if (now.equals("running") || now.equals("pending")) {
                        Instant deadline = oracleDeadline(launched.get(id), snoozedUntil.get(id));
                        assertFalse(time.instant().isAfter(deadline.plus(LATENESS_LIMIT)),
                                id + " still " + now + " at " + local + ", deadline " + deadline.atZone(NEW_YORK));
                    }
                }
            }

            assertEquals(List.of(), early, "never early");
            assertEquals("running", state.stateOf(unmanaged), "a box without the stack's tag is never touched");
            long stopNotices = notifier.count(" stopped");
            assertEquals(stopEvents, stopNotices, "one notice per stop");
            assertEquals(skipsExpected.size(), notifier.count("kept on (snoozed)"), "one notice per skipped stop");
            assertEquals(failuresExpected.size(), notifier.count("could not stop"),
                    "one notice per box per failing deadline: " + failuresExpected);
            assertEquals(failedStarts, notifier.count("start failed"), "one notice per refused start");
            assertEquals(fallBacks, notifier.notices.stream().filter(n -> n.message().contains("failed to start")).count(),
                    "one notice per start that fell back");
            assertDstNight(stops, managed);
            assertStopStartAfterSnoozeDay(stops, managed);

            long max = stops.stream().mapToLong(Stop::minutesLate).max().orElse(0);
            double mean = stops.stream().mapToLong(Stop::minutesLate).average().orElse(0);
            long sameMinute = stops.stream().filter(s -> s.minutesLate() == 0).count();
            long noticesForStops = stopNotices;
            String figures = String.format(java.util.Locale.ROOT,
                    "simulated month %s..%s (%s), through ScheduledStopHandler with a %d s timeout, the sweep at"
                            + " :02:37 past each 5 minutes: %d automatic stops (%d late starts), early stops %d;"
                            + " minutes past deadline: max %d, mean %.2f, same minute %d of %d; %d runs (%d failed"
                            + " and retried, %d crashed); notices per stop %.2f (%d notices for %d stops, start"
                            + " fall-backs included), %d skip notices, %d failed-stop notices, %d failed-start"
                            + " notices, %d fall-back notices%n",
                    FIRST_DAY, FIRST_DAY.plusDays(DAYS), NEW_YORK, functionTimeout.toSeconds(), stops.size(),
                    lateStarts, early.size(), max, mean, sameMinute, stops.size(), runs, failedRuns,
                    notifier.crashes, stopEvents == 0 ? 0.0 : (double) noticesForStops / stopEvents, noticesForStops,
                    stopEvents, skipsExpected.size(), failuresExpected.size(), failedStarts, fallBacks);
            System.out.print(figures);
            Files.writeString(Path.of("target", "money-safety-month.txt"), figures);
            assertTrue(max <= LATENESS_LIMIT.toMinutes(), figures);
            assertTrue(notifier.crashes > 0 && !failuresExpected.isEmpty() && failedStarts > 0 && fallBacks > 0
                    && !skipsExpected.isEmpty() && lateStarts > 0,
                    "the month exercised crashes, failures, capacity errors, fall-backs, snoozes, late starts: " + figures);
        }
    }

    /** The DST night: the 7-hour snooze ends at 01:10 EST, the 23:30 EDT late start at 02:30 EST. */
    private static void assertDstNight(List<Stop> stops, List<String> managed) {
        Instant snoozeEnd = ZonedDateTime.of(LocalDate.of(2026, 11, 1), LocalTime.of(1, 10), NEW_YORK)
                .withLaterOffsetAtOverlap().toInstant();
        Instant lateEnd = ZonedDateTime.of(LocalDate.of(2026, 11, 1), LocalTime.of(2, 30), NEW_YORK).toInstant();
        assertEquals(Instant.parse("2026-11-01T06:10:00Z"), snoozeEnd);
        assertEquals(Instant.parse("2026-11-01T07:30:00Z"), lateEnd);
        assertTrue(stops.contains(new Stop(managed.get(0), snoozeEnd, stops.stream().filter(s ->
                        s.box().equals(managed.get(0)) && s.deadline().equals(snoozeEnd)).map(Stop::at).findFirst()
                        .orElse(Instant.MIN))), "the snooze across the DST change ended the box's night: " + stops);
        assertTrue(stops.stream().anyMatch(s -> s.box().equals(managed.get(2)) && s.deadline().equals(lateEnd)),
                "the late start across the DST change stopped four hours after it: " + stops);
    }

    /** Issue 15: both boxes restarted after a snooze are stopped by the nightly stop, not by the old snooze. */
    private static void assertStopStartAfterSnoozeDay(List<Stop> stops, List<String> managed) {
        Instant nightly = nightlyOn(Plan.STOP_START_AFTER_SNOOZE);
        for (String box : managed.subList(0, 2)) {
            assertTrue(stops.stream().anyMatch(s -> s.box().equals(box) && s.deadline().equals(nightly)
                    && !s.at().isBefore(nightly)), box + " restarted after a snooze stops at the nightly stop: " + stops);
        }
    }

    /** The oracle's own deadline, in plain java.time, never past the run's ceiling (MaxRunHours). */
    static Instant oracleDeadline(Instant launched, Instant snooze) {
        Instant uncapped = uncappedDeadline(launched, snooze);
        Instant ceiling = launched.plus(MAX_RUN).truncatedTo(ChronoUnit.MINUTES);
        return ceiling.isBefore(uncapped) ? ceiling : uncapped;
    }

    /** The snooze is this run's: the plan forgets it at every start, as gpubox must (issue 15). */
    private static Instant uncappedDeadline(Instant launched, Instant snooze) {
        if (snooze != null && snooze.isAfter(launched)) {
            return snooze;
        }
        Instant nightly = nightlyAfter(launched);
        if (!launched.isBefore(nightlyOn(launched.atZone(NEW_YORK).toLocalDate()))) {
            Instant late = ceilToMinute(launched.plus(LATE_START));
            return late.isBefore(nightly) ? late : nightly;
        }
        return nightly;
    }

    static Instant nightlyOn(LocalDate day) {
        return day.atTime(NIGHTLY).atZone(NEW_YORK).toInstant();
    }

    static Instant nightlyAfter(Instant launched) {
        Instant today = nightlyOn(launched.atZone(NEW_YORK).toLocalDate());
        return today.isAfter(launched) ? today : nightlyOn(launched.atZone(NEW_YORK).toLocalDate().plusDays(1));
    }

    static Instant nextLocal(Instant now, LocalTime at) {
        Instant today = now.atZone(NEW_YORK).toLocalDate().atTime(at).atZone(NEW_YORK).toInstant();
        return today.isAfter(now) ? today
                : now.atZone(NEW_YORK).toLocalDate().plusDays(1).atTime(at).atZone(NEW_YORK).toInstant();
    }

    static Instant ceilToMinute(Instant t) {
        Instant whole = t.truncatedTo(ChronoUnit.MINUTES);
        return whole.equals(t) ? t : whole.plus(Duration.ofMinutes(1));
    }
}
