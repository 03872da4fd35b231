package dev.gpubox.box;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * When boxes stop: every day at {@code shutdownTime} in {@code zone}, or at the end of a snooze.
 *
 * <p>A box's <em>deadline</em> is the first scheduled stop after it was last started, or, when it carries a
 * snooze set during this run, the snooze end. So a box started at 21:00 after a 20:00 stop runs to the next
 * day's 20:00 — exactly what the nightly schedule does — unless snoozed to an earlier or later time.
 * Times are computed in the zone with java.time, so DST changes move the stop with the wall clock.
 */
public record StopPolicy(LocalTime shutdownTime, ZoneId zone, Duration maxSnooze) {
    public static final StopPolicy DEFAULT =
            new StopPolicy(LocalTime.of(20, 0), ZoneId.of("Asia/Shanghai"), Duration.ofHours(12));

    /**
     * Reads the template's settings; a bad value is reported when a stop time is first needed, as a
     * configuration error, not at cold start.
     */
    static StopPolicy parse(String time, String zone, String maxSnoozeHours) {
        try {
            return new StopPolicy(
                    time == null ? DEFAULT.shutdownTime : LocalTime.parse(time),
                    zone == null ? DEFAULT.zone : ZoneId.of(zone),
                    maxSnoozeHours == null ? DEFAULT.maxSnooze : Duration.ofMinutes(
                            Math.round(Double.parseDouble(maxSnoozeHours) * 60)));
        } catch (DateTimeException | NumberFormatException e) {
            throw new BoxException(ErrorCode.MISCONFIGURED, "gpubox is not configured: shutdown time '" + time
                    + "', time zone '" + zone + "' or maximum snooze '" + maxSnoozeHours + "' is not valid.");
        }
    }

    public StopPolicy withMaxSnooze(Duration max) {
        return new StopPolicy(shutdownTime, zone, max);
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
        return nextStopAfter(launched);
    }
}
