package dev.gpubox.box;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * When boxes stop: every day at {@code shutdownTime} in {@code zone}, {@code lateStart} after a start past
 * that day's stop, or at the end of a snooze.
 *
 * <p>A box's <em>deadline</em> is, when it carries a snooze set during this run, the snooze end; otherwise
 * the first scheduled stop after it was last started — except that a box started after the day's
 * {@code shutdownTime} (a late start) stops {@code lateStart} after its start, so a box started at 21:00
 * after a 20:00 stop does not run until tomorrow's 20:00. A {@code lateStart} of zero keeps the next
 * scheduled stop. Times are computed in the zone with java.time, so DST changes move the stop with the
 * wall clock.
 *
 * <p>Whatever the snooze, no run outlasts its <em>ceiling</em>: {@code maxRun} after its launch (on the whole
 * minute before), the stack's MaxRunHours. No API caller can move it; a {@code maxRun} of zero turns it off.
 */
public record StopPolicy(LocalTime shutdownTime, ZoneId zone, Duration maxSnooze, Duration lateStart,
                         Duration maxRun) {
    public static final Duration DEFAULT_LATE_START = Duration.ofHours(4);
    /** The template's MaxValue for LateStartHours: longer than a day would outlast the next ShutdownTime anyway. */
    static final Duration MAX_LATE_START = Duration.ofHours(24);
    /**
     * The template's default MaxRunHours: a working day and the night after it (a 08:00 start snoozed until
     * 08:00 the next morning), and more than any unsnoozed run lasts (at most 20 h, a start just after
     * midnight); a run past a day is what a forgotten renewal or a leaked key looks like.
     */
    public static final Duration DEFAULT_MAX_RUN = Duration.ofHours(24);
    /** The template's MaxValue for MaxRunHours: a week. */
    static final Duration MAX_MAX_RUN = Duration.ofHours(168);
    public static final StopPolicy DEFAULT = new StopPolicy(LocalTime.of(20, 0), ZoneId.of("Asia/Shanghai"),
            Duration.ofHours(12), DEFAULT_LATE_START, DEFAULT_MAX_RUN);

    /** A policy with the default late-start allowance and run ceiling. */
    public StopPolicy(LocalTime shutdownTime, ZoneId zone, Duration maxSnooze) {
        this(shutdownTime, zone, maxSnooze, DEFAULT_LATE_START);
    }

    /** A policy with the default run ceiling. */
    public StopPolicy(LocalTime shutdownTime, ZoneId zone, Duration maxSnooze, Duration lateStart) {
        this(shutdownTime, zone, maxSnooze, lateStart, DEFAULT_MAX_RUN);
    }

    /**
     * Reads the template's settings; a bad value is reported when a stop time is first needed, as a
     * configuration error, not at cold start.
     */
    static StopPolicy parse(String time, String zone, String maxSnoozeHours) {
        return parse(time, zone, maxSnoozeHours, null);
    }

    static StopPolicy parse(String time, String zone, String maxSnoozeHours, String lateStartHours) {
        return parse(time, zone, maxSnoozeHours, lateStartHours, null);
    }

    static StopPolicy parse(String time, String zone, String maxSnoozeHours, String lateStartHours,
                            String maxRunHours) {
        Duration maxRun = boundedHours(maxRunHours, DEFAULT_MAX_RUN, MAX_MAX_RUN, "MaxRunHours ("
                + BoxConfig.MAX_RUN_HOURS + ")", " (0 turns the ceiling off)");
        Duration lateStart = boundedHours(lateStartHours, DEFAULT_LATE_START, MAX_LATE_START, "LateStartHours ("
                + BoxConfig.LATE_START_HOURS + ")", "");
        try {
            return new StopPolicy(
                    time == null ? DEFAULT.shutdownTime : LocalTime.parse(time),
                    zone == null ? DEFAULT.zone : ZoneId.of(zone),
                    maxSnoozeHours == null ? DEFAULT.maxSnooze : hours(maxSnoozeHours), lateStart, maxRun);
        } catch (DateTimeException | NumberFormatException | ArithmeticException e) {
            throw new BoxException(ErrorCode.MISCONFIGURED, "gpubox is not configured: shutdown time '" + time
                    + "', time zone '" + zone + "', maximum snooze '" + maxSnoozeHours + "' or late-start hours '"
                    + lateStartHours + "' is not valid.");
        }
    }

    private static Duration hours(String raw) {
        return Duration.ofMinutes(Math.round(Double.parseDouble(raw) * 60));
    }

    /** A number of hours from 0 to {@code max}, {@code fallback} when unset; else a configuration error. */
    private static Duration boundedHours(String raw, Duration fallback, Duration max, String name, String zeroMeans) {
        Duration value;
        try {
            value = raw == null ? fallback : hours(raw);
        } catch (NumberFormatException | ArithmeticException e) {
            value = null;
        }
        // The template bounds the parameter; the variable can still be edited by hand.
        if (value == null || value.isNegative() || value.compareTo(max) > 0) {
            throw new BoxException(ErrorCode.MISCONFIGURED, "gpubox is not configured: " + name
                    + " must be a number of hours from 0 to " + max.toHours() + zeroMeans + ", not '" + raw + "'.");
        }
        return value;
    }

    public StopPolicy withMaxSnooze(Duration max) {
        return new StopPolicy(shutdownTime, zone, max, lateStart, maxRun);
    }

    public StopPolicy withMaxRun(Duration max) {
        return new StopPolicy(shutdownTime, zone, maxSnooze, lateStart, max);
    }

    /**
     * The latest a run that started at {@code launched} may last: {@code maxRun} after it, on the whole minute
     * at or before (so the HH:MM shown is never past it); null when the ceiling is off.
     */
    public Instant ceiling(Instant launched) {
        return maxRun.isZero() ? null : launched.plus(maxRun).truncatedTo(ChronoUnit.MINUTES);
    }

    /** The first scheduled stop strictly after {@code since}. */
    public Instant nextStopAfter(Instant since) {
        LocalDate day = since.atZone(zone).toLocalDate();
        Instant today = stopOn(day);
        return today.isAfter(since) ? today : stopOn(day.plusDays(1));
    }

    /** The scheduled stop on a calendar day in the zone; in a DST gap, the first instant after it. */
    public Instant stopOn(LocalDate day) {
        return ZonedDateTime.of(day, shutdownTime, zone).toInstant();
    }

    /**
     * When a box that started at {@code launched} must be stopped: its snooze end or its scheduled or
     * late-start stop, never past its {@link #ceiling}.
     *
     * @param snoozeUntil this run's snooze end ({@link BoxTags#activeSnooze}), or null
     */
    public Instant deadline(Instant launched, Instant snoozeUntil) {
        Instant uncapped = uncappedDeadline(launched, snoozeUntil);
        Instant ceiling = ceiling(launched);
        return ceiling != null && ceiling.isBefore(uncapped) ? ceiling : uncapped;
    }

    /** True when the run's ceiling (MaxRunHours), not its snooze or schedule, sets its deadline. */
    public boolean stopsByCeiling(Instant launched, Instant snoozeUntil) {
        Instant ceiling = ceiling(launched);
        return ceiling != null && ceiling.isBefore(uncappedDeadline(launched, snoozeUntil));
    }

    private Instant uncappedDeadline(Instant launched, Instant snoozeUntil) {
        if (snoozeUntil != null && snoozeUntil.isAfter(launched)) {
            return snoozeUntil;
        }
        Instant scheduled = nextStopAfter(launched);
        if (!isLateStart(launched)) {
            return scheduled;
        }
        // On a whole minute, so the HH:MM that /start and /status show is when the stop may happen.
        Instant late = launched.plus(lateStart);
        Instant whole = late.truncatedTo(ChronoUnit.MINUTES);
        late = whole.equals(late) ? late : whole.plus(Duration.ofMinutes(1));
        return late.isBefore(scheduled) ? late : scheduled;
    }

    /** True when, unsnoozed, the box stops by its late-start allowance rather than at a scheduled stop. */
    public boolean stopsByLateStart(Instant launched) {
        return isLateStart(launched) && uncappedDeadline(launched, null).isBefore(nextStopAfter(launched));
    }

    /** True when the box started at or after its day's scheduled stop and late starts have an allowance. */
    public boolean isLateStart(Instant launched) {
        return lateStart.isPositive() && !launched.isBefore(stopOn(launched.atZone(zone).toLocalDate()));
    }
}
