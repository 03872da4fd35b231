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
    enum Kind { START, SNOOZE_UNTIL, SNOOZE_MINUTES, STOP }

    /**
     * @param failWithCapacity the start is refused at once (InsufficientInstanceCapacity)
     * @param fallsBack        the start is accepted, then falls back to stopped (Server.InsufficientInstanceCapacity)
     * @param value            SNOOZE_UNTIL: HH:MM; SNOOZE_MINUTES: N
     */
    record Action(Kind kind, String box, boolean failWithCapacity, boolean fallsBack, String value) {
        static Action start(String box, boolean failWithCapacity, boolean fallsBack) {
            return new Action(Kind.START, box, failWithCapacity, fallsBack, null);
        }
    }

    /** The night's faults. */
    record Night(boolean throttle, boolean internalErrors, boolean refuseOneBox, boolean crash) {
    }

    /** The night of the DST change: a snooze that ends after the clocks go back, and a late start across it. */
    static final LocalDate DST_EVE = LocalDate.of(2026, 10, 31);
    /**
     * The day a snooze outlives its run (issue 15): box 0 is snoozed for 30 minutes, stopped and started again
     * before the snooze ends; box 1 is snoozed until 23:30, stopped and started again before the nightly stop.
     * Neither new run may inherit the old snooze: box 0 runs until 20:00, box 1 is stopped at 20:00.
     */
    static final LocalDate STOP_START_AFTER_SNOOZE = LocalDate.of(2026, 10, 23);

    private final Map<LocalDateTime, List<Action>> actions = new HashMap<>();
    private final Map<LocalDate, Night> nights = new HashMap<>();

    static Plan random(Random random, List<String> boxes) {
        Plan plan = new Plan();
        for (int day = 0; day < SimulatedMonthTest.DAYS; day++) {
            LocalDate date = SimulatedMonthTest.FIRST_DAY.plusDays(day);
            boolean snoozed = false;
            for (int b = 0; b < boxes.size(); b++) {
                if (date.equals(DST_EVE) && b != 1) {
                    continue; // boxes 0 and 2 follow the fixed DST plan below
                }
                if (date.equals(STOP_START_AFTER_SNOOZE) && b != 2) {
                    continue; // boxes 0 and 1 follow the fixed stop/start-after-snooze plan below
                }
                if (random.nextInt(10) < (b == 0 ? 9 : 6)) {
                    // Mostly during the day; boxes 1 and 2 sometimes late in the evening, after the nightly stop.
                    boolean late = b > 0 && random.nextInt(b == 2 ? 3 : 6) == 0;
                    int hour = late ? 20 + b : 8 + random.nextInt(11);
                    LocalDateTime start = date.atTime(hour, random.nextInt(60));
                    plan.add(start, Action.start(boxes.get(b), random.nextInt(12) == 0, random.nextInt(15) == 0));
                    if (b == 0 && hour < 19 && random.nextInt(4) == 0) {
                        plan.add(date.atTime(19, 10), random.nextBoolean()
                                ? new Action(Kind.SNOOZE_UNTIL, boxes.get(b), false, false, "23:30")
                                : new Action(Kind.SNOOZE_MINUTES, boxes.get(b), false, false,
                                Integer.toString(60 + random.nextInt(240))));
                        snoozed = true;
                    } else if (late && random.nextBoolean()) {
                        // A late start snoozed past its late-start deadline.
                        plan.add(start.plusMinutes(30), new Action(Kind.SNOOZE_MINUTES, boxes.get(b), false, false,
                                Integer.toString(300 + random.nextInt(120))));
                        snoozed = true;
                    } else if (random.nextInt(5) == 0 && hour < 17) {
                        plan.add(date.atTime(17 + random.nextInt(2), random.nextInt(60)),
                                new Action(Kind.STOP, boxes.get(b), false, false, null));
                    }
                }
            }
            // A crash needs a notice to crash on: a skipped stop's.
            plan.nights.put(date, new Night(random.nextInt(4) == 0, random.nextInt(6) == 0, day % 5 == 4,
                    snoozed && random.nextBoolean()));
        }
        // 2026-11-01 02:00 EDT becomes 01:00 EST: a 7-hour snooze from 19:10 ends at 01:10 EST, and a start
        // at 23:30 EDT has its late-start deadline four real hours later, at 02:30 EST.
        plan.add(DST_EVE.atTime(9, 0), Action.start(boxes.get(0), false, false));
        plan.add(DST_EVE.atTime(19, 10), new Action(Kind.SNOOZE_MINUTES, boxes.get(0), false, false, "420"));
        plan.add(DST_EVE.atTime(23, 30), Action.start(boxes.get(2), false, false));
        LocalDate day = STOP_START_AFTER_SNOOZE;
        plan.add(day.atTime(9, 0), Action.start(boxes.get(0), false, false));
        plan.add(day.atTime(9, 10), new Action(Kind.SNOOZE_MINUTES, boxes.get(0), false, false, "30"));
        plan.add(day.atTime(9, 20), new Action(Kind.STOP, boxes.get(0), false, false, null));
        plan.add(day.atTime(9, 25), Action.start(boxes.get(0), false, false));
        plan.add(day.atTime(10, 0), Action.start(boxes.get(1), false, false));
        plan.add(day.atTime(19, 0), new Action(Kind.SNOOZE_UNTIL, boxes.get(1), false, false, "23:30"));
        plan.add(day.atTime(19, 20), new Action(Kind.STOP, boxes.get(1), false, false, null));
        plan.add(day.atTime(19, 30), Action.start(boxes.get(1), false, false));
        return plan;
    }

    private void add(LocalDateTime at, Action action) {
        actions.computeIfAbsent(at, t -> new ArrayList<>()).add(action);
    }

    List<Action> at(ZonedDateTime local) {
        return actions.getOrDefault(local.toLocalDateTime().withSecond(0).withNano(0), List.of());
    }

    void retryStartLater(Action failed, ZonedDateTime when) {
        add(when.toLocalDateTime().withSecond(0).withNano(0), Action.start(failed.box(), false, false));
    }

    Night night(LocalDate date) {
        return nights.getOrDefault(date, new Night(false, false, false, false));
    }
}
