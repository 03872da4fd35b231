package dev.gpubox.cli.init;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * This laptop's IANA time zone, the one {@code ./gpubox init} and {@code ./gpubox deploy} propose for
 * ShutdownTimezone: {@code $TZ} (glibc's leading ':' allowed), the target of /etc/localtime (Linux, macOS),
 * /etc/timezone, then the JVM's own default. A name that is no IANA region name ({@code GMT+2}, a POSIX rule
 * such as {@code CET-1CEST}) is passed over: the template's pattern would refuse it.
 */
public final class LaptopZone {
    /** The shape of an IANA name as template.yaml's ShutdownTimezone pattern accepts it. */
    static final Pattern IANA = Pattern.compile("[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}");

    private LaptopZone() {
    }

    /** Whether {@code zone} is an IANA name java.time knows. */
    public static boolean isIana(String zone) {
        if (zone == null || !IANA.matcher(zone).matches()) {
            return false;
        }
        try {
            ZoneId.of(zone);
            return true;
        } catch (DateTimeException unknown) {
            return false;
        }
    }

    /** The laptop's zone, from {@code env}'s TZ and this machine's files; empty when none of them tells it. */
    public static Optional<String> of(Map<String, String> env) {
        return of(env, Path.of("/etc/localtime"), Path.of("/etc/timezone"), ZoneId.systemDefault().getId());
    }

    static Optional<String> of(Map<String, String> env, Path localtime, Path timezoneFile, String jvmDefault) {
        String tz = env.getOrDefault("TZ", "");
        List<String> candidates = List.of(tz.startsWith(":") ? tz.substring(1) : tz, linkedZone(localtime),
                firstLine(timezoneFile), jvmDefault);
        // The JVM says GMT when it cannot tell: no proposal then, rather than a zone nobody chose.
        return candidates.stream().filter(LaptopZone::isIana).filter(z -> !z.equals("GMT")).findFirst();
    }

    /** ".../zoneinfo/Europe/Berlin" for a symlinked /etc/localtime; "" otherwise. */
    private static String linkedZone(Path localtime) {
        try {
            String target = Files.readSymbolicLink(localtime).toString();
            int at = target.indexOf("zoneinfo/");
            return at < 0 ? "" : target.substring(at + "zoneinfo/".length());
        } catch (IOException | UnsupportedOperationException notALink) {
            return "";
        }
    }

    private static String firstLine(Path file) {
        try {
            return Files.readAllLines(file).stream().findFirst().orElse("").strip();
        } catch (IOException absent) {
            return "";
        }
    }
}
