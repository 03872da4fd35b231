package dev.gpubox.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.local.LocalContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short money bench (Tuesday to Thursday: work days, a training night, a night EC2 throttles the stop, a late
 * start each evening) through
 * the real handlers and the simulator, held to what each policy is supposed to do, with the trace's own
 * times as the oracle: the seed bills the evening a forgetful user leaves the box on and kills a job left
 * running past its cron; gpubox never takes the box away before its deadline (not from a user at work, not
 * from a snoozed job), stops a late start after LateStartHours, and the watchdog only after IdleMinutes
 * idle.
 */
class MoneyBenchTest {
    /** Tuesday to Thursday the 12th: a training night, the bad night, a late start each evening. */
    static final LocalDate FIRST = LocalDate.of(2026, 11, 10);
    static final int DAYS = 3;
    static final int IDLE_MINUTES = 30;
    static final Duration LATE_START = Duration.ofHours(4);
    static final Duration SWEEP_CADENCE = Duration.ofMinutes(10);
    static Map<String, MoneyMonth.Row> rows;
    static MoneyMonth.Setup setup;

    @BeforeAll
    static void replay() throws Exception {
        setup = new MoneyMonth.Setup(FIRST, DAYS, UsageTraces.ALL,
                List.of(MoneyPolicy.SEED, MoneyPolicy.DEFAULTS, MoneyPolicy.WATCHDOG), IDLE_MINUTES, 150,
                LocalContext.timeoutIn(Path.of("..", "template.yaml"), "ScheduledStopFunction"));
        rows = MoneyMonth.replay(setup).stream()
                .collect(Collectors.toMap(r -> r.trace().name() + "/" + r.policy().id, Function.identity()));
        assertEquals(UsageTraces.ALL.size() * 3, rows.size(), "one row per trace and policy");
    }

    @Test
    void theSeedBillsEveryEveningTheForgetfulUserLeavesTheBoxOnUntilItsUtcCron() {
        MoneyMonth.Row seed = rows.get("forgetful/seed");
        Duration forgotten = Duration.ZERO;
        Duration startToCron = Duration.ZERO;
        for (List<UsageTrace.Session> day : workDays(seed.trace())) {
            Instant arrived = day.get(0).from();
            Instant left = day.get(day.size() - 1).to();
            Instant cron = left.atZone(ZoneOffset.UTC).toLocalDate().atTime(MoneyMonth.SEED_CRON_UTC)
                    .toInstant(ZoneOffset.UTC);
            assertTrue(cron.isAfter(left), "the user leaves before the seed's cron");
            forgotten = forgotten.plus(Duration.between(left, cron));
            startToCron = startToCron.plus(Duration.between(arrived.plus(MoneyMonth.START_DELAY), cron));
        }
        assertTrue(seed.billed().minus(seed.used()).compareTo(forgotten) >= 0,
                "every evening the box was left on is billed: " + seed.billed().minus(seed.used()) + " beyond use, "
                        + forgotten + " of evenings");
        assertTrue(seed.billed().minus(startToCron).abs().compareTo(Duration.ofMinutes(1)) <= 0,
                "each day is billed from the start to the cron: " + seed.billed() + ", expected " + startToCron);
        assertTrue(seed.stops().stream().allMatch(s -> s.by() == MoneyMonth.Party.SEED
                        && s.at().atZone(ZoneOffset.UTC).toLocalTime().equals(MoneyMonth.SEED_CRON_UTC)),
                "only the seed's cron stopped it, on the cron's second: " + seed.stops());
    }

    @Test
    void theSeedsOneCallOnAThrottledNightLeavesTheBoxOnWhereGpuboxStopsItWhenEc2Recovers() {
        UsageTrace.Outage outage = rows.get("forgetful-bad-night/seed").trace().outages().get(0);
        MoneyMonth.Row seed = rows.get("forgetful-bad-night/seed");
        MoneyMonth.Run last = seed.runs().get(seed.runs().size() - 1);
        assertTrue(last.from().isBefore(outage.from()) && last.to().equals(setup.end()),
                "the seed's run failed and nothing retried it: the box is still on at the end, " + last);
        MoneyMonth.Row gpubox = rows.get("forgetful-bad-night/defaults");
        MoneyMonth.Stop stop = gpubox.stops().stream().filter(s -> s.at().isAfter(outage.from())).findFirst()
                .orElseThrow();
        assertFalse(stop.at().isBefore(outage.to()), "EC2 refused every stop until " + outage.to());
        assertTrue(stop.at().isBefore(outage.to().plus(SWEEP_CADENCE)), "gpubox stopped it soon after: " + stop);
        assertTrue(seed.billedHours() > rows.get("forgetful/seed").billedHours() + 3);
    }

    @Test
    void theSeedKillsAJobLeftRunningAndGpuboxLetsTheSnoozeCarryIt() {
        MoneyMonth.Row seed = rows.get("overnight-trainer/seed");
        assertTrue(seed.stops().stream().anyMatch(s -> s.by() == MoneyMonth.Party.SEED && s.during() != null
                && !s.during().attended()), "the seed's cron stopped the box under a running job: " + seed.stops());
        assertTrue(seed.neededButOffHours() > 1, "the job's hours were lost: " + seed.neededButOffHours());
        assertTrue(seed.refused() > 0, "the seed offers no snooze");
        for (String policy : List.of("defaults", "watchdog")) {
            MoneyMonth.Row row = rows.get("overnight-trainer/" + policy);
            assertTrue(row.neededButOffHours() < seed.neededButOffHours(), policy + " keeps the job running");
            assertTrue(row.stops().stream().noneMatch(s -> s.during() != null && s.by() != MoneyMonth.Party.OWNER),
                    policy + " never stops the box under a user or a snoozed job: " + row.stops());
        }
    }

    @Test
    void gpuboxNeverStopsTheForgetfulUsersBoxBeforeTheNightlyStopAndStopsItWithinTheSweepsCadence() {
        MoneyMonth.Row row = rows.get("forgetful/defaults");
        assertFalse(row.stops().isEmpty());
        for (MoneyMonth.Stop stop : row.stops()) {
            ZonedDateTime local = stop.at().atZone(MoneyMonth.ZONE);
            Instant nightly = local.toLocalDate().atTime(LocalTime.parse(MoneyMonth.NIGHTLY))
                    .atZone(MoneyMonth.ZONE).toInstant();
            assertEquals(MoneyMonth.Party.SCHEDULE, stop.by());
            assertNull(stop.during(), "never under the user");
            assertFalse(stop.at().isBefore(nightly), "never before the nightly stop: " + local);
            assertTrue(stop.at().isBefore(nightly.plus(SWEEP_CADENCE)), "and soon after it: " + local);
        }
        assertEquals(0, row.refused());
        assertTrue(row.notices().size() >= row.stops().size(), "every stop is noticed");
    }

    @Test
    void aLateStartIsStoppedAfterLateStartHoursWhereTheSeedBillsItUntilNextEvening() {
        MoneyMonth.Row gpubox = rows.get("late-starter/defaults");
        List<MoneyMonth.Run> ended = gpubox.runs().stream().filter(r -> r.to().isBefore(setup.end())).toList();
        assertFalse(ended.isEmpty());
        for (MoneyMonth.Run run : ended) {
            Instant launched = run.from().minus(MoneyMonth.START_DELAY);
            Instant deadline = launched.plus(LATE_START);
            assertFalse(run.to().isBefore(deadline), "never before launch + LateStartHours: " + run);
            assertTrue(run.to().isBefore(deadline.plus(SWEEP_CADENCE)), "and soon after: " + run);
        }
        MoneyMonth.Row seed = rows.get("late-starter/seed");
        assertTrue(seed.billedHours() > 3 * gpubox.billedHours(),
                "the seed keeps a late start until its next cron: " + seed.billedHours() + " h against "
                        + gpubox.billedHours() + " h");
        assertTrue(gpubox.usedHours() >= seed.usedHours() - 0.1, "and gpubox takes none of the user's time");
    }

    @Test
    void theWatchdogStopsOnlyAnIdleBoxIdleMinutesAfterTheLastSessionAndBillsLess() {
        MoneyMonth.Row watchdog = rows.get("forgetful/watchdog");
        MoneyMonth.Row defaults = rows.get("forgetful/defaults");
        List<MoneyMonth.Stop> idleStops = watchdog.stops().stream().filter(s -> s.by() == MoneyMonth.Party.WATCHDOG).toList();
        assertFalse(idleStops.isEmpty());
        for (MoneyMonth.Stop stop : idleStops) {
            assertNull(stop.during(), "never while the user works");
            Instant idleFrom = watchdog.trace().sessions().stream().map(UsageTrace.Session::to)
                    .filter(end -> !end.isAfter(stop.at())).max(Instant::compareTo).orElseThrow();
            Duration idle = Duration.between(idleFrom, stop.at());
            assertTrue(idle.compareTo(Duration.ofMinutes(IDLE_MINUTES)) >= 0
                            && idle.compareTo(Duration.ofMinutes(IDLE_MINUTES + 2)) <= 0,
                    "IdleMinutes after the box went idle, give or take the timer's minute: " + idle);
        }
        assertTrue(watchdog.billedHours() < defaults.billedHours());
        assertTrue(watchdog.usedHours() >= defaults.usedHours() - 0.5, "and the user loses only restarts");
    }

    @Test
    void aLeakedKeysSnoozesKeepTheBoxOnThroughTheNightlyStopButNotPastTheWatchdog() {
        MoneyMonth.Row seed = rows.get("leaked-key/seed");
        MoneyMonth.Row defaults = rows.get("leaked-key/defaults");
        MoneyMonth.Row watchdog = rows.get("leaked-key/watchdog");
        assertTrue(defaults.billedHours() > seed.billedHours() + 8, "the key's snoozes keep the box on: "
                + defaults.billedHours() + " h against the seed's " + seed.billedHours());
        assertTrue(watchdog.billedHours() <= rows.get("forgetful/watchdog").billedHours() + 0.1,
                "the watchdog stops an idle box whatever the key says");
    }

    @Test
    void theMonthlyCapStopsALeakedKeysBoxWithinASweepOfReachingItAndRefusesTheOwnersStartsAfter() throws Exception {
        double cap = 12;
        MoneyMonth.Setup capped = new MoneyMonth.Setup(FIRST, DAYS, List.of(UsageTraces.LEAKED_START),
                List.of(MoneyPolicy.CAP), IDLE_MINUTES, cap, setup.functionTimeout());
        MoneyMonth.Row row = MoneyMonth.replay(capped).get(0);
        MoneyMonth.Row uncapped = rows.get(UsageTraces.LEAKED_START + "/defaults");
        double tenMinutes = row.hourlyUsd() / 6;
        assertTrue(row.dollars() <= cap + tenMinutes, "the instance's bill stays within the cap (the ledger also"
                + " counts the disk and the address): $" + row.dollars());
        assertTrue(row.dollars() < uncapped.dollars() - 5, "$" + row.dollars() + " against $" + uncapped.dollars());
        MoneyMonth.Stop capStop = row.stops().get(row.stops().size() - 1);
        assertEquals(MoneyMonth.Party.SCHEDULE, capStop.by());
        assertTrue(row.runs().stream().noneMatch(r -> r.from().isAfter(capStop.at())),
                "no start after the cap, by the owner or the key: " + row.runs());
        assertTrue(row.refused() > 0, "the owner's starts are refused once the cap is reached");
        assertEquals(2, row.notices().stream().filter(n -> n.contains("monthly budget")).count(),
                "one notice at 80 % and one at the cap: " + row.notices());
    }

    @Test
    void noRunOutlastsMaxRunHoursWhateverTheLeakedKeySnoozes() {
        Duration ceiling = new BoxConfig("i-0", null, null, null, null, MoneyMonth.SETTINGS).policy().maxRun();
        assertTrue(ceiling.compareTo(Duration.ZERO) > 0, "MaxRunHours is on by default");
        for (String trace : List.of(UsageTraces.LEAKED_SNOOZE, UsageTraces.LEAKED_START)) {
            MoneyMonth.Row row = rows.get(trace + "/defaults");
            for (MoneyMonth.Run run : row.runs()) {
                Duration ran = Duration.between(run.from().minus(MoneyMonth.START_DELAY), run.to());
                assertTrue(ran.compareTo(ceiling.plus(SWEEP_CADENCE)) <= 0, trace + ": a run of " + ran
                        + ", past MaxRunHours " + ceiling);
            }
        }
    }

    /**
     * Issue 18.5: the Spot column is the same billed hours at the Spot price gpubox itself reads for the box's
     * zone and type (DescribeSpotPriceHistory through the real SDK, against the replay's simulator), about
     * half the on-demand dollars for g4dn.xlarge, and the table shows it.
     */
    @Test
    void theSpotColumnIsTheSameHoursAtTheSpotPriceGpuboxReads() throws Exception {
        double simulated;
        try (dev.gpubox.sim.Ec2Simulator sim = dev.gpubox.sim.Ec2Simulator.start(0, java.time.Clock.systemUTC(),
                Duration.ZERO, Duration.ZERO)) {
            simulated = sim.spotPrices().priceAt(dev.gpubox.sim.SpotPrices.BOX_ZONE, MoneyMonth.INSTANCE_TYPE,
                    setup.start());
        }
        String table = MoneyBench.table(setup, List.copyOf(rows.values()), Duration.ofSeconds(1));
        for (MoneyMonth.Row r : rows.values()) {
            assertEquals(simulated, r.spotHourlyUsd(), 1e-9, r.trace().name());
            assertEquals(r.billedHours() * simulated, r.spotDollars(), 1e-9);
            double ratio = r.spotDollars() / r.dollars();
            assertTrue(ratio > 0.4 && ratio < 0.5, "g4dn.xlarge Spot is about 46 % of on-demand: " + ratio);
            assertTrue(table.contains(String.format(java.util.Locale.ROOT, " | $%,.2f | $%,.2f | ", r.dollars(),
                    r.spotDollars())), table);
        }
        assertTrue(table.contains("| billed $ | Spot $ |"), table);
    }

    @Test
    void theTableHasARowPerTraceAndPolicyAndGoesBetweenTheDocsMarkers(@TempDir Path dir) throws Exception {
        String table = MoneyBench.table(setup, List.copyOf(rows.values()), Duration.ofSeconds(1));
        for (MoneyMonth.Row r : rows.values()) {
            assertTrue(table.contains("| " + r.trace().name() + " | " + r.policy().title + " |"), table);
        }
        Path docs = dir.resolve("money.md");
        Files.writeString(docs, "before\n" + MoneyBench.BEGIN + "old\n" + MoneyBench.END + "\nafter\n");
        Bench.replaceBetween(docs, MoneyBench.BEGIN, MoneyBench.END, table);
        assertEquals("before\n" + MoneyBench.BEGIN + table + MoneyBench.END + "\nafter\n", Files.readString(docs));
        String real = Files.readString(Path.of("..", "docs", "money-safety.md"));
        assertTrue(real.contains(MoneyBench.BEGIN) && real.contains(MoneyBench.END),
                "docs/money-safety.md holds the bench's table between its markers");
        for (String trace : UsageTraces.ALL) {
            assertTrue(real.contains("| " + trace + " | "), "docs/money-safety.md's table has " + trace);
        }
    }

    /** The sessions of each work day, in order. */
    private static List<List<UsageTrace.Session>> workDays(UsageTrace trace) {
        return trace.sessions().stream()
                .collect(Collectors.groupingBy(s -> s.from().atZone(MoneyMonth.ZONE).toLocalDate(), java.util.TreeMap::new,
                        Collectors.toList()))
                .values().stream().toList();
    }
}
