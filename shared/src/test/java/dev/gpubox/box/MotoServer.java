package dev.gpubox.box;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * moto's EC2 (another implementation of EC2's Query API, the one LocalStack is built on) as a process of
 * this test: {@code python3 -m moto.server} on a free loopback port it picks itself (port 0, read back from
 * its banner), stopped with its children when the test ends.
 */
public final class MotoServer implements AutoCloseable {
    /** An image moto ships in every region (its default AMI list), for RunInstances. */
    public static final String AMI = "ami-9b32e8e2";
    private static final Pattern LISTENING = Pattern.compile("Running on http://127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final Path log;
    private final URI endpoint;

    private MotoServer(Process process, Path log, URI endpoint) {
        this.process = process;
        this.log = log;
        this.endpoint = endpoint;
    }

    /** Skips (or fails on CI) when python3 cannot import moto. */
    public static MotoServer start() throws IOException, InterruptedException {
        Path python = ExternalTools.requirePythonModule("moto", "the moto interop tier (MotoLifecycleTest)");
        Path log = Files.createTempFile("moto-server", ".log");
        Process process = new ProcessBuilder(python.toString(), "-m", "moto.server", "-H", "127.0.0.1", "-p", "0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.readString(log));
            if (m.find()) {
                return new MotoServer(process, log, URI.create("http://127.0.0.1:" + m.group(1)));
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        String output = Files.readString(log);
        stop(process);
        throw new IllegalStateException("moto_server did not start:\n" + output);
    }

    public URI endpoint() {
        return endpoint;
    }

    @Override
    public void close() throws IOException {
        stop(process);
        Files.deleteIfExists(log);
    }

    private static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
