package dev.gpubox.bench;

import dev.gpubox.box.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The money bench's clock: it moves only when the replay moves it, or when code under replay sleeps on it
 * (a back-off in the nightly stop), so a month of minutes runs in a minute. Every party of the replay — the
 * simulator, the handlers, the idle watchdog's model — reads this one clock.
 */
final class SteppedClock extends Clock implements Sleeper {
    private volatile Instant now;

    SteppedClock(Instant start) {
        this.now = start;
    }

    /** Moves to {@code instant}; never backwards (a handler that slept past it already moved the clock on). */
    synchronized void moveTo(Instant instant) {
        if (instant.isAfter(now)) {
            now = instant;
        }
    }

    @Override
    public synchronized void sleep(Duration duration) {
        now = now.plus(duration);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
