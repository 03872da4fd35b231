package dev.gpubox.box;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How every reply and notice shows a time: a wall-clock time in the stack's zone, with the zone's name. */
public final class ZoneTimes {
    /** Minutes, never seconds: a snooze of minutes=N must not read "05:57:29.731835654". */
    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH);

    private ZoneTimes() {
    }

    /** "20:00 Asia/Shanghai" */
    public static String clock(Instant at, ZoneId zone) {
        return time(at, zone) + " " + zone.getId();
    }

    /** "20:00": the wall-clock time alone, where the sentence already names the zone. */
    public static String time(Instant at, ZoneId zone) {
        return at.atZone(zone).format(HH_MM);
    }

    /** "20:00 Asia/Shanghai" when {@code at} is on {@code now}'s day in the zone, else "Tue 20:00 Asia/Shanghai". */
    public static String clockWithDay(Instant at, Instant now, ZoneId zone) {
        var local = at.atZone(zone);
        boolean today = local.toLocalDate().equals(now.atZone(zone).toLocalDate());
        String pattern = today ? "HH:mm" : "EEE HH:mm";
        return local.format(DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH)) + " " + zone.getId();
    }
}
