package dev.gpubox.local.sim;

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

    private final Map<String, Deque<Fault>> pending = new HashMap<>();
    private volatile Duration delay = Duration.ZERO;
    private final Map<String, Duration> actionDelays = new java.util.concurrent.ConcurrentHashMap<>();

    /** The next {@code times} calls of {@code action} fail with {@code fault}. */
    public synchronized Faults inject(String action, Fault fault, int times) {
        Deque<Fault> queue = pending.computeIfAbsent(action, a -> new ArrayDeque<>());
        for (int i = 0; i < times; i++) {
            queue.addLast(fault);
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
    synchronized Fault take(String action, java.util.List<String> instanceIds) {
        java.util.List<String> keys = new java.util.ArrayList<>();
        instanceIds.forEach(id -> keys.add(action + "/" + id));
        keys.add(action);
        keys.add(ANY_ACTION);
        for (String key : keys) {
            Deque<Fault> queue = pending.get(key);
            if (queue != null && !queue.isEmpty()) {
                return queue.pollFirst();
            }
        }
        return null;
    }
}
