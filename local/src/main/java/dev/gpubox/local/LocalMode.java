package dev.gpubox.local;

import dev.gpubox.box.AwsClients;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxException;
import dev.gpubox.box.MonthlyBudget;
import dev.gpubox.box.Notifier;
import dev.gpubox.box.SpotNotices;
import dev.gpubox.box.StateChangeNotices;
import dev.gpubox.sim.Ec2Simulator;
import dev.gpubox.sim.Ec2State;
import dev.gpubox.sim.SpotRequests;
import java.io.IOException;
import java.net.BindException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * {@code ./gpubox local}: the deployed API on 127.0.0.1:3000, served by the same handler classes, against
 * an embedded EC2 simulator (default), real AWS ({@code --aws}) or any EC2-compatible endpoint
 * ({@code --ec2-endpoint URL}).
 */
public final class LocalMode {
    static final String USAGE = """
            usage: ./gpubox local [options]
              --port N              port of the local API on 127.0.0.1 (default 3000)
              --api-key KEY         the x-api-key to require (default: a random one, printed)
              --start-seconds N     simulator: how long a start stays pending (default 20)
              --stop-seconds N      simulator: how long a stop stays stopping (default 15)
              --shutdown-time HH:MM the nightly stop (default 20:00)
              --timezone ZONE       its time zone (default: this computer's own zone)
              --max-snooze-hours N  the longest snooze (default 12)
              --late-start-hours N  a box started after the nightly stop stops N hours later (default 4;
                                    0: at the next nightly stop)
              --monthly-budget USD  MonthlyBudgetUsd: the month's cap (default 0, off); the spend ledger is in
                                    memory, so the month counts this process's runs only
              --max-run-hours N     no run lasts longer than N hours, snoozed or not (default 24; 0: no limit)
              --fault ACTION=CODE[xN]  simulator: fail the next N (default 1) ACTION calls with any EC2 error
                                    CODE, e.g. StartInstances=VcpuLimitExceeded (shown at once) or
                                    StartInstances=InsufficientInstanceCapacityx4: the SDK retries throttling
                                    and 5xx errors 3 times, so x3 or fewer of those is absorbed and unseen
              --start-fails N       simulator: the next N starts go pending, then back to stopped
                                    (Server.InsufficientInstanceCapacity), as EC2 does when capacity runs out
              --fallback-types LIST FallbackInstanceTypes, e.g. g5.xlarge,g6.xlarge: on a start EC2 has no
                                    capacity for, the box's type changes to the next one and it starts again
              --sold-out TYPE[:late]  simulator: EC2 has no capacity for TYPE (repeatable): a start of it is
                                    refused at once (InsufficientInstanceCapacity), or with :late accepted and
                                    then back to stopped; e.g. --sold-out g4dn.xlarge --fallback-types g5.xlarge
              --gateway-fault STATUS[xN][:bare]  test/local facility: the next N (default 1) keyed API
                                    requests get API Gateway's own reply with STATUS (500, 502, 503, 504: what
                                    a tap on a function Lambda cannot run gets; 429: the daily quota) and no
                                    handler runs, e.g. 502x2 shows the panel's and the CLI's "waking up"
                                    retries; :bare gives a 5xx the bare {"message": ...} body of a stack
                                    deployed before the template's GatewayResponses, e.g. 502:bare
              --spot                simulator: the box is a Spot instance (UseSpot=true) with its persistent
                                    Spot request; right after a stop, a start waits for the request to settle
              --spot-interrupt-after N  simulator, with --spot: N seconds into the box's next run AWS
                                    interrupts it: the two-minute warning (a notice), then EC2 stops it
                                    (Server.SpotInstanceShutdown); /start says it restarts when capacity
                                    returns, and EC2 restarts it itself --spot-capacity-after seconds later
              --spot-warning-seconds N  the warning's lead before EC2 stops the box (default 120, as AWS)
              --spot-capacity-after N   capacity returns N seconds after the interruption's stop (default 60)
              --ec2-endpoint URL    use this EC2-compatible endpoint (LocalStack, moto) instead of the simulator
              --aws                 use real AWS: the default credential chain and region
              --instance-id ID      the box, with --aws or --ec2-endpoint (or GPUBOX_INSTANCE_ID)
              --allocation-id ID    its Elastic IP, with --aws or --ec2-endpoint (or GPUBOX_EIP_ALLOCATION_ID)
              --managed-tag KEY=VALUE  the tag of the boxes the nightly stop stops, with --aws or
                                    --ec2-endpoint (or GPUBOX_MANAGED_TAG; the stack's is gpubox:stack=NAME)
            """;

    private LocalMode() {
    }

    public static void main(String[] args) throws Exception {
        deleteOwnCopyOnExit();
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("gpubox local: " + e.getMessage() + "\n\n" + USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.print(USAGE);
            return;
        }
        List<AutoCloseable> running = new ArrayList<>();
        Ec2Simulator simulator = null;
        BoxConfig config;
        String backend;
        if (options.aws || options.endpoint != null) {
            config = options.boxFromFlagsOrEnvironment().withSettings(options.settings());
            if (options.endpoint != null) {
                // The SDK's own setting, the JVM twin of AWS_ENDPOINT_URL_EC2: the handlers set no endpoint.
                System.setProperty("aws.endpointUrlEc2", options.endpoint);
                offlineDefaults();
                backend = "EC2 endpoint " + options.endpoint;
            } else {
                backend = "real AWS (default credential chain and region)";
            }
        } else {
            simulator = Ec2Simulator.start(0, Clock.systemUTC(),
                    Duration.ofSeconds(options.startSeconds), Duration.ofSeconds(options.stopSeconds));
            running.add(simulator);
            simulator.state().failNextStarts(options.startFails);
            for (FaultFlag f : options.faults) {
                simulator.faults().inject(f.action, f.code, f.times);
            }
            for (var soldOut : options.soldOut.entrySet()) {
                simulator.state().soldOut(soldOut.getKey(), soldOut.getValue());
            }
            config = SeededBox.seed(simulator.state(), options.fallbackTypes, options.spot)
                    .withSettings(options.settings());
            if (options.spotInterruptAfter != null) {
                simulator.state().spotRequests().capacityReturnsAfter(Duration.ofSeconds(options.spotCapacityAfter))
                        .interruptWhenRunningFor(config.instanceId(), Duration.ofSeconds(options.spotInterruptAfter),
                                Duration.ofSeconds(options.spotWarningSeconds));
            }
            System.setProperty("aws.endpointUrlEc2", simulator.endpoint().toString());
            offlineDefaults();
            backend = "the embedded EC2 simulator at " + simulator.endpoint() + " (one stopped "
                    + (options.spot ? "Spot " : "") + "g4dn.xlarge, "
                    + "Elastic IP attached; starts take " + options.startSeconds + " s, stops "
                    + options.stopSeconds + " s)";
        }
        Ec2Client ec2 = AwsClients.createEc2();
        running.add(0, ec2);
        Notifier console = (subject, message) -> System.out.println("[notice] " + message);
        MonthlyBudget budget = options.budget(config);
        LocalApi api;
        try {
            api = LocalApi.start(options.port, options.apiKey, ec2, config, console, budget);
        } catch (BindException taken) {
            System.err.println("gpubox local: port " + options.port + " on 127.0.0.1 is already in use."
                    + " Stop whatever holds it, or pass --port N.");
            closeAll(running);
            System.exit(1);
            return;
        }
        running.add(0, api);
        options.gatewayFaults.forEach(f -> api.gatewayFaults().inject(f.status(), f.times(), f.bare()));
        if (simulator != null) {
            running.add(0, scheduleLikeAws(simulator, api, new StateChangeNotices(ec2, config, console, budget),
                    new SpotNotices(ec2, config, console)));
        }
        printBanner(api, options.apiKey, backend, simulator != null);

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeAll(running);
            System.out.println("\ngpubox local mode stopped.");
            stopped.countDown();
        }, "gpubox-local-shutdown"));
        stopped.await();
    }

    /**
     * What AWS does around the functions, for the simulator: EC2's stopped events become notices (every
     * second), and the five-minute sweep runs every minute, so a snooze end stops the box by itself.
     */
    private static AutoCloseable scheduleLikeAws(Ec2Simulator simulator, LocalApi api, StateChangeNotices notices,
                                                 SpotNotices spotNotices) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gpubox-local-schedules");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            for (SpotRequests.Notice spot : simulator.state().spotRequests().drainNotices()) {
                try {
                    spotNotices.onSpotEvent(spot.detailType(), spot.instanceId(), spot.instanceAction(), spot.time());
                } catch (Throwable e) {
                    System.out.println("[notice failed] " + e);
                }
            }
            for (Ec2State.StateEvent event : simulator.state().drainEvents()) {
                try {
                    notices.onStateChange(event.instanceId(), event.state(), event.time());
                } catch (Throwable e) {
                    System.out.println("[notice failed] " + e);
                }
            }
        }, 1, 1, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(survivingAnything("sweep", () -> {
            String report = api.runScheduledStop(false);
            if (!report.contains("\"stopped\":[]")) {
                System.out.println("[sweep] " + report);
            }
        }), 60, 60, TimeUnit.SECONDS);
        return timer::shutdownNow;
    }

    /**
     * {@code ./gpubox local} runs a copy of the jar in a directory of its own (so a rebuild cannot pull
     * classes from under it) and names it in {@code gpubox.local.ownCopy}; it goes when this JVM does.
     */
    private static void deleteOwnCopyOnExit() {
        String dir = System.getProperty("gpubox.local.ownCopy");
        if (dir == null || dir.isBlank()) {
            return;
        }
        java.nio.file.Path copy = java.nio.file.Path.of(dir);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (var files = java.nio.file.Files.list(copy)) {
                for (java.nio.file.Path f : files.toList()) {
                    java.nio.file.Files.deleteIfExists(f);
                }
                java.nio.file.Files.deleteIfExists(copy);
            } catch (IOException | RuntimeException ignored) {
                // a temporary directory; the system cleans it up in the end
            }
        }, "gpubox-local-own-copy"));
    }

    /** A step of a repeating task. */
    interface Step {
        void run() throws Exception;
    }

    /**
     * A scheduled executor silently cancels a task that throws, so a failed sweep would be the last one:
     * a snoozed box would then run past its end. This logs any throwable — Errors too, such as the
     * NoClassDefFoundError a jar rebuilt under a running JVM gives — and lets the next run happen.
     */
    static Runnable survivingAnything(String label, Step step) {
        return () -> {
            try {
                step.run();
            } catch (Throwable e) {
                System.out.println("[" + label + " failed] " + e);
            }
        };
    }

    private static void printBanner(LocalApi api, String key, String backend, boolean simulated) {
        String url = api.url().toString();
        System.out.println("gpubox local mode: the gpubox API on " + url + ", backed by " + backend + ".");
        System.out.println();
        System.out.println("API key (x-api-key): " + key);
        System.out.println("Routes: GET " + url + "/status, POST " + url + "/start[?wait=N], POST " + url
                + "/stop, POST " + url + "/eip[?force=true]");
        System.out.println("Phone panel (GET /, no key; open it in a browser): " + url + "/");
        System.out.println();
        System.out.println("Try:");
        System.out.println("  curl -s -H 'x-api-key: " + key + "' " + url + "/status");
        System.out.println("  curl -s -X POST -H 'x-api-key: " + key + "' '" + url + "/start?wait=25'");
        System.out.println("  curl -s -X POST -H 'x-api-key: " + key + "' " + url + "/stop");
        System.out.println("Keep it on past the nightly stop, then end that:");
        System.out.println("  curl -s -X POST -H 'x-api-key: " + key + "' '" + url + "/snooze?minutes=2'");
        System.out.println("  curl -s -X DELETE -H 'x-api-key: " + key + "' " + url + "/snooze");
        System.out.println("Fire the nightly stop by hand (as if ShutdownTime were now):");
        System.out.println("  curl -s -X POST -H 'x-api-key: " + key + "' " + url + LocalApi.SCHEDULED_STOP_PATH);
        if (simulated) {
            System.out.println("The five-minute sweep runs every minute here, and notices are printed as [notice].");
        }
        System.out.println();
        System.out.println("Ctrl-C stops local mode.");
    }

    /** Offline endpoints still need a region and (ignored) credentials for the SDK to sign requests. */
    private static void offlineDefaults() {
        if (System.getenv("AWS_REGION") == null && System.getProperty("aws.region") == null) {
            System.setProperty("aws.region", "us-west-2");
        }
        if (System.getenv("AWS_ACCESS_KEY_ID") == null && System.getProperty("aws.accessKeyId") == null) {
            System.setProperty("aws.accessKeyId", "local");
            System.setProperty("aws.secretAccessKey", "local");
        }
    }

    private static void closeAll(List<AutoCloseable> running) {
        for (AutoCloseable c : running) {
            try {
                c.close();
            } catch (Exception ignored) {
                // shutting down anyway
            }
        }
    }

    record FaultFlag(String action, String code, int times) {
    }

    record GatewayFaultFlag(int status, int times, boolean bare) {
        GatewayFaultFlag(int status, int times) {
            this(status, times, false);
        }
    }

    static final class Options {
        int port = 3000;
        String apiKey = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        int startSeconds = 20;
        int stopSeconds = 15;
        int startFails;
        String shutdownTime;
        String timezone;
        String maxSnoozeHours;
        String lateStartHours;
        double monthlyBudget;
        String maxRunHours;
        boolean aws;
        boolean help;
        String endpoint;
        String instanceId;
        String allocationId;
        String managedTag;
        final List<FaultFlag> faults = new ArrayList<>();
        /** --sold-out: type → sold out only after accepting the start (":late"). */
        final java.util.Map<String, Boolean> soldOut = new java.util.LinkedHashMap<>();
        String fallbackTypes = "";
        boolean spot;
        Integer spotInterruptAfter;
        int spotWarningSeconds = 120;
        int spotCapacityAfter = 60;
        final List<GatewayFaultFlag> gatewayFaults = new ArrayList<>();

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--help", "-h" -> o.help = true;
                    case "--aws" -> o.aws = true;
                    case "--port" -> o.port = number(arg, value(args, ++i, arg), 1, 65535);
                    case "--api-key" -> o.apiKey = value(args, ++i, arg);
                    case "--start-seconds" -> o.startSeconds = number(arg, value(args, ++i, arg), 0, 3600);
                    case "--stop-seconds" -> o.stopSeconds = number(arg, value(args, ++i, arg), 0, 3600);
                    case "--ec2-endpoint" -> o.endpoint = value(args, ++i, arg);
                    case "--instance-id" -> o.instanceId = value(args, ++i, arg);
                    case "--allocation-id" -> o.allocationId = value(args, ++i, arg);
                    case "--managed-tag" -> o.managedTag = managedTag(value(args, ++i, arg));
                    case "--fault" -> o.faults.add(fault(value(args, ++i, arg)));
                    case "--fallback-types" -> o.fallbackTypes = fallbackTypes(value(args, ++i, arg));
                    case "--sold-out" -> {
                        String spec = value(args, ++i, arg);
                        String type = spec.endsWith(":late") ? spec.substring(0, spec.length() - 5) : spec;
                        if (!type.matches("[a-z0-9-]+\\.[a-z0-9]+")) {
                            throw new IllegalArgumentException("--sold-out takes an instance type, e.g. g4dn.xlarge"
                                    + " or g4dn.xlarge:late, not " + spec);
                        }
                        o.soldOut.put(type, spec.endsWith(":late"));
                    }
                    case "--spot" -> o.spot = true;
                    case "--spot-interrupt-after" -> o.spotInterruptAfter = number(arg, value(args, ++i, arg), 0, 86400);
                    case "--spot-warning-seconds" -> o.spotWarningSeconds = number(arg, value(args, ++i, arg), 0, 3600);
                    case "--spot-capacity-after" -> o.spotCapacityAfter = number(arg, value(args, ++i, arg), 0, 86400);
                    case "--gateway-fault" -> o.gatewayFaults.add(gatewayFault(value(args, ++i, arg)));
                    case "--shutdown-time" -> o.shutdownTime = value(args, ++i, arg);
                    case "--timezone" -> o.timezone = value(args, ++i, arg);
                    case "--max-snooze-hours" -> o.maxSnoozeHours = value(args, ++i, arg);
                    case "--late-start-hours" -> o.lateStartHours = value(args, ++i, arg);
                    case "--max-run-hours" -> o.maxRunHours = value(args, ++i, arg);
                    case "--start-fails" -> o.startFails = number(arg, value(args, ++i, arg), 0, 1000);
                    case "--monthly-budget" -> o.monthlyBudget = number(arg, value(args, ++i, arg), 0, 1_000_000);
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            if (o.aws && o.endpoint != null) {
                throw new IllegalArgumentException("--aws and --ec2-endpoint exclude each other");
            }
            if ((!o.faults.isEmpty() || o.startFails > 0 || !o.soldOut.isEmpty() || !o.fallbackTypes.isEmpty())
                    && (o.aws || o.endpoint != null)) {
                throw new IllegalArgumentException("--fault, --start-fails, --sold-out and --fallback-types need the"
                        + " embedded simulator (a deployed stack sets FallbackInstanceTypes)");
            }
            if (o.spotInterruptAfter != null && !o.spot) {
                throw new IllegalArgumentException("--spot-interrupt-after needs --spot (an on-demand box is never"
                        + " interrupted)");
            }
            if (o.spot && (o.aws || o.endpoint != null)) {
                throw new IllegalArgumentException("--spot and --spot-interrupt-after need the embedded simulator (a"
                        + " deployed stack's box is Spot when deployed with UseSpot=true)");
            }
            try {
                new BoxConfig(null, null, null, null, "ubuntu", o.settings()).policy();
            } catch (BoxException bad) {
                throw new IllegalArgumentException("--shutdown-time, --timezone, --max-snooze-hours, --late-start-hours or --max-run-hours is not valid: "
                        + bad.getMessage());
            }
            return o;
        }

        BoxConfig.Settings settings() {
            // The laptop's zone unless told: local mode's nightly stop is at 20:00 where the user sits.
            return new BoxConfig.Settings(shutdownTime, timezone == null ? ZoneId.systemDefault().getId() : timezone,
                    maxSnoozeHours, null, null, lateStartHours,
                    maxRunHours);
        }

        /**
         * The spend ledger in memory (this process's runs only) with {@code --monthly-budget USD} as the cap;
         * prices are the built-in table, as no Price List API is reached offline.
         */
        MonthlyBudget budget(BoxConfig config) {
            return MonthlyBudget.inMemory(config, monthlyBudget, 100, Clock.systemUTC());
        }

        BoxConfig boxFromFlagsOrEnvironment() {
            Map<String, String> env = new java.util.HashMap<>(System.getenv());
            if (instanceId != null) {
                env.put(BoxConfig.INSTANCE_ID, instanceId);
            }
            if (allocationId != null) {
                env.put(BoxConfig.EIP_ALLOCATION_ID, allocationId);
            }
            if (managedTag != null) {
                env.put(BoxConfig.MANAGED_TAG, managedTag);
            }
            BoxConfig config = BoxConfig.from(env);
            if (config.instanceId() == null) {
                System.err.println("gpubox local: with --aws or --ec2-endpoint, name the box with --instance-id"
                        + " (or GPUBOX_INSTANCE_ID).");
                System.exit(2);
            }
            if (config.managedTagKey() == null) {
                System.err.println("gpubox local: no --managed-tag KEY=VALUE (or GPUBOX_MANAGED_TAG): "
                        + LocalApi.SCHEDULED_STOP_PATH + " and the nightly stop will refuse to run.");
            }
            return config;
        }

        private static String value(String[] args, int i, String flag) {
            if (i >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return args[i];
        }

        private static int number(String flag, String raw, int min, int max) {
            try {
                int n = Integer.parseInt(raw);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException(flag + " takes a whole number from " + min + " to " + max);
        }

        /** KEY=VALUE, both non-empty. */
        private static String managedTag(String spec) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new IllegalArgumentException("--managed-tag takes KEY=VALUE, e.g. gpubox:stack=gpubox");
            }
            return spec;
        }

        /** STATUS, STATUSxN, either with :bare; STATUS one of {@link GatewayFaults#STATUSES}, a 5xx when bare. */
        private static GatewayFaultFlag gatewayFault(String spec) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{3})(?:x(\\d+))?(:bare)?").matcher(spec);
            if (!m.matches() || !GatewayFaults.STATUSES.contains(Integer.parseInt(m.group(1)))
                    || (m.group(3) != null && Integer.parseInt(m.group(1)) < 500)) {
                throw new IllegalArgumentException("--gateway-fault takes STATUS[xN][:bare] with STATUS one of "
                        + new java.util.TreeSet<>(GatewayFaults.STATUSES) + " (a 5xx with :bare), e.g. 502x2 or"
                        + " 502:bare; not " + spec);
            }
            int times = m.group(2) == null ? 1 : number("--gateway-fault's xN", m.group(2), 1, 1000);
            return new GatewayFaultFlag(Integer.parseInt(m.group(1)), times, m.group(3) != null);
        }

        /** ACTION=CODE or ACTION=CODExN */
        /** The template parameter's own pattern, so local mode refuses what a deploy would. */
        private static String fallbackTypes(String list) {
            if (!list.matches("([a-z0-9-]+\\.[a-z0-9]+(,[a-z0-9-]+\\.[a-z0-9]+)*)?")) {
                throw new IllegalArgumentException("--fallback-types takes instance types separated by commas, no"
                        + " spaces, e.g. g5.xlarge,g6.xlarge, not " + list);
            }
            return list;
        }

        private static FaultFlag fault(String spec) {
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--fault takes ACTION=CODE[xN], not " + spec);
            }
            String action = spec.substring(0, eq);
            if (!action.equals(dev.gpubox.sim.Faults.ANY_ACTION)
                    && !dev.gpubox.sim.Ec2Simulator.ACTIONS.contains(action)) {
                throw new IllegalArgumentException("--fault: the simulator has no action '" + action + "'; use one of "
                        + new java.util.TreeSet<>(dev.gpubox.sim.Ec2Simulator.ACTIONS) + " or * for any");
            }
            String rest = spec.substring(eq + 1);
            int times = 1;
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(.*)x(\\d+)").matcher(rest);
            if (m.matches()) {
                rest = m.group(1);
                times = number("--fault's xN", m.group(2), 1, 1000);
            }
            dev.gpubox.sim.Faults.errorFor(rest); // refuses, at start, what cannot be an EC2 code
            return new FaultFlag(spec.substring(0, eq), rest, times);
        }
    }
}
