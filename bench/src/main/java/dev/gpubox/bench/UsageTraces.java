package dev.gpubox.bench;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.function.Consumer;

/**
 * The month's users, in the original user's zone (Asia/Shanghai, where the seed's 12:00 UTC cron is 20:00).
 * Weekdays are work days; on weekends nobody needs the box.
 */
final class UsageTraces {
    static final String FORGETFUL = "forgetful";
    static final String BAD_NIGHT = "forgetful-bad-night";
    static final String TRAINER = "overnight-trainer";
    static final String LATE = "late-starter";
    static final String LEAKED_SNOOZE = "leaked-key";
    static final String LEAKED_START = "leaked-key-starts";
    static final List<String> ALL = List.of(FORGETFUL, BAD_NIGHT, TRAINER, LATE, LEAKED_SNOOZE, LEAKED_START);

    private UsageTraces() {
    }

    static UsageTrace named(String name, LocalDate first, int days, ZoneId zone) {
        return switch (name) {
            case FORGETFUL -> month(name, "works 09:00-12:30 and 13:30-18:00 on weekdays, never stops the box",
                    first, days, zone, UsageTraces::forgetfulDay);
            case BAD_NIGHT -> month(name, "the forgetful user, and on the 12th every StopInstances fails (500"
                    + " InternalError) from 19:55 to 20:15", first, days, zone, d -> {
                        forgetfulDay(d);
                        if (d.dayOfMonth() == 12) {
                            d.throttleStops("19:55", "20:15");
                        }
                    });
            case TRAINER -> month(name, "works 10:00-19:00; Tue and Thu leaves a 19:00-03:00 training job with"
                    + " snooze until=03:30, other days stops the box at 19:00", first, days, zone, d -> {
                        if (!d.weekday()) {
                            return;
                        }
                        d.work("10:00", "19:00");
                        if (d.dayOfWeek() == DayOfWeek.TUESDAY || d.dayOfWeek() == DayOfWeek.THURSDAY) {
                            d.snoozeUntil("18:55", "03:30").job("19:00", "03:00");
                        } else {
                            d.stop("19:00");
                        }
                    });
            case LATE -> month(name, "works 20:30-23:30 on weekdays (after the nightly stop), never stops the box",
                    first, days, zone, d -> {
                        if (d.weekday()) {
                            d.work("20:30", "23:30");
                        }
                    });
            case LEAKED_SNOOZE -> month(name, "the forgetful user, and a leaked key renewing snooze?minutes=720 at"
                    + " 07:55 and 19:55 every day", first, days, zone, d -> {
                        forgetfulDay(d);
                        d.keyHolderSnooze("07:55", 720).keyHolderSnooze("19:55", 720);
                    });
            case LEAKED_START -> month(name, "the forgetful user, and a leaked key calling /start, then"
                    + " snooze?minutes=720, at 07:55 and 19:55 every day", first, days, zone, d -> {
                        forgetfulDay(d);
                        d.keyHolderStart("07:55").keyHolderSnooze("07:55", 720)
                                .keyHolderStart("19:55").keyHolderSnooze("19:55", 720);
                    });
            default -> throw new IllegalArgumentException("no trace named " + name + "; the traces are "
                    + String.join(", ", ALL));
        };
    }

    private static void forgetfulDay(UsageTrace.Builder d) {
        if (d.weekday()) {
            d.work("09:00", "12:30").work("13:30", "18:00");
        }
    }

    private static UsageTrace month(String name, String who, LocalDate first, int days, ZoneId zone,
                                    Consumer<UsageTrace.Builder> day) {
        UsageTrace.Builder builder = new UsageTrace.Builder(name, who, zone);
        for (int i = 0; i < days; i++) {
            day.accept(builder.on(first.plusDays(i)));
        }
        return builder.build();
    }
}
