package dev.gpubox.box;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StopPolicyTest {
    static StopPolicy at(String time, String zone) {
        return new StopPolicy(LocalTime.parse(time), ZoneId.of(zone), Duration.ofHours(12));
    }

    @Test
    void tonightsStopInShanghaiIsTwelveUtc() {
        StopPolicy policy = StopPolicy.DEFAULT;
        assertEquals(Instant.parse("2026-11-29T12:00:00Z"), policy.nextStopAfter(Instant.parse("2026-11-29T03:00:00Z")));
        assertEquals(Instant.parse("2026-11-30T12:00:00Z"), policy.nextStopAfter(Instant.parse("2026-11-29T12:00:00Z")),
                "a box started at the stop time runs to the next day's stop");
    }

    @ParameterizedTest(name = "{0} {1} on {2} is {3}")
    @CsvSource({
            // New York leaves DST on 2026-11-01 (EDT -4 → EST -5) and enters it on 2026-03-08.
            "20:00, America/New_York, 2026-10-31, 2026-11-01T00:00:00Z",
            "20:00, America/New_York, 2026-11-01, 2026-11-02T01:00:00Z",
            "20:00, America/New_York, 2026-03-07, 2026-03-08T01:00:00Z",
            "20:00, America/New_York, 2026-03-08, 2026-03-09T00:00:00Z",
            // 02:30 does not exist on 2026-03-08 in New York: the stop moves to 03:30 EDT.
            "02:30, America/New_York, 2026-03-08, 2026-03-08T07:30:00Z",
            // 01:30 happens twice on 2026-11-01: the stop is the first one (EDT), once.
            "01:30, America/New_York, 2026-11-01, 2026-11-01T05:30:00Z",
            "20:00, Europe/Berlin, 2026-03-29, 2026-03-29T18:00:00Z",
            "20:00, Asia/Shanghai, 2026-07-01, 2026-07-01T12:00:00Z",
    })
    void stopTimesFollowTheWallClockAcrossDst(String time, String zone, String day, String expected) {
        assertEquals(Instant.parse(expected), at(time, zone).stopOn(LocalDate.parse(day)));
    }

    @Test
    void theNightOfTheDstChangeIsOneStopNotTwoOrNone() {
        StopPolicy ny = at("01:30", "America/New_York");
        Instant first = ny.nextStopAfter(Instant.parse("2026-11-01T04:00:00Z"));
        assertEquals(Instant.parse("2026-11-01T05:30:00Z"), first);
        assertEquals(Instant.parse("2026-11-02T06:30:00Z"), ny.nextStopAfter(first));
    }

    @Test
    void deadlineIsTheSnoozeEndWhenSetDuringThisRunOfTheBox() {
        StopPolicy policy = StopPolicy.DEFAULT;
        Instant launched = Instant.parse("2026-11-29T01:00:00Z");
        Instant tonight = Instant.parse("2026-11-29T12:00:00Z");
        assertEquals(tonight, policy.deadline(launched, null));
        assertEquals(tonight.plusSeconds(12600), policy.deadline(launched, tonight.plusSeconds(12600)), "later: kept on");
        assertEquals(tonight.minusSeconds(3600), policy.deadline(launched, tonight.minusSeconds(3600)), "earlier: off sooner");
        assertEquals(tonight, policy.deadline(launched, launched.minusSeconds(60)), "a stale snooze is ignored");
    }

    @Test
    void badSettingsAreAConfigurationError() {
        assertEquals(ErrorCode.MISCONFIGURED, assertThrows(BoxException.class,
                () -> StopPolicy.parse("25:00", "Asia/Shanghai", "12")).error());
        assertEquals(ErrorCode.MISCONFIGURED, assertThrows(BoxException.class,
                () -> StopPolicy.parse("20:00", "Mars/Olympus", "12")).error());
        assertEquals(at("21:15", "Europe/Berlin").withMaxSnooze(Duration.ofMinutes(90)),
                StopPolicy.parse("21:15", "Europe/Berlin", "1.5"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"25", "-1", "1e300", "Infinity", "four"})
    void lateStartHoursOutsideZeroToTwentyFourIsAClearConfigurationError(String hours) {
        BoxException e = assertThrows(BoxException.class, () -> StopPolicy.parse("20:00", "Asia/Shanghai", "12", hours));
        assertEquals(ErrorCode.MISCONFIGURED, e.error());
        assertTrue(e.getMessage().contains("LateStartHours") && e.getMessage().contains("from 0 to 24")
                && e.getMessage().contains("'" + hours + "'"), e.getMessage());
    }

    @Test
    void lateStartHoursAtItsBoundsIsFine() {
        assertEquals(Duration.ZERO, StopPolicy.parse("20:00", "Asia/Shanghai", "12", "0").lateStart());
        assertEquals(Duration.ofHours(24), StopPolicy.parse("20:00", "Asia/Shanghai", "12", "24").lateStart());
    }
}
