package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.BoxTags;
import dev.gpubox.box.FakeTime;
import dev.gpubox.box.MonthlyBudget;
import dev.gpubox.box.Notifier;
import dev.gpubox.functions.ScheduledStartHandler;
import dev.gpubox.functions.ScheduledStopHandler;
import dev.gpubox.sim.Ec2Simulator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Issue 17 point 4 at the wire: three weeks of a StartTime of {@code 08:30 Mon-Fri} in America/New_York
 * across the end of daylight saving time (Sun 1 Nov 2026), through the real SDK against the EC2 simulator.
 *
 * <p>The test plays EventBridge Scheduler: it invokes the real {@link ScheduledStartHandler} every day at
 * 08:30:20 local (the template's {@code cron(30 08 * * ? *)} in ScheduleExpressionTimezone, evaluated here
 * with plain java.time; TransformedTemplateIT checks the template says that), and the real
 * {@link ScheduledStopHandler} at 20:00 and in five-minute sweeps. The oracle, also plain java.time: a
 * StartInstances only on a weekday that is not paused, at 08:30 local on both sides of the change (12:30Z
 * before, 13:30Z after); each morning run stopped at that evening's 20:00 local (00:00Z before, 01:00Z
 * after); a pause (set on Monday 2 Nov through Wednesday) skips exactly those three starts with one notice
 * each and never starts the box, while a manual start on the Tuesday still works. Counted at the wire: the
 * simulator's StartInstances calls and state events.
 */
class MorningStartMonthTest {
    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    static final LocalDate FIRST_DAY = LocalDate.of(2026, 10, 24); // a Saturday
    static final int DAYS = 21;
    static final LocalTime FIRES = LocalTime.of(8, 30, 20);
    static final LocalDate PAUSE_SET = LocalDate.of(2026, 11, 2);
    static final LocalDate PAUSED_THROUGH = LocalDate.of(2026, 11, 4);
    static final LocalDate MANUAL_START = LocalDate.of(2026, 11, 3);

    record Notice(Instant at, String subject, String message) {
    }

    static BoxConfig stack(Ec2Simulator sim, String maxRunHours) {
        return SeededBox.seed(sim.state()).withSettings(new BoxConfig.Settings("20:00", NEW_YORK.getId(), "12",
                null, null, "4", maxRunHours));
    }

    static void tagStartTime(Ec2Client ec2, BoxConfig stack, String startTime) {
        ec2.createTags(r -> r.resources(stack.instanceId()).tags(t -> t.key(BoxTags.START_TIME).value(startTime)));
    }

    static String invoke(com.amazonaws.services.lambda.runtime.RequestStreamHandler handler, String payload)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(payload.getBytes(StandardCharsets.UTF_8)), out, null);
        return out.toString(StandardCharsets.UTF_8);
    }

    static Instant at(LocalDate day, LocalTime time) {
        return ZonedDateTime.of(day, time, NEW_YORK).toInstant();
    }

    @Test
    void weekdayStartsAt0830LocalAcrossDstEachStoppedThatEveningAndAPauseNeverStartsTheBox() throws Exception {
        FakeTime time = new FakeTime(at(FIRST_DAY, LocalTime.of(6, 0)));
        List<Notice> notices = new ArrayList<>();
        Notifier notifier = (subject, message) -> notices.add(new Notice(time.instant(), subject, message));
        try (Ec2Simulator sim = Ec2Simulator.start(0, time, Duration.ofSeconds(90), Duration.ofSeconds(60));
             Ec2Client ec2 = Endpoints.clientFor(sim.endpoint())) {
            BoxConfig stack = stack(sim, null);
            tagStartTime(ec2, stack, "08:30 Mon-Fri");
            ScheduledStartHandler morning = new ScheduledStartHandler(ec2, stack, notifier, time,
                    MonthlyBudget.off(stack));
            ScheduledStopHandler nightly = new ScheduledStopHandler(ec2, stack, notifier, time, time);
            BoxControl api = new BoxControl(ec2, stack, time, time, notifier);

            TreeMap<LocalDate, Instant> started = new TreeMap<>();
            TreeMap<LocalDate, Instant> stopped = new TreeMap<>();
            Map<LocalDate, String> outcomes = new TreeMap<>();
            for (int d = 0; d < DAYS; d++) {
                LocalDate day = FIRST_DAY.plusDays(d);
                if (day.equals(PAUSE_SET)) {
                    time.set(at(day, LocalTime.of(7, 0)));
                    String message = api.pauseSchedule(PAUSED_THROUGH.toString()).message();
                    assertTrue(message.contains("Thu 5 Nov 2026 08:30 America/New_York"), message);
                    var status = api.statusWithSchedule().schedule();
                    assertEquals(PAUSED_THROUGH, status.pausedThrough());
                    assertEquals(Instant.parse("2026-11-05T13:30:00Z"), status.nextStart(), "Thursday 08:30 EST");
                }
                time.set(at(day, FIRES));
                int before = sim.calls("StartInstances");
                outcomes.put(day, invoke(morning, "{\"trigger\":\"morning-start\"}"));
                if (sim.calls("StartInstances") > before) {
                    started.put(day, time.instant());
                }
                if (day.equals(MANUAL_START)) {
                    time.set(at(day, LocalTime.of(10, 0)));
                    assertTrue(api.start(0).accepted(), "a pause never affects a manual /start");
                }
                // The nightly stop at 20:00:00 and the sweeps after it, as Scheduler runs them.
                for (Instant run = at(day, LocalTime.of(20, 0)); run.isBefore(at(day, LocalTime.of(20, 30)));
                     run = run.plus(Duration.ofMinutes(5))) {
                    time.set(run);
                    invoke(nightly, "{\"trigger\":\"sweep\"}");
                }
                time.advance(Duration.ofMinutes(5));
                for (var event : sim.state().drainEvents()) {
                    if (event.state().equals("stopped")) {
                        stopped.put(event.time().atZone(NEW_YORK).toLocalDate(), event.time());
                    }
                }
                assertEquals("stopped", sim.state().stateOf(stack.instanceId()), day + ": stopped every night");
            }

            // The oracle: every weekday except the paused ones, at 08:30:20 local.
            TreeMap<LocalDate, Instant> expected = new TreeMap<>();
            for (int d = 0; d < DAYS; d++) {
                LocalDate day = FIRST_DAY.plusDays(d);
                boolean weekday = day.getDayOfWeek() != DayOfWeek.SATURDAY && day.getDayOfWeek() != DayOfWeek.SUNDAY;
                boolean paused = !day.isBefore(PAUSE_SET) && !day.isAfter(PAUSED_THROUGH);
                if (weekday && !paused) {
                    expected.put(day, at(day, FIRES));
                }
            }
            assertEquals(expected, started, "StartInstances at the wire, by local day: " + outcomes);
            assertEquals(Instant.parse("2026-10-30T12:30:20Z"), started.get(LocalDate.of(2026, 10, 30)), "Fri, EDT");
            assertEquals(Instant.parse("2026-11-05T13:30:20Z"), started.get(LocalDate.of(2026, 11, 5)), "Thu, EST");
            assertEquals(expected.size() + 1, sim.calls("StartInstances"), "the morning starts and the manual one");

            // Each started day stopped that evening at 20:00 local (the first sweep at or after it).
            for (LocalDate day : expected.keySet()) {
                Instant stop = stopped.get(day);
                assertTrue(stop != null && !stop.isBefore(at(day, LocalTime.of(20, 0)))
                        && stop.isBefore(at(day, LocalTime.of(20, 5))), day + " stopped at " + stop);
            }
            assertEquals(Instant.parse("2026-10-31T00:01:00Z"), stopped.get(LocalDate.of(2026, 10, 30)),
                    "Friday's run: stop issued at 20:00 EDT, stopped a minute later");
            assertEquals(Instant.parse("2026-11-06T01:01:00Z"), stopped.get(LocalDate.of(2026, 11, 5)),
                    "Thursday's run: stop issued at 20:00 EST");

            List<Notice> skips = notices.stream().filter(n -> n.subject().contains("morning start skipped")).toList();
            assertEquals(3, skips.size(), "one notice per skipped start: " + skips);
            for (Notice skip : skips) {
                assertTrue(skip.message().contains("paused through 2026-11-04")
                        && skip.message().contains("DELETE /schedule/pause"), skip.message());
            }
        }
    }

    /** MaxRunHours holds for a morning run too: with 6 h, an 08:30 start stops at 14:30, not 20:00. */
    @Test
    void aMorningRunStopsAtItsCeilingWhenThatIsBeforeTheNightlyStop() throws Exception {
        LocalDate monday = LocalDate.of(2026, 11, 2);
        FakeTime time = new FakeTime(at(monday, FIRES));
        try (Ec2Simulator sim = Ec2Simulator.start(0, time, Duration.ofSeconds(90), Duration.ofSeconds(60));
             Ec2Client ec2 = Endpoints.clientFor(sim.endpoint())) {
            BoxConfig stack = stack(sim, "6");
            tagStartTime(ec2, stack, "08:30 Mon-Fri");
            assertEquals("started", invoke(new ScheduledStartHandler(ec2, stack, Notifier.NONE, time,
                    MonthlyBudget.off(stack)), "{}").replace("\"", ""));
            time.advance(Duration.ofMinutes(2));
            BoxControl api = new BoxControl(ec2, stack, time, time, Notifier.NONE);
            Instant ceiling = at(monday, LocalTime.of(14, 30));
            assertEquals(ceiling, api.status().nextAutomaticStop(), "08:30 + MaxRunHours 6, before 20:00");
            ScheduledStopHandler sweep = new ScheduledStopHandler(ec2, stack, Notifier.NONE, time, time);
            time.set(ceiling.minusSeconds(120));
            invoke(sweep, "{}");
            assertEquals("running", sim.state().stateOf(stack.instanceId()), "not before its ceiling");
            time.set(ceiling.plusSeconds(60));
            invoke(sweep, "{}");
            assertEquals(1, sim.calls("StopInstances"), "stopped at its ceiling");
        }
    }

    /** Over the monthly cap the morning start never calls StartInstances, and says so once. */
    @Test
    void overTheMonthlyCapTheMorningStartIsSkippedAndNoticed() throws Exception {
        FakeTime time = new FakeTime(at(LocalDate.of(2026, 11, 2), FIRES));
        List<String> notices = new ArrayList<>();
        try (Ec2Simulator sim = Ec2Simulator.start(0, time, Duration.ofSeconds(90), Duration.ofSeconds(60));
             Ec2Client ec2 = Endpoints.clientFor(sim.endpoint())) {
            BoxConfig stack = stack(sim, null);
            tagStartTime(ec2, stack, "08:30 Mon-Fri");
            // $1 a month against 100,000 GiB of disk billed since the 1st: the cap is reached.
            MonthlyBudget capped = MonthlyBudget.inMemory(stack, 1, 100_000, time);
            String outcome = invoke(new ScheduledStartHandler(ec2, stack, (s, m) -> notices.add(s + ": " + m), time,
                    capped), "{}");
            assertEquals("skipped_budget", outcome.replace("\"", ""));
            assertEquals(0, sim.calls("StartInstances"));
            assertEquals(1, notices.size(), notices.toString());
            assertTrue(notices.get(0).contains("MonthlyBudgetUsd"), notices.get(0));
        }
    }

    /** The pause route through the real handler and SDK: its tag on the box, bad input refused before any write. */
    @Test
    void thePauseRouteTagsTheBoxAndRefusesBadDatesWithoutAWrite() throws Exception {
        try (Ec2Simulator sim = Ec2Simulator.start(0, java.time.Clock.systemUTC(), Duration.ofSeconds(90),
                Duration.ofSeconds(60));
             Ec2Client ec2 = Endpoints.clientFor(sim.endpoint())) {
            BoxConfig stack = stack(sim, null);
            var handler = new dev.gpubox.functions.SchedulePauseHandler(ec2, stack, Notifier.NONE);
            LocalDate today = LocalDate.now(NEW_YORK);
            var noStartTime = handler.handle(pauseEvent("POST", today.plusDays(3).toString()), null);
            assertEquals(409, noStartTime.statusCode(), noStartTime.body());
            tagStartTime(ec2, stack, "08:30 Mon-Fri");
            sim.resetCalls();
            for (String bad : new String[] {"", "next week", today.minusDays(1).toString(), today.plusYears(2).toString()}) {
                var reply = handler.handle(pauseEvent("POST", bad), null);
                assertEquals(400, reply.statusCode(), bad + ": " + reply.body());
                assertTrue(reply.body().contains("\"error\":\"bad_request\""), reply.body());
            }
            assertEquals(0, sim.calls("CreateTags") + sim.calls("DescribeInstances"), "refused before any EC2 call");
            var paused = handler.handle(pauseEvent("POST", today.plusDays(3).toString()), null);
            assertEquals(200, paused.statusCode(), paused.body());
            assertTrue(paused.body().contains("\"result\":\"schedule_paused\""), paused.body());
            assertEquals(1, sim.calls("CreateTags"));
            var resumed = handler.handle(pauseEvent("DELETE", null), null);
            assertTrue(resumed.body().contains("\"result\":\"schedule_resumed\""), resumed.body());
            assertEquals(1, sim.calls("DeleteTags"));
            var again = handler.handle(pauseEvent("DELETE", null), null);
            assertTrue(again.body().contains("\"result\":\"not_paused\""), again.body());
            assertEquals(1, sim.calls("DeleteTags"), "idempotent: nothing to delete the second time");
        }
    }

    static byte[] pauseEvent(String method, String until) {
        String query = until == null ? "null" : "{\"until\":\"" + until + "\"}";
        return ("{\"resource\":\"/schedule/pause\",\"path\":\"/schedule/pause\",\"httpMethod\":\"" + method
                + "\",\"headers\":{\"x-api-key\":\"k\"},\"queryStringParameters\":" + query
                + ",\"requestContext\":{\"identity\":{\"apiKey\":\"k\",\"sourceIp\":\"127.0.0.1\"}},"
                + "\"body\":null,\"isBase64Encoded\":false}").getBytes(StandardCharsets.UTF_8);
    }
}
