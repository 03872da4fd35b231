package dev.gpubox.box;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;

/**
 * What is left of a run's time, and each EC2 call's timeout derived from it: a hung endpoint costs at most
 * the rest of the budget, never a full client timeout per call (a tag write and a stop per batch, each up
 * to 20 s, once ran a 105 s budget to 126 s, past the Lambda's 120 s).
 */
final class TimeBudget {
    /** The clients' own limit; a call never gets more even with a long budget. */
    static final Duration MAX_CALL = Duration.ofSeconds(20);
    /** A call past the budget still gets a moment, so a run with no time left fails fast rather than never tries. */
    static final Duration MIN_CALL = Duration.ofSeconds(1);

    private final Clock clock;
    private final Instant giveUpAt;

    TimeBudget(Clock clock, Duration budget) {
        this.clock = clock;
        this.giveUpAt = clock.instant().plus(budget);
    }

    Instant giveUpAt() {
        return giveUpAt;
    }

    /** True when {@code wait} still ends before the budget does. */
    boolean allows(Duration wait) {
        return clock.instant().plus(wait).isBefore(giveUpAt);
    }

    /** The next call's timeout: the time left, within [MIN_CALL, MAX_CALL]. */
    Duration callTimeout() {
        Duration left = Duration.between(clock.instant(), giveUpAt);
        return left.compareTo(MIN_CALL) < 0 ? MIN_CALL : left.compareTo(MAX_CALL) > 0 ? MAX_CALL : left;
    }

    /** For a request's {@code overrideConfiguration}: the whole call, retries included, and each attempt. */
    AwsRequestOverrideConfiguration overrides() {
        Duration timeout = callTimeout();
        return AwsRequestOverrideConfiguration.builder().apiCallTimeout(timeout).apiCallAttemptTimeout(timeout).build();
    }
}
