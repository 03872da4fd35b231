package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.gpubox.box.AwsClients;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.NightlyStop;
import dev.gpubox.box.MonthlyBudget;
import dev.gpubox.box.Notifier;
import dev.gpubox.box.Sleeper;
import dev.gpubox.box.SshAccess;
import dev.gpubox.box.SweepReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The nightly stop and its five-minute catch-up sweep, invoked by EventBridge Scheduler (any JSON object,
 * or no payload) or a classic EventBridge scheduled event. Stops every managed box whose stop time has
 * come, skips snoozed ones, and logs one summary line.
 *
 * <p>It reads raw bytes because Scheduler may deliver no payload at all, which typed handlers reject. When
 * a box could not be stopped the invocation fails after logging and notifying, so Lambda's retries, the
 * dead-letter queue and the error alarm all see it.
 */
public final class ScheduledStopHandler implements RequestStreamHandler {
    /** Time kept back from the Lambda timeout for the last calls and the reply. */
    public static final Duration MARGIN = Duration.ofSeconds(15);
    static final Duration BUDGET_WITHOUT_CONTEXT = Duration.ofSeconds(60);
    /** Kept back from the margin for the summary line, the reply and the JVM: the notices get the rest. */
    static final Duration REPLY_RESERVE = Duration.ofSeconds(3);

    private final NightlyStop nightlyStop;
    /** The box's expiring POST /ssh rules; null for a fleet configuration without the stack's box. */
    private final SshAccess ssh;

    public ScheduledStopHandler() {
        this(BoxConfig.fromEnvironment());
    }

    private ScheduledStopHandler(BoxConfig config) {
        this(AwsClients.ec2(), config, AwsClients.notifier(config), Clock.systemUTC(), Sleeper.REAL,
                AwsClients.budget(config));
    }

    public ScheduledStopHandler(Ec2Client ec2, BoxConfig config) {
        this(ec2, config, Notifier.NONE);
    }

    public ScheduledStopHandler(Ec2Client ec2, BoxConfig config, Notifier notifier) {
        this(ec2, config, notifier, Clock.systemUTC(), Sleeper.REAL);
    }

    /** With a clock and sleeper of the caller's: the simulated month, and local mode's "nightly stop now". */
    public ScheduledStopHandler(Ec2Client ec2, BoxConfig config, Notifier notifier, Clock clock, Sleeper sleeper) {
        this(ec2, config, notifier, clock, sleeper, MonthlyBudget.off(config));
    }

    /** With the spend ledger the sweep keeps up to date and the monthly cap it enforces. */
    public ScheduledStopHandler(Ec2Client ec2, BoxConfig config, Notifier notifier, Clock clock, Sleeper sleeper,
                                MonthlyBudget budget) {
        this.nightlyStop = new NightlyStop(ec2, config, notifier, clock, sleeper, budget);
        this.ssh = config.instanceId() == null ? null : new SshAccess(ec2, config, clock);
    }

    /**
     * How long a run may keep calling EC2: the invocation's remaining time less {@link #MARGIN}, which is
     * kept for the failure notices and the summary. Every EC2 call's timeout is cut to what is left of it.
     */
    public static Duration budgetFor(long remainingMillis) {
        Duration budget = Duration.ofMillis(remainingMillis).minus(MARGIN);
        return budget.isNegative() ? Duration.ZERO : budget;
    }

    /** The time after the budget for the failure notices and their record: the margin less the reply's share. */
    public static Duration wrapUpFor(long remainingMillis) {
        Duration afterBudget = Duration.ofMillis(remainingMillis).compareTo(MARGIN) < 0
                ? Duration.ofMillis(remainingMillis) : MARGIN;
        Duration wrapUp = afterBudget.minus(REPLY_RESERVE);
        return wrapUp.isNegative() ? Duration.ZERO : wrapUp;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Payloads.requireScheduleEvent(input.readAllBytes());
        SweepReport report = context == null ? nightlyStop.run(BUDGET_WITHOUT_CONTEXT)
                : nightlyStop.run(budgetFor(context.getRemainingTimeInMillis()),
                        wrapUpFor(context.getRemainingTimeInMillis()));
        Log.line(context, report.summary());
        closeExpiredSsh(report, context);
        output.write(Replies.sweep(report));
        if (report.hasFailures()) {
            throw new ScheduledStopFailed(report.summary());
        }
    }

    /**
     * Revokes the POST /ssh rules whose time has passed, on every run (so a rule outlives its expiry by five
     * minutes at most). Skipped when the stops failed: EC2 is then slow or throttling, and the stops come
     * first. A failure here is logged, never fails the run: the rule is retried by the next sweep, and the
     * next POST /ssh removes expired rules too.
     */
    private void closeExpiredSsh(SweepReport report, Context context) {
        if (ssh == null || report.hasFailures()) {
            return;
        }
        try {
            List<SshAccess.Rule> closed = ssh.removeExpired();
            if (!closed.isEmpty()) {
                Log.line(context, "closed expired SSH access: " + String.join(", ",
                        closed.stream().map(SshAccess.Rule::cidr).toList()));
            }
        } catch (RuntimeException e) {
            Log.line(context, "could not close expired SSH access (the next sweep tries again): " + e.getMessage());
        }
    }

    /** Thrown after the summary is logged so the run counts as failed; it carries no stack trace. */
    static final class ScheduledStopFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ScheduledStopFailed(String summary) {
            super(summary, null, false, false);
        }
    }
}
