package dev.gpubox.box;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/** Reads {@code until=HH:MM}, {@code until=YYYY-MM-DDTHH:MM} or {@code minutes=N} into a snooze end. */
public final class SnoozeRequest {
    private SnoozeRequest() {
    }

    /**
     * @param until   a local clock time in the stack's zone (the next time it comes round), or a local date-time
     * @param minutes a duration from now
     * @return the snooze end, within (now, now + maxSnooze]
     */
    public static Instant parse(String until, String minutes, Instant now, StopPolicy policy) {
        boolean hasUntil = until != null && !until.isBlank();
        boolean hasMinutes = minutes != null && !minutes.isBlank();
        if (hasUntil == hasMinutes) {
            throw bad("Say when the snooze ends: until=HH:MM (" + policy.zone().getId() + " time) or minutes=N.");
        }
        Instant end = hasMinutes ? now.plus(Duration.ofMinutes(positiveMinutes(minutes.trim(), policy)))
                : untilInstant(until.trim(), now, policy);
        if (!end.isAfter(now)) {
            throw bad("until=" + Quote.input(until) + " is in the past; a snooze must end in the future.");
        }
        if (end.isAfter(now.plus(policy.maxSnooze()))) {
            String why = hasUntil && until.trim().length() == 5
                    && LocalTime.parse(until.trim()).isBefore(now.atZone(policy.zone()).toLocalTime())
                    ? " (" + until.trim() + " has passed today, and tomorrow's is too far)" : "";
            throw bad("A snooze can last at most " + Durations.human(policy.maxSnooze())
                    + " (MaxSnoozeHours); " + (hasUntil ? "until=" + Quote.input(until) : "minutes=" + Quote.input(minutes))
                    + " is further away" + why + ".");
        }
        // A snooze ends on a whole minute, so the HH:MM every message shows is exactly when it ends: the next
        // one, unless that would pass MaxSnoozeHours (minutes=max at hh:mm:30), then the one before.
        Instant whole = end.truncatedTo(ChronoUnit.MINUTES);
        Instant up = whole.equals(end) ? end : whole.plus(Duration.ofMinutes(1));
        return up.isAfter(now.plus(policy.maxSnooze())) ? whole : up;
    }

    private static long positiveMinutes(String raw, StopPolicy policy) {
        try {
            long n = Long.parseLong(raw);
            if (n > 0) {
                // Anything past the maximum is refused below as too long; capped here so it cannot overflow.
                return Math.min(n, policy.maxSnooze().toMinutes() + 1);
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw bad("minutes must be a whole number from 1 to " + policy.maxSnooze().toMinutes() + ", not " + Quote.input(raw) + ".");
    }

    private static Instant untilInstant(String raw, Instant now, StopPolicy policy) {
        try {
            if (raw.length() == 5) {
                LocalTime time = LocalTime.parse(raw);
                ZonedDateTime local = now.atZone(policy.zone());
                ZonedDateTime candidate = ZonedDateTime.of(local.toLocalDate(), time, policy.zone());
                return candidate.toInstant().isAfter(now) ? candidate.toInstant()
                        : ZonedDateTime.of(local.toLocalDate().plusDays(1), time, policy.zone()).toInstant();
            }
            return LocalDateTime.parse(raw).atZone(policy.zone()).toInstant();
        } catch (DateTimeException e) {
            throw bad("until must be a 24-hour time HH:MM (e.g. 23:30) or a date-time YYYY-MM-DDTHH:MM, not "
                    + Quote.input(raw) + ".");
        }
    }

    private static BoxException bad(String message) {
        return new BoxException(ErrorCode.BAD_REQUEST, message);
    }
}
