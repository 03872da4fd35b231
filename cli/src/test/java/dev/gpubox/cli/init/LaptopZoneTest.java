package dev.gpubox.cli.init;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The laptop's zone as the old bash found it: $TZ, /etc/localtime's target, /etc/timezone; then the JVM's. */
class LaptopZoneTest {
    @TempDir
    Path dir;

    private Optional<String> zone(Map<String, String> env, String linkTarget, String timezoneFile, String jvm)
            throws IOException {
        Path localtime = dir.resolve("localtime");
        Files.deleteIfExists(localtime);
        if (linkTarget != null) {
            Files.createSymbolicLink(localtime, Path.of(linkTarget));
        }
        Path timezone = dir.resolve("timezone");
        Files.deleteIfExists(timezone);
        if (timezoneFile != null) {
            Files.writeString(timezone, timezoneFile + "\n");
        }
        return LaptopZone.of(env, localtime, timezone, jvm);
    }

    @Test
    void tzWinsInEitherOfItsForms() throws IOException {
        assertEquals(Optional.of("Europe/Berlin"), zone(Map.of("TZ", "Europe/Berlin"), "/usr/share/zoneinfo/Asia/Tokyo", null, "GMT"));
        assertEquals(Optional.of("America/New_York"), zone(Map.of("TZ", ":America/New_York"), null, null, "GMT"));
    }

    @Test
    void aTzThatIsNoIanaNameFallsThroughToTheMachinesFiles() throws IOException {
        assertEquals(Optional.of("Asia/Tokyo"), zone(Map.of("TZ", "CET-1CEST"), "/usr/share/zoneinfo/Asia/Tokyo", null, "GMT"));
        // macOS links /etc/localtime into /var/db/timezone/zoneinfo.
        assertEquals(Optional.of("America/Sao_Paulo"), zone(Map.of(), "/var/db/timezone/zoneinfo/America/Sao_Paulo", null, "GMT"));
        assertEquals(Optional.of("Europe/Lisbon"), zone(Map.of(), null, "Europe/Lisbon", "GMT"));
        assertEquals(Optional.of("Australia/Perth"), zone(Map.of(), null, null, "Australia/Perth"));
    }

    @Test
    void nothingToldIsNoProposalRatherThanGmt() throws IOException {
        assertEquals(Optional.empty(), zone(Map.of(), null, null, "GMT"));
        assertEquals(Optional.empty(), zone(Map.of("TZ", "Mars/Olympus_Mons"), null, "not a zone", "GMT"));
    }
}
