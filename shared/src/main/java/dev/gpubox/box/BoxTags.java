package dev.gpubox.box;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * The tags gpubox keeps on a box. All of gpubox's state lives in AWS — on the instance — never in Lambda
 * memory, so a crashed or retried run picks up where the last one left off.
 */
public final class BoxTags {
    /**
     * A snooze, "END RUN" (two ISO-8601 instants): when it ends, and the launch time of the run it was set in.
     * A snooze belongs to its run: once the box is stopped and started again, the old one is ignored.
     */
    public static final String SNOOZE_UNTIL = "gpubox:snooze-until";
    /** Why the next stop happens, "schedule@2026-11-29T12:00:00Z": read by the stopped-notice. */
    public static final String STOP_REASON = "gpubox:stop-reason";
    /** The scheduled stop a skip notice was already sent for, so a retried run does not send it twice. */
    public static final String SKIP_NOTICED = "gpubox:skip-noticed";

    /**
     * The stack's StartTime ("08:30 Mon-Fri"), put on the box by the template when set: /status and the morning
     * start read it from the DescribeInstances they make anyway, so no function needs it in its environment.
     */
    public static final String START_TIME = "gpubox:start-time";
    /**
     * A pause of the morning start, "YYYY-MM-DD": no scheduled start on that day (in the stack's zone) or before
     * it. Kept on the box like the snooze, so the pause function needs tag rights on this one key only.
     */
    public static final String SCHEDULE_PAUSED_THROUGH = "gpubox:schedule-paused-through";

    /**
     * The last failed-stop notice for a deadline, "DEADLINE NOTICED_AT" (two ISO-8601 instants): one notice
     * per box per night, then a reminder at most hourly, however often the sweep and its retries fail.
     */
    public static final String STOP_FAILED_NOTICED = "gpubox:stop-failed-noticed";

    /**
     * The stack's capacity fall-back, set by template.yaml on the box (so the functions read it from the
     * DescribeInstances they already make, with no setting of their own): the InstanceType parameter, the
     * FallbackInstanceTypes list as given (comma-separated), and RestorePreferredType ("true"/"false").
     */
    public static final String PREFERRED_TYPE = "gpubox:preferred-type";
    public static final String FALLBACK_TYPES = "gpubox:fallback-types";
    public static final String RESTORE_PREFERRED = "gpubox:restore-preferred-type";

    /** A failed-stop notice already sent: for which deadline, and when. */
    record FailureNoticed(Instant deadline, Instant at) {
        String tagValue() {
            return deadline + " " + at;
        }
    }

    private BoxTags() {
    }

    /** The box's Name tag, or null. */
    static String name(Instance box) {
        return value(box, "Name");
    }

    /** The snooze tag's value for a snooze ending at {@code until}, set in the run launched at {@code run}. */
    static String snoozeValue(Instant until, Instant run) {
        return until + " " + run;
    }

    /**
     * The snooze end set during this run of the box, or null. Only meaningful while the box is running or
     * pending (its launch time is this run's start). A snooze recorded for another launch time is from an
     * earlier run, however far in the future it ends: a stop and a start end it. So is one without a run (a
     * tag from before snoozes named their run, or edited by hand): ignored, so the box keeps its nightly stop.
     */
    static Instant activeSnooze(Instance box) {
        String raw = value(box, SNOOZE_UNTIL);
        String[] parts = raw == null ? new String[0] : raw.trim().split(" ");
        if (parts.length != 2 || box.launchTime() == null) {
            return null;
        }
        try {
            Instant until = Instant.parse(parts[0]);
            Instant run = Instant.parse(parts[1]);
            return run.equals(box.launchTime()) && until.isAfter(run) ? until : null;
        } catch (DateTimeParseException unreadable) {
            return null; // a hand-edited tag must not break status or the nightly stop
        }
    }

    /** The box's morning start, or null when the stack has none; misconfigured when the tag is unreadable. */
    static StartTime startTime(Instance box) {
        return StartTime.parse(value(box, START_TIME));
    }

    /** The last day the morning start is paused through, or null when not paused or unreadable. */
    static java.time.LocalDate pausedThrough(Instance box) {
        String raw = value(box, SCHEDULE_PAUSED_THROUGH);
        try {
            return raw == null ? null : java.time.LocalDate.parse(raw.trim());
        } catch (DateTimeParseException unreadable) {
            return null; // a hand-edited tag must not break status; the start then runs as scheduled
        }
    }

    /** The last failed-stop notice recorded on the box; null when none or unreadable. */
    static FailureNoticed failureNoticed(Instance box) {
        String raw = value(box, STOP_FAILED_NOTICED);
        String[] parts = raw == null ? new String[0] : raw.trim().split(" ");
        try {
            return parts.length == 2 ? new FailureNoticed(Instant.parse(parts[0]), Instant.parse(parts[1])) : null;
        } catch (DateTimeParseException unreadable) {
            return null;
        }
    }

    static String value(Instance box, String key) {
        return box.tags().stream().filter(t -> key.equals(t.key())).map(Tag::value).findFirst().orElse(null);
    }

    /** A tag holding an instant (optionally after "reason@"); null when absent or unreadable. */
    static Instant instant(Instance box, String key) {
        String raw = value(box, key);
        if (raw == null) {
            return null;
        }
        try {
            return Instant.parse(raw.substring(raw.indexOf('@') + 1));
        } catch (DateTimeParseException unreadable) {
            return null; // a hand-edited tag must not break status or the nightly stop
        }
    }
}
