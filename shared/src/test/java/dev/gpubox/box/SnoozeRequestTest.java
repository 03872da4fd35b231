package dev.gpubox.box;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Snooze ends from 20:00 Asia/Shanghai (12:00 UTC), maximum 12 h. */
class SnoozeRequestTest {
    static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    @ParameterizedTest(name = "until={0} minutes={1} -> {2}")
    @CsvSource({
            "23:30,            , 2026-11-29T15:30:00Z",
            "00:30,            , 2026-11-29T16:30:00Z",
            "2026-11-30T07:59, , 2026-11-29T23:59:00Z",
            ",               90, 2026-11-29T13:30:00Z",
            ",              720, 2026-11-30T00:00:00Z",
    })
    void validSnoozes(String until, String minutes, String expected) {
        assertEquals(Instant.parse(expected), SnoozeRequest.parse(until, minutes, NOW, StopPolicy.DEFAULT));
    }

    @ParameterizedTest(name = "until={0} minutes={1}: {2}")
    @CsvSource({
            ",      ,    Say when",
            "23:30, 90,  Say when",
            "25:00, ,    24-hour time",
            "soon,  ,    24-hour time",
            "2026-11-29T19:00, , in the past",
            "19:00, ,    has passed today",
            ",      0,   whole number",
            ",      -5,  whole number",
            ",      abc, whole number",
            ",      721, at most 12 h 0 min",
            ",      1000000000000000, at most 12 h 0 min",
            ",      9223372036854775807, at most 12 h 0 min",
            ",      99999999999999999999999, whole number",
            "2026-12-01T20:00, , at most 12 h 0 min",
    })
    void invalidSnoozesAreBadRequestsThatSayWhy(String until, String minutes, String why) {
        BoxException e = assertThrows(BoxException.class,
                () -> SnoozeRequest.parse(until, minutes, NOW, StopPolicy.DEFAULT));
        assertEquals(ErrorCode.BAD_REQUEST, e.error());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void theWholeMinuteNeverTakesASnoozePastMaxSnoozeHours() {
        Instant halfPast = NOW.plusSeconds(30);
        Instant end = SnoozeRequest.parse(null, "720", halfPast, StopPolicy.DEFAULT);
        assertTrue(!end.isAfter(halfPast.plus(StopPolicy.DEFAULT.maxSnooze())), "within MaxSnoozeHours: " + end);
        assertEquals(0, end.getEpochSecond() % 60, "on a whole minute: " + end);
        assertEquals(Instant.parse("2026-11-29T23:31:00Z"), SnoozeRequest.parse(null, "90", halfPast.plusSeconds(10 * 3600),
                StopPolicy.DEFAULT), "below the limit it still rounds up, never early");
    }

    @Test
    void clockTimesAreReadInTheStacksZoneAcrossDst() {
        StopPolicy ny = StopPolicyTest.at("20:00", "America/New_York");
        // 00:00 EDT on the night New York falls back: 03:00 EST is three hours of wall clock away, four real ones.
        assertEquals(Instant.parse("2026-11-01T08:00:00Z"),
                SnoozeRequest.parse("03:00", null, Instant.parse("2026-11-01T04:00:00Z"), ny));
        assertEquals(Duration.ofHours(4), Duration.between(Instant.parse("2026-11-01T04:00:00Z"),
                SnoozeRequest.parse("03:00", null, Instant.parse("2026-11-01T04:00:00Z"), ny)));
    }
}
