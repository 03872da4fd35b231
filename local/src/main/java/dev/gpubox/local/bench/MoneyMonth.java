package dev.gpubox.local.bench;

import dev.gpubox.box.AwsClients;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.BoxException;
import dev.gpubox.box.Notifier;
import dev.gpubox.box.StateChangeNotices;
import dev.gpubox.functions.ScheduledStopHandler;
import dev.gpubox.local.LocalContext;
import dev.gpubox.local.SeededBox;
import dev.gpubox.local.sim.Ec2Simulator;
import dev.gpubox.local.sim.Ec2State;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * and, for the seed, one StopInstances from a 12:00 UTC cron. Every policy's boxes live in the same
 * simulator on the same clock; each trace and policy has a box of its own.
 *
 * <p>Billing is EC2's: from {@code running} to {@code stopping}, per second with a one-minute minimum per
 * run; {@code pending} and {@code stopping} are not billed. "Used" is the time a trace's sessions overlap
 * a run; "needed" the sessions' whole time. One shortcut: a scheduled run is not invoked while none of its
 * stack's boxes is running or pending, since it would make one DescribeInstances and change nothing.
 */
final class MoneyMonth {
    static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    static final String INSTANCE_TYPE = "g4dn.xlarge";
    static final String NIGHTLY = "20:00";
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

    /** One trace under one policy, over the month. */
    record Row(UsageTrace trace, MoneyPolicy policy, double hourlyUsd, Duration needed, Duration used, List<Run> runs,
               List<Stop> stops, int starts, int refused, int notices) {
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
    }

    private final Setup setup;
    private final SteppedClock clock;
    private final Ec2Simulator simulator;
    private final Ec2State state;
    private final Ec2Client ec2;
    private final List<Replay> replays = new ArrayList<>();
    private final Map<String, Replay> byInstance = new LinkedHashMap<>();
    private final List<Stack> stacks = new ArrayList<>();

    private MoneyMonth(Setup setup, SteppedClock clock, Ec2Simulator simulator, Ec2Client ec2) {
        this.setup = setup;
        this.clock = clock;
        this.simulator = simulator;
        this.state = simulator.state();
        this.ec2 = ec2;
    }

    /** Replays the month and returns one row per trace and policy, in the setup's order. */
    static List<Row> replay(Setup setup) throws IOException {
        SteppedClock clock = new SteppedClock(setup.start());
        try (Ec2Simulator simulator = Ec2Simulator.start(0, clock, START_DELAY, STOP_DELAY);
             Ec2Client ec2 = clientFor(simulator.endpoint())) {
            MoneyMonth month = new MoneyMonth(setup, clock, simulator, ec2);
            month.seed();
            month.run();
            return month.rows();
        }
    }

    // ------------------------------------------------------------------ setting up the account

    private void seed() {
        BoxConfig.Settings settings = new BoxConfig.Settings(NIGHTLY, ZONE.getId(), null, null, null);
        Map<MoneyPolicy, Stack> shared = new LinkedHashMap<>();
        for (String name : setup.traces()) {
            UsageTrace trace = UsageTraces.named(name, setup.firstDay(), setup.days(), ZONE);
            for (MoneyPolicy policy : setup.policies()) {
                Replay replay = new Replay(trace, policy);
                String boxName = trace.name() + "/" + policy.id;
                if (policy == MoneyPolicy.SEED) {
                    // The seed's box: no gpubox tag, stopped by its Lambda's instance list.
                    replay.id = state.seedInstance(INSTANCE_TYPE, "bench", "stopped", Map.of("Name", boxName));
                } else {
                    // One stack per policy, its boxes side by side; the cap is a stack's, so each trace gets its own.
                    Stack stack = policy == MoneyPolicy.CAP ? null : shared.get(policy);
                    if (stack == null) {
                        stack = new Stack("bench-" + policy.id + (policy == MoneyPolicy.CAP ? "-" + trace.name() : ""));
                        stacks.add(stack);
                        if (policy != MoneyPolicy.CAP) {
                            shared.put(policy, stack);
                        }
                    }
                    replay.id = state.seedInstance(INSTANCE_TYPE, "bench", "stopped",
                            Map.of("Name", boxName, TAG_KEY, stack.tagValue));
                    String allocation = state.allocateAddress(Map.of(TAG_KEY, stack.tagValue));
                    state.associateAddress(allocation, replay.id, false);
                    BoxConfig config = new BoxConfig(replay.id, allocation, TAG_KEY, stack.tagValue,
                            BoxConfig.DEFAULT_SSH_USER, settings);
                    stack.add(replay, config);
                    replay.stack = stack;
                    if (policy == MoneyPolicy.WATCHDOG) {
                        replay.watchdog = new IdleWatchdog(setup.idleMinutes());
                    }
                }
                replay.name = boxName;
                replays.add(replay);
                byInstance.put(replay.id, replay);
            }
        }
        stacks.forEach(Stack::wire);
    }

    // ------------------------------------------------------------------ the month

    private void run() {
        Instant start = setup.start();
        Instant end = setup.end();
        Instant sweepEpoch = start.plus(SWEEP_OFFSET);
        for (Instant minute = start; minute.isBefore(end); minute = minute.plus(Duration.ofMinutes(1))) {
            clock.moveTo(minute);
            for (Replay replay : replays) {
                people(replay, minute);
                drain(Party.OWNER);
            }
            TreeMap<Instant, List<Runnable>> due = new TreeMap<>();
            boolean nightly = minute.atZone(ZONE).toLocalTime().equals(LocalTime.parse(NIGHTLY));
            long toNextSweep = Math.floorMod(-Duration.between(sweepEpoch, minute).getSeconds(), SWEEP_RATE.getSeconds());
            for (Stack stack : stacks) {
                if (nightly) {
                    at(due, minute, () -> stack.invoke(false));
                }
                if (toNextSweep < 60) {
                    at(due, minute.plusSeconds(toNextSweep), () -> stack.invoke(false));
                }
                while (!stack.retries.isEmpty() && stack.retries.firstKey().isBefore(minute.plusSeconds(60))) {
                    at(due, stack.retries.pollFirstEntry().getKey(), () -> stack.invoke(true));
                }
            }
            boolean seedCron = minute.atZone(ZoneOffset.UTC).toLocalTime().equals(SEED_CRON_UTC);
            for (Replay replay : replays) {
                if (seedCron && replay.policy == MoneyPolicy.SEED) {
                    at(due, minute, () -> seedLambda(replay));
                }
                Instant reading = replay.watchdog == null ? null : replay.watchdog.readingIn(minute);
                if (reading != null) {
                    at(due, reading, () -> watchdogReading(replay));
                }
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
        for (Replay replay : replays) {
            if (replay.runningSince != null) {
                replay.runs.add(new Run(replay.runningSince, end));
                replay.runningSince = null;
            }
        }
    }

    private static void at(TreeMap<Instant, List<Runnable>> due, Instant t, Runnable run) {
        due.computeIfAbsent(t, k -> new ArrayList<>()).add(run);
    }

    /** The owner (and a leaked key's holder) at this minute: the trace's calls, and a start when at the desk. */
    private void people(Replay replay, Instant minute) {
        List<UsageTrace.Action> actions = replay.trace.actions();
        while (replay.nextAction < actions.size() && actions.get(replay.nextAction).at().isBefore(minute.plusSeconds(60))) {
            call(replay, actions.get(replay.nextAction++));
        }
        UsageTrace.Session session = replay.trace.sessionAt(minute);
        if (session == null || !session.attended() || !state.stateOf(replay.id).equals("stopped")) {
            replay.nextStartTry = null;
            return;
        }
        // At the desk and the box is down: start it at once when the session begins (./gpubox up), else after
        // the user noticed; a refused start is tried again as often.
        if (replay.nextStartTry == null) {
            replay.nextStartTry = minute.equals(session.from()) ? minute : minute.plus(REACTION);
        }
        if (!minute.isBefore(replay.nextStartTry)) {
            call(replay, new UsageTrace.Action(minute, UsageTrace.Kind.START, null, false));
            replay.nextStartTry = minute.plus(REACTION);
        }
    }

    private void call(Replay replay, UsageTrace.Action action) {
        if (replay.policy == MoneyPolicy.SEED) {
            seedConsole(replay, action);
            return;
        }
        try {
            switch (action.kind()) {
                case START -> {
                    if (replay.control.start(0).accepted() && !action.byKeyHolder()) {
                        replay.starts++;
                    }
                }
                case STOP -> replay.control.stop();
                case SNOOZE_MINUTES -> replay.control.snooze(null, action.value());
                case SNOOZE_UNTIL -> replay.control.snooze(action.value(), null);
            }
        } catch (BoxException refused) {
            if (!action.byKeyHolder()) {
                replay.refused++;
            }
        }
    }

    /**
     * The seed has no API: its user starts and stops the box in the console (one EC2 call each), cannot
     * snooze, and a leaked gpubox key has nothing to call.
     */
    private void seedConsole(Replay replay, UsageTrace.Action action) {
        if (action.byKeyHolder()) {
            return;
        }
        String now = state.stateOf(replay.id);
        try {
            switch (action.kind()) {
                case START -> {
                    if (now.equals("stopped")) {
                        ec2.startInstances(r -> r.instanceIds(replay.id));
                        replay.starts++;
                    }
                }
                case STOP -> {
                    if (now.equals("running")) {
                        ec2.stopInstances(r -> r.instanceIds(replay.id));
                    }
                }
                case SNOOZE_MINUTES, SNOOZE_UNTIL -> replay.refused++;
            }
        } catch (SdkException refused) {
            replay.refused++;
        }
    }

    /** seed_stop.py's lambda_handler: {@code ec2.stop_instances(InstanceIds=instances)}, once; a failure is lost. */
    private void seedLambda(Replay replay) {
        try {
            ec2.stopInstances(r -> r.instanceIds(replay.id));
        } catch (SdkException failed) {
            replay.seedFailures++;
        }
        drain(Party.SEED);
    }

    private void watchdogReading(Replay replay) {
        if (replay.watchdog.reading(clock.instant(), replay.trace.sessionAt(clock.instant()) != null)) {
            state.shutDownFromInside(replay.id);
        }
        drain(Party.WATCHDOG);
    }

    /** EC2's state-change events since the last look: billing, the watchdog's boots, StateChangeFunction. */
    private void drain(Party party) {
        for (Ec2State.StateEvent event : state.drainEvents()) {
            Replay replay = byInstance.get(event.instanceId());
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

    private List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (Replay replay : replays) {
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
            int notices = replay.stack == null ? 0 : replay.stack.noticesAbout(replay.name);
            Double hourly = new dev.gpubox.box.Pricing(null).hourly(INSTANCE_TYPE);
            rows.add(new Row(replay.trace, replay.policy, hourly, needed, used, List.copyOf(replay.runs),
                    List.copyOf(replay.stops), replay.starts, replay.refused, notices));
        }
        return rows;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /**
     * The handlers' own EC2 client (AwsClients.createEc2(), which sets no endpoint) pointed at the simulator
     * through the SDK's standard setting, as AWS_ENDPOINT_URL_EC2 does for a process; the property is put back
     * at once, so nothing else in this JVM is pointed anywhere.
     */
    static synchronized Ec2Client clientFor(URI endpoint) {
        String previous = System.getProperty("aws.endpointUrlEc2");
        System.setProperty("aws.endpointUrlEc2", endpoint.toString());
        setIfAbsent("aws.region", "us-west-2");
        setIfAbsent("aws.accessKeyId", "bench");
        setIfAbsent("aws.secretAccessKey", "bench");
        try {
            return AwsClients.createEc2();
        } finally {
            if (previous == null) {
                System.clearProperty("aws.endpointUrlEc2");
            } else {
                System.setProperty("aws.endpointUrlEc2", previous);
            }
        }
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    // ------------------------------------------------------------------ the parts

    /** One trace under one policy: its box and what happened to it. */
    private static final class Replay {
        final UsageTrace trace;
        final MoneyPolicy policy;
        String id;
        String name;
        Stack stack;
        BoxControl control;
        IdleWatchdog watchdog;
        int nextAction;
        Instant nextStartTry;
        Instant runningSince;
        final List<Run> runs = new ArrayList<>();
        final List<Stop> stops = new ArrayList<>();
        int starts;
        int refused;
        int seedFailures;

        Replay(UsageTrace trace, MoneyPolicy policy) {
            this.trace = trace;
            this.policy = policy;
        }
    }

    /** A gpubox stack: its boxes, one warm container of ScheduledStopFunction and one of StateChangeFunction. */
    private final class Stack {
        final String tagValue;
        final List<Replay> boxes = new ArrayList<>();
        final List<String> notices = new ArrayList<>();
        final Notifier notifier = (subject, message) -> notices.add(subject + "\n" + message);
        final TreeMap<Instant, String> retries = new TreeMap<>();
        BoxConfig config;
        ScheduledStopHandler function;
        StateChangeNotices stateChanges;

        Stack(String tagValue) {
            this.tagValue = tagValue;
        }

        void add(Replay replay, BoxConfig boxConfig) {
            boxes.add(replay);
            if (config == null) {
                config = boxConfig;
            }
            replay.control = new BoxControl(ec2, boxConfig, clock, clock, notifier);
        }

        void wire() {
            function = new ScheduledStopHandler(ec2, config, notifier, clock, clock);
            stateChanges = new StateChangeNotices(ec2, config, notifier);
        }

        /** One invocation of ScheduledStopFunction; a failed one is retried as Lambda retries async invokes. */
        void invoke(boolean retry) {
            if (boxes.stream().map(b -> state.stateOf(b.id)).noneMatch(s -> s.equals("running") || s.equals("pending"))) {
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

        int noticesAbout(String boxName) {
            return (int) notices.stream().filter(n -> n.contains("GPU box " + boxName + " ")).count();
        }
    }
}
