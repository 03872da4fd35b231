package dev.gpubox.local;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * A local-mode and test facility, not part of the deployed API: replies API Gateway gives by itself,
 * without the function running, injected at local mode's front door ({@code ./gpubox local --gateway-fault
 * 502x2}). A 5xx is what a tap gets when Lambda cannot run the function (a SnapStart version gone
 * {@code Inactive}, an integration failure or timeout); a 429 is the usage plan's daily quota. The panel
 * and the CLI must retry the first kind (docs/api.md) and back off on the second; their tests inject both.
 */
public final class GatewayFaults {
    /** The statuses API Gateway answers by itself that a client must cope with. */
    public static final Set<Integer> STATUSES = Set.of(429, 500, 502, 503, 504);

    private final Deque<Integer> next = new ArrayDeque<>();

    /** The next {@code times} keyed API requests (after those already injected) get the gateway's {@code status}. */
    public synchronized void inject(int status, int times) {
        if (!STATUSES.contains(status)) {
            throw new IllegalArgumentException("a gateway fault is one of " + new java.util.TreeSet<>(STATUSES) + ", not " + status);
        }
        for (int i = 0; i < times; i++) {
            next.addLast(status);
        }
    }

    /** Drops every fault not yet used. */
    public synchronized void clear() {
        next.clear();
    }

    /** The status for this request, or null to let the handler answer. */
    synchronized Integer take() {
        return next.pollFirst();
    }
}
