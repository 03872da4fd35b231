package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.gpubox.box.AwsClients;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxControl;
import dev.gpubox.box.MonthlyBudget;
import dev.gpubox.box.Notifier;
import dev.gpubox.box.ScheduledStart;
import dev.gpubox.box.Sleeper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.Locale;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The morning start, invoked by its EventBridge Scheduler schedule (only with StartTime set): starts the box
 * through the library's one start path, or skips it with a notice when paused or over the monthly cap
 * ({@link ScheduledStart}). A failed start fails the invocation, so Lambda's retries and the error alarm see it.
 */
public final class ScheduledStartHandler implements RequestStreamHandler {
    private final ScheduledStart start;

    public ScheduledStartHandler() {
        this(BoxConfig.fromEnvironment());
    }

    private ScheduledStartHandler(BoxConfig config) {
        this(AwsClients.ec2(), config, AwsClients.notifier(config), Clock.systemUTC(), AwsClients.budget(config));
    }

    /** With a clock of the caller's: the simulated month and local mode. */
    public ScheduledStartHandler(Ec2Client ec2, BoxConfig config, Notifier notifier, Clock clock,
                                 MonthlyBudget budget) {
        BoxControl control = new BoxControl(ec2, config, clock, Sleeper.REAL, notifier, budget);
        this.start = new ScheduledStart(control, config, clock, notifier, budget);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Payloads.requireScheduleEvent(input.readAllBytes(), "The morning start", "Nothing was started.");
        String outcome = start.run().name().toLowerCase(Locale.ROOT);
        Log.line(context, "morning start: " + outcome);
        output.write(Replies.text(outcome));
    }
}
