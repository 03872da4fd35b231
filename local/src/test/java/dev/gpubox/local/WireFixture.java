package dev.gpubox.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.sim.Ec2Simulator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Local mode as a test sees it: the simulator seeded with the stack's box, the handlers' own EC2 client
 * pointed at it, and the local API in front — every hop real HTTP.
 */
public final class WireFixture implements AutoCloseable {
    public static final String KEY = "test-key-0123456789";
    public static final ObjectMapper JSON = new ObjectMapper();

    public final Ec2Simulator sim;
    public final BoxConfig box;
    public final Ec2Client ec2;
    public final LocalApi api;
    final HttpClient http = HttpClient.newHttpClient();

    public WireFixture(Duration startDelay, Duration stopDelay) throws IOException {
        this(Clock.systemUTC(), startDelay, stopDelay, 0);
    }

    /** @param monthlyBudget above 0: local mode's in-memory ledger with this cap, so /status shows the month */
    public WireFixture(Duration startDelay, Duration stopDelay, int monthlyBudget) throws IOException {
        this(Clock.systemUTC(), startDelay, stopDelay, monthlyBudget);
    }

    /** @param simClock the simulator's clock (the handlers keep the real one): an offset one ages its box */
    public WireFixture(Clock simClock, Duration startDelay, Duration stopDelay) throws IOException {
        this(simClock, startDelay, stopDelay, 0);
    }

    private WireFixture(Clock simClock, Duration startDelay, Duration stopDelay, int monthlyBudget) throws IOException {
        this(simClock, startDelay, stopDelay, monthlyBudget, false);
    }

    /** The stack's box as a Spot instance with its persistent request (issue 18, local mode's --spot). */
    public static WireFixture spot(Duration startDelay, Duration stopDelay) throws IOException {
        return new WireFixture(Clock.systemUTC(), startDelay, stopDelay, 0, true);
    }

    private WireFixture(Clock simClock, Duration startDelay, Duration stopDelay, int monthlyBudget, boolean spot)
            throws IOException {
        sim = Ec2Simulator.start(0, simClock, startDelay, stopDelay);
        box = SeededBox.seed(sim.state(), "", spot);
        ec2 = Endpoints.clientFor(sim.endpoint());
        api = monthlyBudget == 0 ? LocalApi.start(0, KEY, ec2, box)
                : LocalApi.start(0, KEY, ec2, box, dev.gpubox.box.Notifier.NONE, LocalMode.Options.parse(
                        new String[] {"--monthly-budget", Integer.toString(monthlyBudget)}).budget(box));
    }

    public record Reply(int status, JsonNode json, HttpResponse<String> raw) {
        public String field(String name) {
            return json.path(name).asText();
        }
    }

    public Reply call(String method, String pathAndQuery) {
        return call(method, pathAndQuery, KEY);
    }

    public Reply call(String method, String pathAndQuery, String key) {
        return call(http, api, key, method, pathAndQuery);
    }

    /** One keyed request to any local API (a test that builds its own LocalApi). */
    public static Reply call(LocalApi api, String key, String method, String pathAndQuery) {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return call(client, api, key, method, pathAndQuery);
        }
    }

    private static Reply call(HttpClient http, LocalApi api, String key, String method, String pathAndQuery) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.url() + pathAndQuery))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(60));
        if (key != null) {
            request.header("x-api-key", key);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
            return new Reply(response.statusCode(), json, response);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls GET /status until the box is in {@code state}, for at most 10 s. */
    public Reply awaitState(String state) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Reply status;
        do {
            status = call("GET", "/status");
            if (status.field("state").equals(state)) {
                return status;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("box never reached " + state + "; last status " + status.json());
    }

    @Override
    public void close() {
        api.close();
        ec2.close();
        sim.close();
        http.close();
    }
}
