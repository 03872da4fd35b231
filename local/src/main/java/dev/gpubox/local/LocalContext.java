package dev.gpubox.local;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The Lambda context local mode hands to a handler: a request id, a logger to stdout, and the function's
 * timeout as its budget (30 s, the template's Globals, unless the function sets its own), counted down on
 * the wall clock or, for the money bench's simulated month, on the clock the month runs on.
 */
public final class LocalContext implements Context {
    private final String functionName;
    private final String requestId = UUID.randomUUID().toString();
    private final Clock clock;
    private final long deadline;
    private final Consumer<String> log;

    LocalContext(String functionName) {
        this(functionName, java.time.Duration.ofSeconds(30));
    }

    LocalContext(String functionName, java.time.Duration timeout) {
        this(functionName, timeout, Clock.systemUTC(), null);
    }

    /**
     * An invocation that starts now on {@code clock} and may run for {@code timeout} of it; its log lines go
     * to {@code log} (null: to stdout, prefixed with the function's name).
     */
    public LocalContext(String functionName, java.time.Duration timeout, Clock clock, Consumer<String> log) {
        this.functionName = functionName;
        this.clock = clock;
        this.deadline = clock.millis() + timeout.toMillis();
        this.log = log != null ? log : message -> System.out.print("[" + functionName + "] " + message);
    }

    /**
     * A function's own {@code Timeout} in template.yaml (the budget the deployed function has), read from the
     * template itself so that no copy of the number can drift from it.
     */
    public static java.time.Duration timeoutIn(java.nio.file.Path template, String function) throws java.io.IOException {
        String text = java.nio.file.Files.readString(template);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "(?s)\\n  " + function + ":\\n.*?\\n      Timeout: (\\d+)\\n").matcher(text);
        if (!m.find()) {
            throw new IllegalStateException(template + ": " + function + " has no Timeout of its own");
        }
        return java.time.Duration.ofSeconds(Integer.parseInt(m.group(1)));
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return "local";
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:local:000000000000:function:" + functionName;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, deadline - clock.millis());
    }

    @Override
    public int getMemoryLimitInMB() {
        return 512;
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                log.accept(message);
            }

            @Override
            public void log(byte[] message) {
                log(new String(message, StandardCharsets.UTF_8));
            }
        };
    }
}
