package dev.gpubox.sim;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Fault injection, set per test or by a command-line flag: the next N calls of an action (or of every
 * action, "*") fail with a {@link Fault}, and every reply can be slowed down.
 */
public final class Faults {
    public static final String ANY_ACTION = "*";

    private final Map<String, Deque<Ec2Error>> pending = new HashMap<>();
    private volatile Duration delay = Duration.ZERO;
    private final Map<String, Duration> actionDelays = new java.util.concurrent.ConcurrentHashMap<>();

    /** The next {@code times} calls of {@code action} fail with {@code fault}. */
    public synchronized Faults inject(String action, Fault fault, int times) {
        return inject(action, fault.error(), times);
    }

    /** The next {@code times} calls of {@code action} fail with any EC2 error: its HTTP status, code and message. */
    public synchronized Faults inject(String action, int status, String code, String message, int times) {
        return inject(action, new Ec2Error(status, code, message), times);
    }

    /** For the {@code --fault} flag: the next {@code times} calls of {@code action} fail with {@link #errorFor}. */
    public synchronized Faults inject(String action, String code, int times) {
        return inject(action, errorFor(code), times);
    }

    /**
     * A {@link Fault} by its code or name (with EC2's status and wording), or any other EC2 error code as a
     * client error (HTTP 400), so every mapping in docs/api.md can be seen in local mode.
     *
     * @throws IllegalArgumentException when {@code code} cannot be an EC2 error code
     */
    public static Ec2Error errorFor(String code) {
        for (Fault f : Fault.values()) {
            if (f.name().equalsIgnoreCase(code) || f.error().code().equalsIgnoreCase(code)) {
                return f.error();
            }
        }
        if (!code.matches("[A-Za-z][A-Za-z0-9.]{0,99}")) {
            throw new IllegalArgumentException("'" + code + "' is not an EC2 error code, e.g. RequestLimitExceeded,"
                    + " InsufficientInstanceCapacity, VcpuLimitExceeded, InternalError, Unavailable");
        }
        return new Ec2Error(400, code, "The simulator was told to fail with " + code + " (--fault).");
    }

    private Faults inject(String action, Ec2Error error, int times) {
        Deque<Ec2Error> queue = pending.computeIfAbsent(action, a -> new ArrayDeque<>());
        for (int i = 0; i < times; i++) {
            queue.addLast(error);
        }
        return this;
    }

    /** The next {@code times} calls of {@code action} that name {@code instanceId} fail: one bad box among many. */
    public synchronized Faults injectFor(String action, String instanceId, Fault fault, int times) {
        return inject(action + "/" + instanceId, fault, times);
    }

    /** Every reply waits this long first (a slow EC2). */
    public Faults delay(Duration replyDelay) {
        this.delay = replyDelay;
        return this;
    }

    /** Replies to {@code action} wait this long first (one hung API while the others answer). */
    public Faults delay(String action, Duration replyDelay) {
        actionDelays.put(action, replyDelay);
        return this;
    }

    /** Whether any injected failure is still waiting for its call. */
    public synchronized boolean armed() {
        return pending.values().stream().anyMatch(q -> !q.isEmpty());
    }

    public synchronized void clear() {
        pending.clear();
        actionDelays.clear();
        delay = Duration.ZERO;
    }

    Duration delay() {
        return delay;
    }

    Duration delay(String action) {
        Duration own = actionDelays.get(action);
        return own != null && own.compareTo(delay) > 0 ? own : delay;
    }

    /** Takes the fault due for this call, if any: one for a named instance first, then the action's, then any. */
    synchronized Ec2Error take(String action, java.util.List<String> instanceIds) {
        java.util.List<String> keys = new java.util.ArrayList<>();
        instanceIds.forEach(id -> keys.add(action + "/" + id));
        keys.add(action);
        keys.add(ANY_ACTION);
        for (String key : keys) {
            Deque<Ec2Error> queue = pending.get(key);
            if (queue != null && !queue.isEmpty()) {
                return queue.pollFirst();
            }
        }
        return null;
    }
}
