package dev.gpubox.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Invokes one handler the way Lambda does — its public no-arg constructor, so configuration and the EC2
 * endpoint come from the environment ({@code GPUBOX_*}, {@code AWS_ENDPOINT_URL_EC2}) — with an event file,
 * and prints the reply. {@code sam local invoke} without Docker.
 *
 * <pre>java -cp local/target/gpubox-local.jar dev.gpubox.local.Invoke dev.gpubox.functions.StatusHandler events/status.json</pre>
 */
public final class Invoke {
    private Invoke() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Invoke <handler class> <event.json>");
            System.exit(2);
        }
        // Every gpubox function is a stream handler: it reads the event's JSON itself, as Lambda delivers it.
        RequestStreamHandler handler = (RequestStreamHandler) Class.forName(args[0]).getConstructor().newInstance();
        byte[] event = Files.readAllBytes(Path.of(args[1]));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, new LocalContext(Class.forName(args[0]).getSimpleName()));
        System.out.println(out.toString(StandardCharsets.UTF_8));
    }
}
