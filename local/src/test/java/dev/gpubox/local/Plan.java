package dev.gpubox.local;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** What the simulated lab does each day, drawn once from a seeded random source so every run is the same. */
final class Plan {
    enum Kind { START, SNOOZE, STOP }

    record Action(Kind kind, String box, boolean failWithCapacity) {
    }

    /** The night's faults. */
    record Night(boolean throttle, boolean internalErrors, boolean refuseOneBox, boolean crash) {
    }

    private final Map<LocalDateTime, List<Action>> actions = new HashMap<>();
    private final Map<LocalDate, Night> nights = new HashMap<>();

    static Plan random(Random random, List<String> boxes) {
        Plan plan = new Plan();
        for (int day = 0; day < SimulatedMonthTest.DAYS; day++) {
            LocalDate date = SimulatedMonthTest.FIRST_DAY.plusDays(day);
            boolean snoozed = false;
            for (int b = 0; b < boxes.size(); b++) {
                if (random.nextInt(10) < (b == 0 ? 9 : 6)) {
                    // Mostly during the day; the third box sometimes late in the evening, after the nightly stop.
                    int hour = b == 2 && random.nextInt(3) == 0 ? 21 : 8 + random.nextInt(11);
                    LocalDateTime start = date.atTime(hour, random.nextInt(60));
                    plan.add(start, new Action(Kind.START, boxes.get(b), random.nextInt(12) == 0));
                    if (b == 0 && hour < 19 && random.nextInt(4) == 0) {
                        plan.add(date.atTime(19, 10), new Action(Kind.SNOOZE, boxes.get(b), false));
                        snoozed = true;
                    } else if (random.nextInt(5) == 0 && hour < 17) {
                        plan.add(date.atTime(17 + random.nextInt(2), random.nextInt(60)),
                                new Action(Kind.STOP, boxes.get(b), false));
                    }
                }
            }
            // A crash needs a notice to crash on: a skipped stop's.
            plan.nights.put(date, new Night(random.nextInt(4) == 0, random.nextInt(6) == 0, day % 5 == 4,
                    snoozed && random.nextBoolean()));
        }
        return plan;
    }

    private void add(LocalDateTime at, Action action) {
        actions.computeIfAbsent(at, t -> new ArrayList<>()).add(action);
    }

    List<Action> at(ZonedDateTime local) {
        return actions.getOrDefault(local.toLocalDateTime().withSecond(0).withNano(0), List.of());
    }

    void retryStartLater(Action failed, ZonedDateTime when) {
        add(when.toLocalDateTime().withSecond(0).withNano(0), new Action(Kind.START, failed.box(), false));
    }

    Night night(LocalDate date) {
        return nights.getOrDefault(date, new Night(false, false, false, false));
    }
}
