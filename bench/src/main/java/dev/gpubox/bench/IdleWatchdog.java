package dev.gpubox.bench;

import java.time.Duration;
import java.time.Instant;

/**
 * box/gpubox-idle-watchdog.sh's rule, for one box, on the replay's clock. The systemd timer runs the script
 * 5 minutes after boot ({@code OnBootSec=5min}) and every minute after ({@code OnUnitActiveSec=1min}); a
 * busy reading (an SSH connection, a busy GPU or CPU) clears the streak; the first idle reading starts it
 * ({@code idle-since}, on a tmpfs, so it never outlives a boot); a reading {@code IdleMinutes} or more after
 * the streak began ({@code (NOW - since) / 60 >= idle_minutes}) runs {@code shutdown -h now}.
 */
final class IdleWatchdog {
    static final Duration FIRST_READING = Duration.ofMinutes(5);
    static final Duration EVERY = Duration.ofMinutes(1);

    private final int idleMinutes;
    private Instant bootedAt;
    private Instant idleSince;

    IdleWatchdog(int idleMinutes) {
        if (idleMinutes <= 0) {
            throw new IllegalArgumentException("IdleMinutes must be 1 or more for the watchdog policy");
        }
        this.idleMinutes = idleMinutes;
    }

    /** EC2 says the box is running: it booted then, with an empty /run. */
    void booted(Instant at) {
        bootedAt = at;
        idleSince = null;
    }

    void stopped() {
        bootedAt = null;
        idleSince = null;
    }

    /** The timer's run in {@code [from, from + 1 min)}, or null while the box is down or not yet 5 min up. */
    Instant readingIn(Instant from) {
        if (bootedAt == null) {
            return null;
        }
        Instant first = bootedAt.plus(FIRST_READING);
        if (first.isAfter(from)) {
            return first.isBefore(from.plus(EVERY)) ? first : null;
        }
        long behind = Duration.between(first, from).toMillis();
        long step = EVERY.toMillis();
        long k = (behind + step - 1) / step;
        Instant next = first.plusMillis(k * step);
        return next.isBefore(from.plus(EVERY)) ? next : null;
    }

    /** One run of the script at {@code now}; true when it shuts the box down. */
    boolean reading(Instant now, boolean busy) {
        if (busy) {
            idleSince = null;
            return false;
        }
        if (idleSince == null) {
            idleSince = now;
            return false;
        }
        if (Duration.between(idleSince, now).toSeconds() / 60 >= idleMinutes) {
            idleSince = null;
            return true;
        }
        return false;
    }
}
