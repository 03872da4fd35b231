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
 */
public record StopPolicy(LocalTime shutdownTime, ZoneId zone, Duration maxSnooze, Duration lateStart) {
    public static final Duration DEFAULT_LATE_START = Duration.ofHours(4);
    /** The template's MaxValue for LateStartHours: longer than a day would outlast the next ShutdownTime anyway. */
    static final Duration MAX_LATE_START = Duration.ofHours(24);
    public static final StopPolicy DEFAULT = new StopPolicy(LocalTime.of(20, 0), ZoneId.of("Asia/Shanghai"),
            Duration.ofHours(12), DEFAULT_LATE_START);

    /** A policy with the default late-start allowance. */
    public StopPolicy(LocalTime shutdownTime, ZoneId zone, Duration maxSnooze) {
        this(shutdownTime, zone, maxSnooze, DEFAULT_LATE_START);
    }

    /**
     * Reads the template's settings; a bad value is reported when a stop time is first needed, as a
     * configuration error, not at cold start.
     */
    static StopPolicy parse(String time, String zone, String maxSnoozeHours) {
        return parse(time, zone, maxSnoozeHours, null);
    }

    static StopPolicy parse(String time, String zone, String maxSnoozeHours, String lateStartHours) {
        Duration lateStart;
        try {
            lateStart = lateStartHours == null ? DEFAULT_LATE_START : hours(lateStartHours);
        } catch (NumberFormatException | ArithmeticException e) {
            lateStart = null;
        }
        // The template bounds the parameter (0-24); the variable can still be edited by hand.
        if (lateStart == null || lateStart.isNegative() || lateStart.compareTo(MAX_LATE_START) > 0) {
            throw new BoxException(ErrorCode.MISCONFIGURED, "gpubox is not configured: LateStartHours ("
                    + BoxConfig.LATE_START_HOURS + ") must be a number of hours from 0 to "
                    + MAX_LATE_START.toHours() + ", not '" + lateStartHours + "'.");
        }
        try {
            return new StopPolicy(
                    time == null ? DEFAULT.shutdownTime : LocalTime.parse(time),
                    zone == null ? DEFAULT.zone : ZoneId.of(zone),
                    maxSnoozeHours == null ? DEFAULT.maxSnooze : hours(maxSnoozeHours), lateStart);
        } catch (DateTimeException | NumberFormatException | ArithmeticException e) {
            throw new BoxException(ErrorCode.MISCONFIGURED, "gpubox is not configured: shutdown time '" + time
                    + "', time zone '" + zone + "', maximum snooze '" + maxSnoozeHours + "' or late-start hours '"
                    + lateStartHours + "' is not valid.");
        }
    }

    private static Duration hours(String raw) {
        return Duration.ofMinutes(Math.round(Double.parseDouble(raw) * 60));
    }

    public StopPolicy withMaxSnooze(Duration max) {
        return new StopPolicy(shutdownTime, zone, max, lateStart);
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
     * When a box that started at {@code launched} must be stopped.
     *
     * @param snoozeUntil the box's snooze end, or null; a snooze older than the launch is stale and ignored
     */
    public Instant deadline(Instant launched, Instant snoozeUntil) {
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
        return isLateStart(launched) && deadline(launched, null).isBefore(nextStopAfter(launched));
    }

    /** True when the box started at or after its day's scheduled stop and late starts have an allowance. */
    public boolean isLateStart(Instant launched) {
        return lateStart.isPositive() && !launched.isBefore(stopOn(launched.atZone(zone).toLocalDate()));
    }
}
