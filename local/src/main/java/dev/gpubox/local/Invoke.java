package dev.gpubox.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
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
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Invoke() {
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Invoke <handler class> <event.json>");
            System.exit(2);
        }
        Object handler = Class.forName(args[0]).getConstructor().newInstance();
        byte[] event = Files.readAllBytes(Path.of(args[1]));
        LocalContext context = new LocalContext(Class.forName(args[0]).getSimpleName());
        if (handler instanceof RequestStreamHandler stream) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            stream.handleRequest(new ByteArrayInputStream(event), out, context);
            System.out.println(out.toString(StandardCharsets.UTF_8));
        } else {
            Object reply = ((RequestHandler<APIGatewayProxyRequestEvent, Object>) handler)
                    .handleRequest(JSON.readValue(event, APIGatewayProxyRequestEvent.class), context);
            System.out.println(JSON.writeValueAsString(reply));
        }
    }
}
