package dev.gpubox.bench;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The benchmark's stand-in for Lambda's runtime. It is not in the deployed jar (no bench code ships to
 * Lambda): {@link #classpathBeside} copies just its own classes into a directory put after that jar, so a
 * measured process runs the deployed jar and nothing else gpubox or a library could lend it. It builds the handler with its no-arg constructor (Lambda's init), feeds
 * it the event's bytes as Lambda does, and prints one {@code BENCH} line of figures for {@code ./gpubox bench}.
 *
 * <pre>java -cp gpubox-functions.jar:DIR dev.gpubox.bench.BenchInvoke cold|warm|primed HANDLER EVENT.json [N]</pre>
 *
 * <ul>
 *   <li>{@code cold}: one invoke in a fresh JVM; the caller times the whole process;</li>
 *   <li>{@code warm}: then N more invokes, reporting p50/p99 per invoke;</li>
 *   <li>{@code primed}: runs the handler's SnapStart priming hook first, then times the first invoke.</li>
 * </ul>
 */
public final class BenchInvoke {
    /** Exit status of {@code primed} for a handler without a priming hook (not a SnapStart function). */
    public static final int NO_PRIMING_HOOK = 3;

    private BenchInvoke() {
    }

    /**
     * {@code deployedJar} followed by a fresh directory holding BenchInvoke's own class files (and nothing else
     * from the bench), as a {@code -cp} value. Its classes are copied from wherever this class was loaded: the
     * bench's jar or its build directory.
     */
    public static String classpathBeside(Path deployedJar) throws IOException {
        Path dir = Files.createTempDirectory("gpubox-bench-invoke");
        dir.toFile().deleteOnExit();
        String prefix = BenchInvoke.class.getName().replace('.', '/');
        for (String name : new String[] {prefix + ".class", prefix + "$1.class", prefix + "$2.class"}) {
            try (InputStream in = BenchInvoke.class.getClassLoader().getResourceAsStream(name)) {
                if (in == null) {
                    throw new IOException("BenchInvoke's class file " + name + " is not on the bench's classpath");
                }
                Path target = dir.resolve(name);
                Files.createDirectories(target.getParent());
                Files.copy(in, target);
                target.toFile().deleteOnExit();
            }
        }
        return deployedJar + File.pathSeparator + dir;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: BenchInvoke cold|warm|primed HANDLER EVENT.json [N]");
            System.exit(2);
        }
        String mode = args[0];
        byte[] event = Files.readAllBytes(Path.of(args[2]));
        long t0 = System.nanoTime();
        Object handler = Class.forName(args[1]).getConstructor().newInstance();
        long t1 = System.nanoTime();
        StringBuilder figures = new StringBuilder("BENCH initMs=").append(ms(t1 - t0));
        if (mode.equals("primed")) {
            long p0 = System.nanoTime();
            primeIfPossible(handler);
            figures.append(" primeMs=").append(ms(System.nanoTime() - p0));
        }
        long f0 = System.nanoTime();
        String reply = invoke(handler, event);
        figures.append(" firstMs=").append(ms(System.nanoTime() - f0));
        if (mode.equals("warm")) {
            int n = args.length > 3 ? Integer.parseInt(args[3]) : 200;
            long[] micros = new long[n];
            for (int i = 0; i < n; i++) {
                long w0 = System.nanoTime();
                invoke(handler, event);
                micros[i] = (System.nanoTime() - w0) / 1_000;
            }
            Arrays.sort(micros);
            figures.append(" warmP50Us=").append(micros[n / 2]).append(" warmP99Us=")
                    .append(micros[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)]);
        }
        figures.append(" vmHwmKb=").append(peakRssKb());
        System.out.println("REPLY " + reply.replace('\n', ' '));
        System.out.println(figures);
    }

    private static String invoke(Object handler, byte[] event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ((RequestStreamHandler) handler).handleRequest(new ByteArrayInputStream(event), out, CONTEXT);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The CRaC {@code beforeCheckpoint} of a handler that registers one, run as SnapStart would before the snapshot. */
    private static void primeIfPossible(Object handler) throws Exception {
        for (Class<?> c = handler.getClass(); c != null; c = c.getSuperclass()) {
            try {
                var prime = c.getDeclaredMethod("prime");
                prime.setAccessible(true);
                prime.invoke(handler);
                return;
            } catch (NoSuchMethodException notHere) {
                // look in the superclass
            }
        }
        System.out.println("BENCH noPrimingHook=" + handler.getClass().getName());
        System.exit(NO_PRIMING_HOOK);
    }

    private static String ms(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
    }

    /** The process's peak resident set so far (Linux), in KiB; -1 elsewhere. */
    private static long peakRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException notLinux) {
            // reported as -1
        }
        return -1;
    }

    private static final Context CONTEXT = new Context() {
        private final long deadline = System.currentTimeMillis() + 120_000;

        @Override public String getAwsRequestId() { return "bench"; }
        @Override public String getLogGroupName() { return "/aws/lambda/bench"; }
        @Override public String getLogStreamName() { return "bench"; }
        @Override public String getFunctionName() { return "bench"; }
        @Override public String getFunctionVersion() { return "$LATEST"; }
        @Override public String getInvokedFunctionArn() { return "arn:aws:lambda:local:000000000000:function:bench"; }
        @Override public CognitoIdentity getIdentity() { return null; }
        @Override public ClientContext getClientContext() { return null; }
        @Override public int getRemainingTimeInMillis() { return (int) Math.max(0, deadline - System.currentTimeMillis()); }
        @Override public int getMemoryLimitInMB() { return 512; }
        @Override public LambdaLogger getLogger() { return LOGGER; }
    };

    private static final LambdaLogger LOGGER = new LambdaLogger() {
        @Override public void log(String message) { System.err.print(message); }
        @Override public void log(byte[] message) { System.err.write(message, 0, message.length); }
    };
}
