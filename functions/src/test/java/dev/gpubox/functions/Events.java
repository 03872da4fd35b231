package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The sample events in the repository's events/ folder, as the tests feed them to the handlers. */
final class Events {
    static final Path DIR = Path.of("..", "events");

    private Events() {
    }

    static List<Path> all() {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("events/ must exist beside functions/", e);
        }
    }

    /**
     * API Gateway requests; the rest are EventBridge deliveries (the schedules: nightly stop, morning start;
     * EC2 state changes) and CloudFormation's custom resource events.
     */
    static boolean isApiEvent(Path file) {
        String name = file.getFileName().toString();
        return !name.startsWith("scheduled-") && !isEc2Notice(file)
                && !name.startsWith("custom-resource") && !isKeepWarm(file);
    }

    /** What EventBridge delivers to the state-change function: EC2's state changes and its two Spot events. */
    static boolean isEc2Notice(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith("state-change") || name.equals("spot-interruption-warning.json")
                || name.equals("rebalance-recommendation.json");
    }

    /** The keep-warm schedules' payload to the API functions (KeepWarm). */
    static boolean isKeepWarm(Path file) {
        return file.getFileName().toString().equals("keep-warm.json");
    }

    static boolean isScheduleEvent(Path file) {
        return file.getFileName().toString().startsWith("scheduled-stop");
    }

    /** Deserialized by AWS's own event loader, the way the Lambda Java runtime does it. */
    static APIGatewayProxyRequestEvent api(String name) {
        return api(DIR.resolve(name));
    }

    static APIGatewayProxyRequestEvent api(Path file) {
        return EventLoader.loadApiGatewayRestEvent(file.toString());
    }

    static byte[] raw(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
