package dev.gpubox.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Lambda contexts for tests: the remaining time runs down on a clock from the function's timeout. */
final class LambdaContexts {
    private LambdaContexts() {
    }

    /** An invocation that started now on {@code clock} with {@code timeout}; log lines go to {@code log}. */
    static Context invocation(Clock clock, Duration timeout, List<String> log) {
        Instant deadline = clock.instant().plus(timeout);
        LambdaLogger logger = new LambdaLogger() {
            @Override
            public void log(String message) {
                log.add(message);
            }

            @Override
            public void log(byte[] message) {
                log.add(new String(message, StandardCharsets.UTF_8));
            }
        };
        return (Context) Proxy.newProxyInstance(Context.class.getClassLoader(), new Class<?>[] {Context.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getRemainingTimeInMillis" ->
                            (int) Math.max(0, Duration.between(clock.instant(), deadline).toMillis());
                    case "getLogger" -> logger;
                    case "getFunctionName" -> "ScheduledStopFunction";
                    case "toString" -> "test invocation until " + deadline;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
    }

    /** ScheduledStopFunction's Timeout in template.yaml, the budget the deployed function has. */
    static Duration scheduledStopTimeout() throws java.io.IOException {
        try {
            return LocalContext.timeoutIn(java.nio.file.Path.of("..", "template.yaml"), "ScheduledStopFunction");
        } catch (IllegalStateException e) {
            throw new AssertionError(e.getMessage());
        }
    }
}
