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

    /**
     * True when {@code name} is a zone of the IANA time zone database as java.time ships it, spelled exactly
     * (America/New_York, Etc/UTC, UTC): not a fixed offset such as +08:00 or UTC+8, which ZoneId.of also
     * takes but which never follows daylight saving time.
     */
    public static boolean isIanaZone(String name) {
        return name != null && java.time.zone.ZoneRulesProvider.getAvailableZoneIds().contains(name);
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
