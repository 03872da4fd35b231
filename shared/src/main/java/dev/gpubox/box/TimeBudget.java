package dev.gpubox.box;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;

/**
 * What is left of a run's time, and each EC2 call's timeout derived from it: a hung endpoint costs at most
 * the rest of the budget, never a full client timeout per call (a tag write and a stop per batch, each up
 * to 20 s, once ran a 105 s budget to 126 s, past the Lambda's 120 s).
 *
 * <p>Two horizons: the budget, within which the run may call EC2 to stop boxes, and the wrap-up end, by
 * which its notices and last bounded tag write must be done (the Lambda timeout less the reply's time).
 */
final class TimeBudget {
    /** The clients' own limit; a call never gets more even with a long budget. */
    static final Duration MAX_CALL = Duration.ofSeconds(20);
    /** Less than this left is no time for a call: the box is reported as not tried, not called for. */
    static final Duration MIN_CALL = Duration.ofSeconds(1);

    private final Clock clock;
    private final Instant giveUpAt;
    private final Instant wrapUpBy;

    TimeBudget(Clock clock, Duration budget) {
        this(clock, budget, Duration.ZERO);
    }

    /** @param wrapUp time after the budget for the notices and one bounded tag write */
    TimeBudget(Clock clock, Duration budget, Duration wrapUp) {
        this.clock = clock;
        this.giveUpAt = clock.instant().plus(budget);
        this.wrapUpBy = giveUpAt.plus(wrapUp.isNegative() ? Duration.ZERO : wrapUp);
    }

    Instant giveUpAt() {
        return giveUpAt;
    }

    /** True when {@code wait} still ends before the budget does. */
    boolean allows(Duration wait) {
        return clock.instant().plus(wait).isBefore(giveUpAt);
    }

    /** True while there is time for one more EC2 call inside the budget. */
    boolean allowsCall() {
        return !Duration.between(clock.instant(), giveUpAt).minus(MIN_CALL).isNegative();
    }

    /** The next call's timeout: the time left, within [MIN_CALL, MAX_CALL]. */
    Duration callTimeout() {
        Duration left = Duration.between(clock.instant(), giveUpAt);
        return left.compareTo(MIN_CALL) < 0 ? MIN_CALL : left.compareTo(MAX_CALL) > 0 ? MAX_CALL : left;
    }

    /** Time left until the wrap-up end (never negative). */
    Duration wrapUpLeft() {
        Duration left = Duration.between(clock.instant(), wrapUpBy);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** For a request's {@code overrideConfiguration}: the whole call, retries included, and each attempt. */
    AwsRequestOverrideConfiguration overrides() {
        return overrides(callTimeout());
    }

    static AwsRequestOverrideConfiguration overrides(Duration timeout) {
        return AwsRequestOverrideConfiguration.builder().apiCallTimeout(timeout).apiCallAttemptTimeout(timeout).build();
    }
}
