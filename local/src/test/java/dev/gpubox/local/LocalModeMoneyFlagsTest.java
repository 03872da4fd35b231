package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gpubox.box.BoxConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Local mode's flags for issue 8: --start-fails N (point 2) and --late-start-hours N (point 3). */
class LocalModeMoneyFlagsTest {
    @Test
    void startFailsSetsHowManyStartsFallBackAndNeedsTheSimulator() {
        assertEquals(2, LocalMode.Options.parse(new String[] {"--start-fails", "2"}).startFails);
        assertThrows(IllegalArgumentException.class,
                () -> LocalMode.Options.parse(new String[] {"--start-fails", "1", "--aws"}));
    }

    @Test
    void lateStartHoursReachesTheStopPolicy() {
        LocalMode.Options options = LocalMode.Options.parse(new String[] {"--late-start-hours", "2"});
        assertEquals(Duration.ofHours(2),
                new BoxConfig(null, null, null, null, "ubuntu", options.settings()).policy().lateStart());
        assertThrows(IllegalArgumentException.class,
                () -> LocalMode.Options.parse(new String[] {"--late-start-hours", "soon"}));
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> LocalMode.Options.parse(new String[] {"--late-start-hours", "1e300"}));
        org.junit.jupiter.api.Assertions.assertTrue(tooLong.getMessage().contains("from 0 to 24"), tooLong.getMessage());
    }

    @Test
    void theTimeZoneIsTheLaptopsUnlessToldAndTheHelpSaysSo() {
        assertEquals(java.time.ZoneId.systemDefault(), new BoxConfig(null, null, null, null, "ubuntu",
                LocalMode.Options.parse(new String[0]).settings()).policy().zone());
        assertEquals(java.time.ZoneId.of("Europe/Berlin"), new BoxConfig(null, null, null, null, "ubuntu",
                LocalMode.Options.parse(new String[] {"--timezone", "Europe/Berlin"}).settings()).policy().zone());
        org.junit.jupiter.api.Assertions.assertTrue(LocalMode.USAGE.contains("--timezone ZONE       its time zone"
                + " (default: this computer's own zone)"), LocalMode.USAGE);
    }
}
