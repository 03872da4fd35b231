package dev.gpubox.box;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The stack's morning start (StartTime): a wall-clock time and the weekdays it applies to, e.g.
 * {@code 08:30 Mon-Fri} or {@code 07:00 Mon,Wed,Fri} or {@code 09:00 Sat-Sun}, in the stack's zone. The one
 * place it is parsed; the template's AllowedPattern is {@link #PATTERN} (a test keeps the two equal).
 *
 * <p>The schedule fires every day at the time (the template's cron); which days start the box is decided
 * here, so a day name's spelling never depends on how EventBridge reads cron day names.
 */
public record StartTime(LocalTime time, Set<DayOfWeek> days) {
    private static final String DAY = "(Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
    private static final String DAYS = DAY + "(-" + DAY + ")?";
    /** Empty (off), or HH:MM then day names or ranges separated by commas. */
    public static final String PATTERN = "^$|^([01]\\d|2[0-3]):[0-5]\\d " + DAYS + "(," + DAYS + ")*$";
    private static final Pattern SHAPE = Pattern.compile(PATTERN);
    private static final List<String> NAMES = List.of("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun");

    public StartTime {
        days = Set.copyOf(days);
    }

    /**
     * {@code 08:30 Mon-Fri}; null when blank (no morning start). A range may wrap ({@code Fri-Mon}).
     *
     * @throws BoxException misconfigured, naming the parameter, when the value is not of that shape
     */
    public static StartTime parse(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String value = raw.trim();
        if (!SHAPE.matcher(value).matches()) {
            throw new BoxException(ErrorCode.MISCONFIGURED, "gpubox is not configured: StartTime '"
                    + Quote.excerpt(value, 40) + "' is not a time and weekdays such as 08:30 Mon-Fri.");
        }
        int space = value.indexOf(' ');
        EnumSet<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String part : value.substring(space + 1).split(",")) {
            String[] ends = part.split("-");
            int from = NAMES.indexOf(ends[0]);
            int to = NAMES.indexOf(ends[ends.length - 1]);
            for (int d = from; ; d = (d + 1) % 7) {
                days.add(DayOfWeek.of(d + 1));
                if (d == to) {
                    break;
                }
            }
        }
        return new StartTime(LocalTime.parse(value.substring(0, space)), days);
    }

    /** True when {@code day} is one of the start days. */
    public boolean startsOn(LocalDate day) {
        return days.contains(day.getDayOfWeek());
    }

    /** The first scheduled start strictly after {@code after}, at the wall-clock time in {@code zone}. */
    public Instant nextAfter(Instant after, ZoneId zone) {
        LocalDate day = after.atZone(zone).toLocalDate();
        for (int i = 0; i <= 7; i++, day = day.plusDays(1)) {
            Instant at = ZonedDateTime.of(day, time, zone).toInstant();
            if (startsOn(day) && at.isAfter(after)) {
                return at;
            }
        }
        throw new IllegalStateException("a StartTime always has a day");
    }

    /** The first scheduled start on a day after {@code pausedThrough} and strictly after {@code after}. */
    public Instant nextAfter(Instant after, ZoneId zone, LocalDate pausedThrough) {
        Instant next = nextAfter(after, zone);
        while (pausedThrough != null && !next.atZone(zone).toLocalDate().isAfter(pausedThrough)) {
            next = nextAfter(next, zone);
        }
        return next;
    }
}
