package dev.gpubox.local;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * A local-mode and test facility, not part of the deployed API: replies API Gateway gives by itself,
 * without the function running, injected at local mode's front door ({@code ./gpubox local --gateway-fault
 * 502x2}, or {@code 502:bare} for the bare body of an older stack). A 5xx is what a tap gets when Lambda cannot run the function (a SnapStart version gone
 * {@code Inactive}, an integration failure or timeout); a 429 is the usage plan's daily quota. The panel
 * and the CLI must retry the first kind (docs/api.md) and back off on the second; their tests inject both.
 */
public final class GatewayFaults {
    /** The statuses API Gateway answers by itself that a client must cope with. */
    public static final Set<Integer> STATUSES = Set.of(429, 500, 502, 503, 504);
    /**
     * API Gateway's default body for a 5xx it gives by itself: what a stack deployed before template.yaml had
     * its GatewayResponses still answers, so the panel and the CLI must retry it as well.
     */
    public static final String BARE_BODY = "{\"message\": \"Internal server error\"}";

    /** One injected reply: its status, and whether it has the bare body rather than the template's. */
    record Fault(int status, boolean bare) {
    }

    private final Deque<Fault> next = new ArrayDeque<>();

    /**
     * The next {@code times} keyed API requests (after those already injected) get the gateway's {@code status}
     * with the template's body (GatewayResponses).
     */
    public void inject(int status, int times) {
        inject(status, times, false);
    }

    /** The same with the bare {@link #BARE_BODY} of a stack from before GatewayResponses: 5xx only. */
    public void injectBare(int status, int times) {
        inject(status, times, true);
    }

    synchronized void inject(int status, int times, boolean bare) {
        if (!STATUSES.contains(status)) {
            throw new IllegalArgumentException("a gateway fault is one of " + new java.util.TreeSet<>(STATUSES) + ", not " + status);
        }
        if (bare && status < 500) {
            throw new IllegalArgumentException("a bare gateway fault is a 5xx, not " + status);
        }
        for (int i = 0; i < times; i++) {
            next.addLast(new Fault(status, bare));
        }
    }

    /** Drops every fault not yet used. */
    public synchronized void clear() {
        next.clear();
    }

    /** The fault for this request, or null to let the handler answer. */
    synchronized Fault take() {
        return next.pollFirst();
    }
}
