package dev.gpubox.box;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class StartTimeTest {
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    @Test
    void readsTimeAndWeekdaysRangesListsAndWrappingRanges() {
        assertNull(StartTime.parse(""));
        assertNull(StartTime.parse(null));
        StartTime weekdays = StartTime.parse("08:30 Mon-Fri");
        assertEquals(LocalTime.of(8, 30), weekdays.time());
        assertEquals(EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), weekdays.days());
        assertEquals(EnumSet.of(DayOfWeek.MONDAY, DayOfWeek.WEDNESDAY, DayOfWeek.FRIDAY),
                StartTime.parse("07:00 Mon,Wed,Fri").days());
        assertEquals(EnumSet.of(DayOfWeek.FRIDAY, DayOfWeek.SATURDAY, DayOfWeek.SUNDAY, DayOfWeek.MONDAY),
                StartTime.parse("07:00 Fri-Mon").days());
        BoxException bad = assertThrows(BoxException.class, () -> StartTime.parse("8:30 weekdays"));
        assertEquals(ErrorCode.MISCONFIGURED, bad.error());
    }

    /** 08:30 local on both sides of New York's spring-forward (Sun 8 Mar 2026): 13:30Z before, 12:30Z after. */
    @Test
    void theNextStartKeepsTheWallClockAcrossDst() {
        StartTime weekdays = StartTime.parse("08:30 Mon-Fri");
        Instant fridayEvening = Instant.parse("2026-03-06T23:00:00Z");
        assertEquals(Instant.parse("2026-03-09T12:30:00Z"), weekdays.nextAfter(fridayEvening, NEW_YORK),
                "Monday 08:30 EDT, skipping the weekend");
        assertEquals(Instant.parse("2026-03-06T13:30:00Z"),
                weekdays.nextAfter(Instant.parse("2026-03-06T05:00:00Z"), NEW_YORK), "Friday 08:30 EST");
        assertEquals(Instant.parse("2026-03-12T12:30:00Z"),
                weekdays.nextAfter(fridayEvening, NEW_YORK, LocalDate.of(2026, 3, 11)), "paused through Wednesday");
    }
}
