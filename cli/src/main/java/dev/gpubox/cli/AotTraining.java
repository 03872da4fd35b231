package dev.gpubox.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The class-data archive's training: the first laptop command after a build runs with
 * {@code -Dgpubox.aotTraining=true} while the JVM records the classes it loads (./gpubox's launch block). Whatever
 * that command was ({@code init}, {@code up --help}, a failed {@code login}), this then runs {@code status} and
 * {@code down} as the user does, against a canned API on loopback with a login of its own in a temporary folder,
 * so the archive always holds their path: the saved login, the HttpURLConnection exchange with keep-alive, the
 * reply's JSON. Nothing leaves the machine; the user's API and login are not touched. CliArchiveIT checks it.
 */
final class AotTraining {
    static final String PROPERTY = "gpubox.aotTraining";
    private static final byte[] REPLY = "{\"state\":\"stopped\",\"elasticIpAttached\":true,\"uptimeSeconds\":0,\"hourlyPriceUsd\":0.526,\"snoozedUntil\":null,\"month\":{\"hours\":0.0},\"message\":\"GPU box is stopped.\"}"
            .getBytes(StandardCharsets.UTF_8);

    private AotTraining() {
    }

    static void runIfAsked() {
        if (!Boolean.getBoolean(PROPERTY)) {
            return;
        }
        Path config = null;
        try (ServerSocket api = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answer = new Thread(() -> answer(api), "gpubox-aot-training");
            answer.setDaemon(true);
            answer.start();
            config = Files.createTempDirectory("gpubox-aot-training");
            Map<String, String> env = Map.of("XDG_CONFIG_HOME", config.toString(), "HOME", config.toString());
            Path file = CliConfig.file(env);
            Files.createDirectories(file.getParent());
            Files.writeString(file, "url=http://127.0.0.1:" + api.getLocalPort() + "\nkey=training\n");
            PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
            Cli cli = new Cli(env, nowhere, nowhere);
            cli.run(new String[] {"status"});
            cli.run(new String[] {"down"});
        } catch (IOException | RuntimeException trainingOnly) {
            // the archive then holds less; the command's own result stands
        } finally {
            delete(config);
        }
    }

    /** Answers every request on every connection with the canned status, keeping the connection open. */
    private static void answer(ServerSocket api) {
        while (true) {
            try (Socket call = api.accept();
                    BufferedReader in = new BufferedReader(new InputStreamReader(call.getInputStream(), StandardCharsets.US_ASCII));
                    OutputStream out = call.getOutputStream()) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.isEmpty()) { // the end of a request's head; the CLI's requests have no body
                        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + REPLY.length
                                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(REPLY);
                        out.flush();
                    }
                }
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException leftBehind) {
            // a few bytes in the temporary folder
        }
    }
}
