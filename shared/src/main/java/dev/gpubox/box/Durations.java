package dev.gpubox.box;

import java.time.Duration;

/** Durations as a person says them. */
public final class Durations {
    private Durations() {
    }

    /** "42 min", "3 h 5 min" */
    public static String human(Duration d) {
        long minutes = Math.max(0, d.toMinutes());
        return minutes < 60 ? minutes + " min" : (minutes / 60) + " h " + (minutes % 60) + " min";
    }
}
