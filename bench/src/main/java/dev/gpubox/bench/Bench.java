package dev.gpubox.bench;

import dev.gpubox.local.SeededBox;
import dev.gpubox.sim.ContainerCredentials;
import dev.gpubox.sim.Ec2Simulator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipFile;

/**
 * {@code ./gpubox bench}: cold and warm invokes of the deployed jar against the EC2 simulator on loopback,
 * interleaved with the Python/boto3 peer in {@code ../shared/peers} against the same endpoint. Every cold
 * invoke is a whole child JVM with Lambda's flags and the deployed jar alone on its classpath; EC2 calls are
 * counted at the simulator's wire. Prints one table and writes it to a file (see docs/performance.md).
 */
public final class Bench {
    /**
     * Lambda's java21 runtime starts the JVM with tiered C1 only and serial GC; -XX:MaxRAM=512m makes the JVM
     * size its heap and metaspace for the function's MemorySize (template.yaml Globals) as it does inside
     * Lambda's 512 MB sandbox, instead of for this machine's memory. (Lambda's own heap flags are not a
     * published contract, so the cap, not a copy of them, is what is reproduced here.)
     */
    static final List<String> LAMBDA_JVM_FLAGS =
            List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:MaxRAM=512m");
    private static final String TAG_KEY = SeededBox.TAG_KEY;

    private final Options options;
    private final Ec2Simulator simulator;
    private final BenchTls tls;
    private final ContainerCredentials containerCredentials;
    private final String java = ProcessHandle.current().info().command().orElse("java");
    private final boolean timeTool = Files.isExecutable(Path.of("/usr/bin/time"));
    /** The deployed jar, then BenchInvoke's own classes alone. */
    private final String launcherClasspath;
    private int serial;

    private Bench(Options options, Ec2Simulator simulator, BenchTls tls, ContainerCredentials containerCredentials)
            throws IOException {
        this.options = options;
        this.launcherClasspath = BenchInvoke.classpathBeside(options.jar);
        this.simulator = simulator;
        this.tls = tls;
        this.containerCredentials = containerCredentials;
    }

    /** What one action's runs measured. */
    record Row(String action, List<Double> javaMs, List<Double> peerMs, List<Double> ratios, List<Double> cpuRatios,
               List<Double> javaRssMiB,
               List<Double> peerRssMiB, List<Double> javaCpuMs, List<Double> peerCpuMs, String warm, String primed,
               String ec2Calls) {
    }

    /** One measured child process. */
    record Run(double wallMs, double rssMiB, Map<String, String> figures, String ec2Calls) {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            System.err.println("gpubox bench: " + (e instanceof IllegalArgumentException ? e.getMessage()
                    : "an option lacks its value") + "\nusage: ./gpubox bench " + Options.USAGE);
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.println("usage: ./gpubox bench " + Options.USAGE + "\nSee docs/performance.md.");
            return;
        }
        String loadBefore = loadAverage();
        // Served over TLS as EC2 is, so both sides pay for their handshake.
        Path javaHome = Path.of(ProcessHandle.current().info().command().orElse("java")).toAbsolutePath()
                .getParent().getParent();
        BenchTls tls = BenchTls.create(options.out.toAbsolutePath().getParent().resolve("tls"), javaHome);
        // The simulator's clock runs a day behind: a box it seeds "now" was launched yesterday, so the
        // nightly stop finds it past its deadline.
        try (Ec2Simulator simulator = Ec2Simulator.startTls(0, Clock.offset(Clock.systemUTC(), Duration.ofDays(-1)),
                Duration.ofSeconds(20), Duration.ofSeconds(15), tls.serverContext());
             ContainerCredentials containerCredentials = new ContainerCredentials()) {
            Bench bench = new Bench(options, simulator, tls, containerCredentials);
            String peerSkip = bench.peerSkipReason();
            List<Row> rows = new ArrayList<>();
            rows.add(bench.measure("status", "dev.gpubox.functions.StatusHandler", "status.json", true, peerSkip));
            rows.add(bench.measure("start", "dev.gpubox.functions.StartHandler", "start.json", true, peerSkip));
            rows.add(bench.measure("nightly stop", "dev.gpubox.functions.ScheduledStopHandler",
                    "scheduled-stop-scheduler.json", false, peerSkip));
            publish(bench.table(rows, peerSkip, loadBefore, loadAverage()), options.out, options.docs,
                    "<!-- bench:begin -->\n", "<!-- bench:end -->");
        }
    }

    private Row measure(String action, String handler, String event, boolean api, String peerSkip) throws Exception {
        System.err.printf("bench: %s, %d interleaved cold runs...%n", action, options.runs);
        List<Double> javaMs = new ArrayList<>(), peerMs = new ArrayList<>(), ratios = new ArrayList<>();
        List<Double> cpuRatios = new ArrayList<>();
        List<Double> javaRss = new ArrayList<>(), peerRss = new ArrayList<>();
        List<Double> javaCpu = new ArrayList<>(), peerCpu = new ArrayList<>();
        String calls = null;
        for (int i = 0; i < options.runs; i++) {
            Run peer = null;
            // Alternate who goes first, so a drift in machine load does not favour either side.
            if (peerSkip == null && i % 2 == 1) {
                peer = runPeer();
            }
            Run cold = runJava("cold", handler, event, action);
            if (peerSkip == null && i % 2 == 0) {
                peer = runPeer();
            }
            javaMs.add(cold.wallMs);
            javaRss.add(cold.rssMiB);
            if (cold.figures.containsKey("cpuMs")) {
                javaCpu.add(Double.parseDouble(cold.figures.get("cpuMs")));
            }
            calls = cold.ec2Calls;
            if (peer != null) {
                peerMs.add(peer.wallMs);
                peerRss.add(peer.rssMiB);
                if (peer.figures.containsKey("cpuMs")) {
                    peerCpu.add(Double.parseDouble(peer.figures.get("cpuMs")));
                }
                ratios.add(cold.wallMs / peer.wallMs);
                if (cold.figures.containsKey("cpuMs") && peer.figures.containsKey("cpuMs")) {
                    cpuRatios.add(Double.parseDouble(cold.figures.get("cpuMs"))
                            / Double.parseDouble(peer.figures.get("cpuMs")));
                }
            }
        }
        Run warm = runJava("warm", handler, event, action);
        String warmText = fmt(Double.parseDouble(warm.figures.get("warmP50Us")) / 1000) + " / "
                + fmt(Double.parseDouble(warm.figures.get("warmP99Us")) / 1000);
        String primedText = "n/a (not a SnapStart function)";
        if (api) {
            List<Double> primed = new ArrayList<>();
            for (int i = 0; i < Math.max(3, options.runs / 3); i++) {
                Run p = runJava("primed", handler, event, action);
                if (p == null) {
                    break;
                }
                primed.add(Double.parseDouble(p.figures.get("firstMs")));
            }
            primedText = primed.isEmpty() ? "n/a (no priming hook)" : fmt(median(primed)) + " (" + fmt(min(primed))
                    + "–" + fmt(max(primed)) + ")";
        }
        return new Row(action, javaMs, peerMs, ratios, cpuRatios, javaRss, peerRss, javaCpu, peerCpu, warmText, primedText, calls);
    }

    /**
     * One whole JVM running the deployed jar, with a box of its own seeded for the action. The primed run
     * gets its credentials as a SnapStart restore does, from the container endpoint, not the environment.
     */
    private Run runJava(String mode, String handler, String event, String action) throws Exception {
        Map<String, String> env = awsEnvironment();
        env.putAll(seedFor(action));
        boolean restoreLike = mode.equals("primed");
        if (restoreLike) {
            env.remove("AWS_ACCESS_KEY_ID");
            env.remove("AWS_SECRET_ACCESS_KEY");
            env.putAll(containerCredentials.environment());
        }
        int fetchesBefore = containerCredentials.served();
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(LAMBDA_JVM_FLAGS);
        command.addAll(tls.trustOptions());
        command.addAll(List.of("-cp", launcherClasspath, BenchInvoke.class.getName(), mode, handler,
                options.events.resolve(event).toString()));
        if (mode.equals("warm")) {
            command.add(Integer.toString(options.warm));
        }
        simulator.resetCalls();
        Run run = timed(command, env);
        if (run == null) {
            if (mode.equals("primed")) {
                return null;
            }
            throw new IllegalStateException(action + " " + mode + " invoke failed; see above");
        }
        if (restoreLike && containerCredentials.served() == fetchesBefore) {
            throw new IllegalStateException(action + " primed invoke did not fetch container credentials");
        }
        return new Run(run.wallMs, run.rssMiB > 0 ? run.rssMiB : Double.parseDouble(run.figures.get("vmHwmKb")) / 1024,
                run.figures, wireCalls());
    }

    /** The Python/boto3 nightly stop, cold, stopping one running box of its own. */
    private Run runPeer() throws Exception {
        Map<String, String> env = awsEnvironment();
        env.put("EC2_ENDPOINT", simulator.endpoint().toString());
        env.put("AWS_CA_BUNDLE", tls.caPem().toString());
        env.put("INSTANCES", simulator.state().seedInstance("g4dn.xlarge", "bench", "running", Map.of()));
        Run run = timed(List.of("python3", options.peer.resolve("run_seed_stop.py").toString()), env);
        if (run == null) {
            throw new IllegalStateException("the Python peer failed; see above");
        }
        return run;
    }

    /** Seeds a box in the state the action starts from; returns the function's environment for it. */
    private Map<String, String> seedFor(String action) {
        Map<String, String> env = new LinkedHashMap<>();
        if (action.equals("nightly stop")) {
            String stack = "bench-" + (++serial);
            simulator.state().seedInstance("g4dn.xlarge", "bench", "running", Map.of(TAG_KEY, stack));
            env.put("GPUBOX_MANAGED_TAG", TAG_KEY + "=" + stack);
            env.put("GPUBOX_TIMEZONE", "UTC");
            env.put("GPUBOX_SHUTDOWN_TIME", ZonedDateTime.now(ZoneOffset.UTC).minusHours(1)
                    .format(DateTimeFormatter.ofPattern("HH:mm")));
        } else {
            var box = SeededBox.seed(simulator.state());
            env.put("GPUBOX_INSTANCE_ID", box.instanceId());
            env.put("GPUBOX_EIP_ALLOCATION_ID", box.eipAllocationId());
            env.put("GPUBOX_MANAGED_TAG", box.managedTagKey() + "=" + box.managedTagValue());
        }
        return env;
    }

    /** What Lambda gives a function: region and credentials in the environment; the endpoint is ours. */
    private Map<String, String> awsEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", "us-west-2");
        env.put("AWS_ACCESS_KEY_ID", "bench");
        env.put("AWS_SECRET_ACCESS_KEY", "bench");
        env.put("AWS_ENDPOINT_URL_EC2", simulator.endpoint().toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        return env;
    }

    /** Runs a command, timing the whole process; its peak RSS from /usr/bin/time where present. */
    private Run timed(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        Path rssFile = Files.createTempFile("gpubox-bench", ".rss");
        List<String> full = new ArrayList<>();
        if (timeTool) {
            full.addAll(List.of("/usr/bin/time", "-o", rssFile.toString(), "-f", "%M %U %S"));
        }
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("GPUBOX_")
                || k.equals("JAVA_TOOL_OPTIONS"));
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        byte[] output = p.getInputStream().readAllBytes();
        int exit = p.waitFor();
        double wallMs = (System.nanoTime() - t0) / 1e6;
        String text = new String(output, StandardCharsets.UTF_8);
        String rss = Files.readString(rssFile).trim();
        Files.deleteIfExists(rssFile);
        if (exit == 3 && text.contains("BENCH noPrimingHook")) {
            return null;
        }
        if (exit != 0) {
            System.err.println("bench: " + String.join(" ", command) + " exited " + exit + ":\n" + text);
            return null;
        }
        Map<String, String> figures = new LinkedHashMap<>();
        text.lines().filter(l -> l.startsWith("BENCH ")).findFirst().ifPresent(line -> {
            for (String kv : line.substring(6).split(" ")) {
                figures.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        });
        String lastLine = rss.isEmpty() ? "" : rss.lines().reduce((a, b) -> b).orElse("");
        double rssMiB = -1;
        if (lastLine.matches("\\d+ [0-9.]+ [0-9.]+")) {
            String[] f = lastLine.split(" ");
            rssMiB = Long.parseLong(f[0]) / 1024.0;
            figures.put("cpuMs", Double.toString((Double.parseDouble(f[1]) + Double.parseDouble(f[2])) * 1000));
        }
        return new Run(wallMs, rssMiB, figures, null);
    }

    /** Every request the simulator logged for the invoke, by action; requests without one are counted too. */
    private String wireCalls() {
        List<String> parts = new ArrayList<>();
        int named = 0;
        for (Map.Entry<String, Integer> call : simulator.callsByAction().entrySet()) {
            parts.add(call.getValue() + " " + call.getKey());
            named += call.getValue();
        }
        if (simulator.totalCalls() > named) {
            parts.add((simulator.totalCalls() - named) + " without an Action");
        }
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    private String peerSkipReason() {
        if (!Files.isRegularFile(options.peer.resolve("run_seed_stop.py"))) {
            return "no Python peer at " + options.peer.resolve("run_seed_stop.py");
        }
        try {
            Process p = new ProcessBuilder("python3", "-c", "import boto3; print(boto3.__version__)")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                return "python3 has no boto3 (apt-get install -y python3-boto3): " + out;
            }
            return null;
        } catch (IOException noPython) {
            return "no python3 on PATH";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private String table(List<Row> rows, String peerSkip, String loadBefore, String loadAfter) throws IOException {
        StringBuilder t = new StringBuilder();
        long entries;
        try (ZipFile zip = new ZipFile(options.jar.toFile())) {
            entries = zip.size();
        }
        t.append("Deployed jar: ").append(options.jar.getFileName()).append(", ")
                .append(String.format(Locale.ROOT, "%.1f MB", Files.size(options.jar) / 1e6)).append(" (")
                .append(Files.size(options.jar)).append(" bytes), ").append(entries).append(" entries.\n");
        t.append("Cold runs: ").append(options.runs).append(" per action, each a whole JVM (")
                .append(String.join(" ", LAMBDA_JVM_FLAGS)).append(", the deployed jar alone on the classpath)")
                .append(peerSkip == null ? ", interleaved with the Python/boto3 peer (run_seed_stop.py)" : "")
                .append(". EC2 over TLS (the simulator with a self-signed RSA 2048 certificate made at start);"
                        + " the first invoke after priming fetches its credentials from a container endpoint,"
                        + " as after a SnapStart restore")
                .append(". Warm: ").append(options.warm).append(" invokes in one JVM. Peak RSS: ")
                .append(timeTool ? "/usr/bin/time -f %M" : "VmHWM from /proc (Java only)").append(".\n");
        if (peerSkip != null) {
            t.append("Python peer skipped: ").append(peerSkip).append(".\n");
        }
        t.append('\n');
        t.append("| action | cold, jar: median (min–max) ms | cold, Python peer: median (min–max) ms "
                + "| median pair ratio, wall / CPU | CPU (user+sys) median, jar / peer ms | peak RSS median, jar / peer MiB "
                + "| warm p50 / p99 ms "
                + "| first invoke after priming ms | EC2 calls per invoke (at the wire) |\n");
        t.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            t.append("| ").append(r.action)
                    .append(" | ").append(spread(r.javaMs))
                    .append(" | ").append(r.peerMs.isEmpty() ? "skipped" : spread(r.peerMs))
                    .append(" | ").append(r.ratios.isEmpty() ? "–" : String.format(Locale.ROOT, "%.2f×", median(r.ratios)))
                    .append(" / ").append(r.cpuRatios.isEmpty() ? "–"
                            : String.format(Locale.ROOT, "%.2f×", median(r.cpuRatios)))
                    .append(" | ").append(r.javaCpuMs.isEmpty() ? "–" : fmt(median(r.javaCpuMs))).append(" / ")
                    .append(r.peerCpuMs.isEmpty() ? "–" : fmt(median(r.peerCpuMs)))
                    .append(" | ").append(fmt(median(r.javaRssMiB))).append(" / ")
                    .append(r.peerRssMiB.isEmpty() || median(r.peerRssMiB) < 0 ? "–" : fmt(median(r.peerRssMiB)))
                    .append(" | ").append(r.warm)
                    .append(" | ").append(r.primed)
                    .append(" | ").append(r.ec2Calls).append(" |\n");
        }
        t.append('\n').append("Machine: ").append(machine()).append('\n');
        t.append("Load average (1/5/15 min) before: ").append(loadBefore).append("; after: ").append(loadAfter)
                .append(". Ran ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_INSTANT))
                .append(".\n");
        return t.toString();
    }

    private String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        String memory = "";
        try {
            memory = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .findFirst().map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024 / 1024 + " GiB, ")
                    .orElse("");
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + memory + "child JVM "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + "; " + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * Prints a bench's table, writes it to {@code out} and, when {@code docs} is given, puts it between the
     * markers {@code begin} and {@code end} there (docs/performance.md, docs/money-safety.md).
     */
    static void publish(String table, Path out, Path docs, String begin, String end) throws IOException {
        System.out.println(table);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, table);
        System.out.println("written to " + out);
        if (docs != null) {
            replaceBetween(docs, begin, end, table);
            System.out.println("and into " + docs);
        }
    }

    static void replaceBetween(Path docs, String begin, String end, String table) throws IOException {
        String text = Files.readString(docs);
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new IllegalStateException(docs + " lacks the " + begin.trim() + " / " + end + " markers");
        }
        Files.writeString(docs, text.substring(0, b + begin.length()) + table + text.substring(e));
    }

    private static String spread(List<Double> values) {
        return fmt(median(values)) + " (" + fmt(min(values)) + "–" + fmt(max(values)) + ")";
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static String fmt(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    record Options(Path jar, Path events, Path peer, int runs, int warm, Path out, Path docs) {
        static final String USAGE = "[--runs N (15)] [--warm N (200)] [--jar PATH] [--events DIR] [--peer DIR]"
                + " [--out FILE] [--update-docs docs/performance.md]";

        /** @return null for --help */
        static Options parse(String[] args) {
            Path jar = Path.of("functions/target/gpubox-functions.jar");
            Path events = Path.of("events");
            Path peer = Path.of("../shared/peers");
            int runs = 15;
            int warm = 200;
            Path out = Path.of("bench/target/performance-table.md");
            Path docs = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--help", "-h" -> {
                        return null;
                    }
                    case "--jar" -> jar = Path.of(args[++i]);
                    case "--events" -> events = Path.of(args[++i]);
                    case "--peer" -> peer = Path.of(args[++i]);
                    case "--runs" -> runs = Integer.parseInt(args[++i]);
                    case "--warm" -> warm = Integer.parseInt(args[++i]);
                    case "--out" -> out = Path.of(args[++i]);
                    case "--update-docs" -> docs = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            return new Options(jar, events, peer, runs, warm, out, docs);
        }
    }
}
