package dev.gpubox.box;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * The morning start (StartTime): what the schedule's function does when it fires. The schedule fires every
 * day at StartTime's hour in the stack's zone; on a start day this starts the box through the one start path
 * ({@link BoxControl#start}), unless a pause ({@link SchedulePause}) or the monthly cap ({@link MonthlyBudget})
 * says no — then it does not start the box and sends one notice saying why and how to undo it. The started
 * box gets its usual stop: a start at 08:30 is not a late start, so it stops at tonight's ShutdownTime, never
 * past MaxRunHours ({@link StopPolicy#deadline}).
 */
public final class ScheduledStart {
    /** What a run did, a stable word for the log and the reply. */
    public enum Outcome { STARTED, ALREADY_RUNNING, NOT_A_START_DAY, NO_START_TIME, SKIPPED_PAUSED, SKIPPED_BUDGET,
        /** A Spot box AWS interrupted: only EC2 restarts it (issue 18); one notice, no failed invocation. */
        SKIPPED_INTERRUPTED }

    private final BoxControl control;
    private final BoxConfig config;
    private final Clock clock;
    private final Notifier notifier;
    private final MonthlyBudget budget;

    public ScheduledStart(BoxControl control, BoxConfig config, Clock clock, Notifier notifier, MonthlyBudget budget) {
        this.control = control;
        this.config = config;
        this.clock = clock;
        this.notifier = notifier;
        this.budget = budget;
    }

    public Outcome run() {
        ZoneId zone = config.policy().zone();
        Instant now = clock.instant();
        LocalDate today = now.atZone(zone).toLocalDate();
        Instance box = control.describeBox();
        StartTime start = BoxTags.startTime(box);
        if (start == null) {
            return Outcome.NO_START_TIME;
        }
        if (!start.startsOn(today)) {
            return Outcome.NOT_A_START_DAY;
        }
        String label = control.status(box).label();
        LocalDate paused = MorningSchedule.activePause(box, zone, now);
        if (paused != null) {
            notifier.publish("gpubox: morning start skipped (paused)", "gpubox did not start " + label
                    + ": the morning start is paused through " + paused + " (POST /schedule/pause). The next is "
                    + SchedulePause.when(start.nextAfter(now, zone, paused), zone)
                    + ". To start it now: POST /start; to end the pause: DELETE /schedule/pause.");
            return Outcome.SKIPPED_PAUSED;
        }
        try {
            budget.refuseStartIfOver(now);
        } catch (BoxException e) {
            if (e.error() != ErrorCode.BUDGET_REACHED) {
                throw e;
            }
            notifier.publish("gpubox: morning start skipped (monthly budget)", "gpubox did not start " + label
                    + ": " + e.getMessage());
            return Outcome.SKIPPED_BUDGET;
        }
        ActionResult result;
        try {
            result = control.start(0);
        } catch (BoxException e) {
            if (e.error() != ErrorCode.SPOT_INTERRUPTED) {
                throw e;
            }
            notifier.publish("gpubox: morning start skipped (interrupted by AWS)", "gpubox did not start " + label
                    + ": " + e.getMessage());
            return Outcome.SKIPPED_INTERRUPTED;
        }
        return result.accepted() ? Outcome.STARTED : Outcome.ALREADY_RUNNING;
    }
}
