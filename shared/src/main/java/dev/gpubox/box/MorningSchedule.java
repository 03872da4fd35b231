package dev.gpubox.box;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * What /status says of the morning start: the stack's StartTime, when the next scheduled start is (a pause
 * counted), and the last day it is paused through (null when not paused, or the pause has passed).
 */
public record MorningSchedule(String startTime, Instant nextStart, LocalDate pausedThrough) {

    /** The box's schedule as of {@code now}; null when the stack has no StartTime. */
    static MorningSchedule of(Instance box, ZoneId zone, Instant now) {
        StartTime start = BoxTags.startTime(box);
        if (start == null) {
            return null;
        }
        LocalDate paused = activePause(box, zone, now);
        return new MorningSchedule(BoxTags.value(box, BoxTags.START_TIME).trim(), start.nextAfter(now, zone, paused),
                paused);
    }

    /** "Next morning start: Mon 4 Jan 2027 08:30 America/New_York (paused through 2027-01-01)." */
    public String line(ZoneId zone) {
        return "Next morning start: " + SchedulePause.when(nextStart, zone)
                + (pausedThrough == null ? "" : " (paused through " + pausedThrough + ")") + ".";
    }

    /** The pause still in force on {@code now}'s day in the zone, or null. */
    static LocalDate activePause(Instance box, ZoneId zone, Instant now) {
        LocalDate paused = BoxTags.pausedThrough(box);
        return paused != null && !now.atZone(zone).toLocalDate().isAfter(paused) ? paused : null;
    }
}
