package dev.gpubox.bench;

import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.BoxException;
import dev.gpubox.box.MonthlyBudget;
import dev.gpubox.box.Notifier;
import dev.gpubox.box.Pricing;
import dev.gpubox.box.SpotPrices;
import dev.gpubox.box.StateChangeNotices;
import dev.gpubox.functions.ScheduledStopHandler;
import dev.gpubox.local.EndpointClients;
import dev.gpubox.local.LocalContext;
import dev.gpubox.local.SeededBox;
import dev.gpubox.sim.Ec2Simulator;
import dev.gpubox.sim.Ec2State;
import dev.gpubox.sim.Fault;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * A month of usage traces replayed minute by minute against the EC2 simulator, through the real SDK and the
 * real code that stops boxes: {@link ScheduledStopHandler} for the nightly stop and its five-minute sweep (at
 * an offset not aligned to the clock, as Scheduler's {@code rate(5 minutes)} runs), {@link BoxControl} for
 * what the user and a leaked key ask of the API, {@link StateChangeNotices} for EC2's state-change events,
 * and, for the seed, one StopInstances from a 12:00 UTC cron. Each trace under each policy is an account of its
 * own — its own simulator, clock, box and stack — so nothing one replay does (a handler backing off on the
 * clock, an EC2 outage) can move another's.
 *
 * <p>Billing is EC2's: from {@code running} to {@code stopping}, per second with a one-minute minimum per
 * run; {@code pending} and {@code stopping} are not billed. "Used" is the time a trace's sessions overlap
 * a run; "needed" the sessions' whole time. One shortcut: a scheduled run is not invoked while the box is
 * neither running nor pending, since it would make one DescribeInstances and change nothing.
 */
final class MoneyMonth {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final String INSTANCE_TYPE = "g4dn.xlarge";
    static final String NIGHTLY = "20:00";
    /** template.yaml's defaults, in the original user's zone: MaxSnoozeHours, LateStartHours, MaxRunHours unset. */
    static final BoxConfig.Settings SETTINGS = new BoxConfig.Settings(NIGHTLY, ZONE.getId(), null, null, null);
    static final LocalTime SEED_CRON_UTC = LocalTime.NOON;
    static final Duration START_DELAY = Duration.ofSeconds(90);
    static final Duration STOP_DELAY = Duration.ofSeconds(60);
    /** The sweep's schedule was created at 00:02:37: it fires at :02:37, :07:37, ... never on the minute. */
    static final Duration SWEEP_OFFSET = Duration.ofMinutes(2).plusSeconds(37);
    static final Duration SWEEP_RATE = Duration.ofMinutes(5);
    /** How long a user at the desk takes to notice the box went down under them and start it again. */
    static final Duration REACTION = Duration.ofMinutes(5);
    static final Duration MIN_BILLED = Duration.ofMinutes(1);
    static final String TAG_KEY = SeededBox.TAG_KEY;
    /** template.yaml's RootVolumeSize default: the disk the cap counts, billed also while stopped. */
    static final int ROOT_VOLUME_GIB = 100;
    /** More failed calls than any outage's minutes can make: the outage ends by clearing them. */
    static final int FAILED_CALLS = 10_000;

    /** What to replay. */
    record Setup(LocalDate firstDay, int days, List<String> traces, List<MoneyPolicy> policies, int idleMinutes,
                 double budgetUsd, Duration functionTimeout) {
        Instant start() {
            return firstDay.atStartOfDay(ZONE).toInstant();
        }

        Instant end() {
            return firstDay.plusDays(days).atStartOfDay(ZONE).toInstant();
        }
    }

    /** Who made a box stop. */
    enum Party { OWNER, SCHEDULE, SEED, WATCHDOG }

    /** One stop as EC2 saw it begin, with whether it caught a session (the user at work, or a job). */
    record Stop(Instant at, Party by, UsageTrace.Session during) {
    }

    /** From running to stopping. */
    record Run(Instant from, Instant to) {
        Duration billed() {
            Duration d = Duration.between(from, to);
            return d.compareTo(MIN_BILLED) < 0 ? MIN_BILLED : d;
        }
    }

    /**
     * One trace under one policy, over the month. {@code spotHourlyUsd}: the Spot price of the same type in the
     * box's zone, as gpubox reads it (DescribeSpotPriceHistory through the real SDK, here the simulator's).
     */
    record Row(UsageTrace trace, MoneyPolicy policy, double hourlyUsd, double spotHourlyUsd, Duration needed,
               Duration used, List<Run> runs, List<Stop> stops, int refused, List<String> notices) {
        Duration billed() {
            return runs.stream().map(Run::billed).reduce(Duration.ZERO, Duration::plus);
        }

        double billedHours() {
            return billed().toSeconds() / 3600.0;
        }

        double usedHours() {
            return used.toSeconds() / 3600.0;
        }

        double neededButOffHours() {
            return needed.minus(used).toSeconds() / 3600.0;
        }

        double dollars() {
            return billedHours() * hourlyUsd;
        }

        /** The same billed hours as a Spot box, at the Spot price in effect (see docs/money-safety.md for what it leaves out). */
        double spotDollars() {
            return billedHours() * spotHourlyUsd;
        }
    }

    private final Setup setup;
    private final SteppedClock clock;
    private final Ec2Simulator simulator;
    private final Ec2State state;
    private final Ec2Client ec2;
    private final Replay replay;

    private MoneyMonth(Setup setup, SteppedClock clock, Ec2Simulator simulator, Ec2Client ec2, Replay replay) {
        this.setup = setup;
        this.clock = clock;
        this.simulator = simulator;
        this.state = simulator.state();
        this.ec2 = ec2;
        this.replay = replay;
    }

    /** Replays the month and returns one row per trace and policy, in the setup's order. */
    static List<Row> replay(Setup setup) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String name : setup.traces()) {
            UsageTrace trace = UsageTraces.named(name, setup.firstDay(), setup.days(), ZONE);
            for (MoneyPolicy policy : setup.policies()) {
                rows.add(replay(setup, trace, policy));
            }
        }
        return rows;
    }

    /** One trace under one policy, in an account of its own. */
    static Row replay(Setup setup, UsageTrace trace, MoneyPolicy policy) throws IOException {
        SteppedClock clock = new SteppedClock(setup.start());
        // The library's log lines (CloudWatch's, in Lambda) would bury the table: they go nowhere here.
        PrintStream console = System.out;
        try (Ec2Simulator simulator = Ec2Simulator.start(0, clock, START_DELAY, STOP_DELAY);
             Ec2Client ec2 = EndpointClients.ec2(simulator.endpoint())) {
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            MoneyMonth month = new MoneyMonth(setup, clock, simulator, ec2, new Replay(trace, policy));
            month.seed();
            month.run();
            return month.row();
        } finally {
            System.setOut(console);
        }
    }

    // ------------------------------------------------------------------ setting up the account

    private void seed() {
        String name = replay.trace.name() + "/" + replay.policy.id;
        if (replay.policy == MoneyPolicy.SEED) {
            // The seed's box: no gpubox tag, stopped by its Lambda's instance list.
            replay.id = state.seedInstance(INSTANCE_TYPE, "bench", "stopped", Map.of("Name", name));
            return;
        }
        String stack = "bench-" + replay.policy.id;
        replay.id = state.seedInstance(INSTANCE_TYPE, "bench", "stopped", Map.of("Name", name, TAG_KEY, stack));
        String allocation = state.allocateAddress(Map.of(TAG_KEY, stack));
        state.associateAddress(allocation, replay.id, false);
        replay.stack = new Stack(new BoxConfig(replay.id, allocation, TAG_KEY, stack, BoxConfig.DEFAULT_SSH_USER,
                SETTINGS));
        if (replay.policy == MoneyPolicy.WATCHDOG) {
            replay.watchdog = new IdleWatchdog(setup.idleMinutes());
        }
    }

    // ------------------------------------------------------------------ the month

    private void run() {
        Instant start = setup.start();
        Instant end = setup.end();
        Instant sweepEpoch = start.plus(SWEEP_OFFSET);
        Stack stack = replay.stack;
        for (Instant minute = start; minute.isBefore(end); minute = minute.plus(Duration.ofMinutes(1))) {
            clock.moveTo(minute);
            outages(minute);
            people(minute);
            drain(Party.OWNER);
            TreeMap<Instant, List<Runnable>> due = new TreeMap<>();
            if (stack != null) {
                if (minute.atZone(ZONE).toLocalTime().equals(LocalTime.parse(NIGHTLY))) {
                    at(due, minute, () -> stack.invoke(false));
                }
                long toNextSweep = Math.floorMod(-Duration.between(sweepEpoch, minute).getSeconds(),
                        SWEEP_RATE.getSeconds());
                if (toNextSweep < 60) {
                    at(due, minute.plusSeconds(toNextSweep), () -> stack.invoke(false));
                }
                while (!stack.retries.isEmpty() && stack.retries.firstKey().isBefore(minute.plusSeconds(60))) {
                    at(due, stack.retries.pollFirstEntry().getKey(), () -> stack.invoke(true));
                }
            }
            if (replay.policy == MoneyPolicy.SEED && minute.atZone(ZoneOffset.UTC).toLocalTime().equals(SEED_CRON_UTC)) {
                at(due, minute, this::seedLambda);
            }
            Instant reading = replay.watchdog == null ? null : replay.watchdog.readingIn(minute);
            if (reading != null) {
                at(due, reading, this::watchdogReading);
            }
            for (Map.Entry<Instant, List<Runnable>> entry : due.entrySet()) {
                for (Runnable run : entry.getValue()) {
                    clock.moveTo(entry.getKey());
                    run.run();
                }
            }
        }
        clock.moveTo(end);
        drain(Party.OWNER);
        if (replay.runningSince != null) {
            replay.runs.add(new Run(replay.runningSince, end));
            replay.runningSince = null;
        }
    }

    private static void at(TreeMap<Instant, List<Runnable>> due, Instant t, Runnable run) {
        due.computeIfAbsent(t, k -> new ArrayList<>()).add(run);
    }

    /** EC2's bad minutes: every StopInstances fails (500 InternalError) while an outage lasts. */
    private void outages(Instant minute) {
        for (UsageTrace.Outage outage : replay.trace.outages()) {
            if (outage.from().equals(minute)) {
                simulator.faults().inject("StopInstances", Fault.INTERNAL_ERROR, FAILED_CALLS);
            }
            if (outage.to().equals(minute)) {
                simulator.faults().clear();
            }
        }
    }

    /** The owner (and a leaked key's holder) at this minute: the trace's calls, and a start when at the desk. */
    private void people(Instant minute) {
        List<UsageTrace.Action> actions = replay.trace.actions();
        while (replay.nextAction < actions.size() && actions.get(replay.nextAction).at().isBefore(minute.plusSeconds(60))) {
            call(actions.get(replay.nextAction++));
        }
        UsageTrace.Session session = replay.trace.sessionAt(minute);
        if (session == null || !session.attended() || !state.stateOf(replay.id).equals("stopped")) {
            replay.nextStartTry = null;
            return;
        }
        // At the desk and the box is down: start it at once when the session begins (./gpubox up), else after
        // the user noticed. A refused start (the cap: "not until 1 Dec") is not tried again this session.
        if (replay.nextStartTry == null) {
            replay.nextStartTry = minute.equals(session.from()) ? minute : minute.plus(REACTION);
        }
        if (!minute.isBefore(replay.nextStartTry)) {
            boolean accepted = call(new UsageTrace.Action(minute, UsageTrace.Kind.START, null, false));
            replay.nextStartTry = accepted ? minute.plus(REACTION) : session.to();
        }
    }

    /** @return false when the call was refused */
    private boolean call(UsageTrace.Action action) {
        if (replay.policy == MoneyPolicy.SEED) {
            return seedConsole(action);
        }
        try {
            switch (action.kind()) {
                case START -> replay.control.start(0);
                case STOP -> replay.control.stop();
                case SNOOZE_MINUTES -> replay.control.snooze(null, action.value());
                case SNOOZE_UNTIL -> replay.control.snooze(action.value(), null);
            }
            return true;
        } catch (BoxException refused) {
            if (!action.byKeyHolder()) {
                replay.refused++;
            }
            return false;
        }
    }

    /**
     * The seed has no API: its user starts and stops the box in the console (one EC2 call each), cannot
     * snooze, and a leaked gpubox key has nothing to call.
     */
    private boolean seedConsole(UsageTrace.Action action) {
        if (action.byKeyHolder()) {
            return false;
        }
        String now = state.stateOf(replay.id);
        try {
            switch (action.kind()) {
                case START -> {
                    if (now.equals("stopped")) {
                        ec2.startInstances(r -> r.instanceIds(replay.id));
                    }
                }
                case STOP -> {
                    if (now.equals("running")) {
                        ec2.stopInstances(r -> r.instanceIds(replay.id));
                    }
                }
                case SNOOZE_MINUTES, SNOOZE_UNTIL -> {
                    replay.refused++;
                    return false;
                }
            }
            return true;
        } catch (SdkException refused) {
            replay.refused++;
            return false;
        }
    }

    /** seed_stop.py's lambda_handler: {@code ec2.stop_instances(InstanceIds=instances)}, once; a failure is lost. */
    private void seedLambda() {
        try {
            ec2.stopInstances(r -> r.instanceIds(replay.id));
        } catch (SdkException failed) {
            // The invocation fails; nothing runs it again until tomorrow's cron.
        }
        drain(Party.SEED);
    }

    private void watchdogReading() {
        if (replay.watchdog.reading(clock.instant(), replay.trace.sessionAt(clock.instant()) != null)) {
            state.shutDownFromInside(replay.id);
        }
        drain(Party.WATCHDOG);
    }

    /** EC2's state-change events since the last look: billing, the watchdog's boots, StateChangeFunction. */
    private void drain(Party party) {
        for (Ec2State.StateEvent event : state.drainEvents()) {
            switch (event.state()) {
                case "running" -> {
                    replay.runningSince = event.time();
                    if (replay.watchdog != null) {
                        replay.watchdog.booted(event.time());
                    }
                }
                case "stopping" -> {
                    if (replay.runningSince != null) {
                        replay.runs.add(new Run(replay.runningSince, event.time()));
                        replay.runningSince = null;
                    }
                    replay.stops.add(new Stop(event.time(), party, replay.trace.sessionAt(event.time())));
                    if (replay.watchdog != null) {
                        replay.watchdog.stopped();
                    }
                }
                default -> {
                }
            }
            if (replay.stack != null) {
                replay.stack.stateChanges.onStateChange(event.instanceId(), event.state(), event.time());
            }
        }
    }

    // ------------------------------------------------------------------ results

    private Row row() {
        Duration needed = Duration.ZERO;
        Duration used = Duration.ZERO;
        for (UsageTrace.Session s : replay.trace.sessions()) {
            Instant from = max(s.from(), setup.start());
            Instant to = min(s.to(), setup.end());
            if (!to.isAfter(from)) {
                continue;
            }
            needed = needed.plus(Duration.between(from, to));
            for (Run run : replay.runs) {
                Instant a = max(from, run.from());
                Instant b = min(to, run.to());
                if (b.isAfter(a)) {
                    used = used.plus(Duration.between(a, b));
                }
            }
        }
        double spot = new SpotPrices(() -> ec2, clock).usdPerHour(dev.gpubox.sim.SpotPrices.BOX_ZONE, INSTANCE_TYPE);
        return new Row(replay.trace, replay.policy, new Pricing(null).hourly(INSTANCE_TYPE), spot, needed, used,
                List.copyOf(replay.runs), List.copyOf(replay.stops), replay.refused,
                replay.stack == null ? List.of() : List.copyOf(replay.stack.notices));
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    // ------------------------------------------------------------------ the parts

    /** One trace under one policy: its box and what happened to it. */
    private static final class Replay {
        final UsageTrace trace;
        final MoneyPolicy policy;
        String id;
        Stack stack;
        BoxControl control;
        IdleWatchdog watchdog;
        int nextAction;
        Instant nextStartTry;
        Instant runningSince;
        final List<Run> runs = new ArrayList<>();
        final List<Stop> stops = new ArrayList<>();
        int refused;

        Replay(UsageTrace trace, MoneyPolicy policy) {
            this.trace = trace;
            this.policy = policy;
        }
    }

    /** The replay's gpubox stack: one warm container of ScheduledStopFunction and one of StateChangeFunction. */
    private final class Stack {
        final List<String> notices = new ArrayList<>();
        final Notifier notifier = (subject, message) -> notices.add(subject + "\n" + message);
        final TreeMap<Instant, String> retries = new TreeMap<>();
        final ScheduledStopHandler function;
        final StateChangeNotices stateChanges;

        Stack(BoxConfig config) {
            MonthlyBudget budget = replay.policy == MoneyPolicy.CAP ? capped(config) : MonthlyBudget.off(config);
            replay.control = new BoxControl(ec2, config, clock, clock, notifier, budget);
            function = new ScheduledStopHandler(ec2, config, notifier, clock, clock, budget);
            stateChanges = new StateChangeNotices(ec2, config, notifier, budget);
        }

        /**
         * MonthlyBudgetUsd over a ledger in memory (MemoryLedger, local mode's: the same upsert rules as the
         * deployed DynamoLedger) fed by the same state-change events and sweeps; prices from gpubox's table (no
         * Price List API offline), the disk at template.yaml's default RootVolumeSize.
         */
        private MonthlyBudget capped(BoxConfig config) {
            return MonthlyBudget.inMemory(config, setup.budgetUsd(), ROOT_VOLUME_GIB, clock);
        }

        /** One invocation of ScheduledStopFunction; a failed one is retried as Lambda retries async invokes. */
        void invoke(boolean retry) {
            String now = state.stateOf(replay.id);
            if (!now.equals("running") && !now.equals("pending")) {
                return;
            }
            Instant started = clock.instant();
            try {
                function.handleRequest(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)),
                        new ByteArrayOutputStream(), new LocalContext("ScheduledStopFunction", setup.functionTimeout(),
                                clock, line -> { }));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (RuntimeException failed) {
                if (!retry) {
                    retries.put(started.plusSeconds(60), "retry 1");
                    retries.put(started.plusSeconds(180), "retry 2");
                }
            }
            drain(Party.SCHEDULE);
        }
    }
}
