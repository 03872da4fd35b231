package dev.gpubox.box;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the scheduled stop did to every box carrying the stack's management tag.
 *
 * @param stopped        boxes this run asked EC2 to stop
 * @param alreadyStopped boxes that were already stopped or stopping
 * @param failed         boxes that could not be stopped, with the reason
 */
public record SweepReport(List<String> stopped, List<String> alreadyStopped, Map<String, String> failed) {

    public SweepReport {
        stopped = List.copyOf(stopped);
        alreadyStopped = List.copyOf(alreadyStopped);
        failed = Map.copyOf(failed);
    }

    public boolean hasFailures() {
        return !failed.isEmpty();
    }

    /** The one log line the issue asks for: what stopped, what was already stopped, what failed. */
    public String summary() {
        String failures = failed.entrySet().stream()
                .map(e -> e.getKey() + " (" + e.getValue() + ")")
                .sorted()
                .collect(Collectors.joining(", "));
        return "gpubox scheduled stop: stopped " + stopped.size() + list(stopped)
                + "; already stopped " + alreadyStopped.size() + list(alreadyStopped)
                + "; failed " + failed.size() + (failed.isEmpty() ? "" : " [" + failures + "]");
    }

    private static String list(List<String> ids) {
        if (ids.isEmpty()) {
            return "";
        }
        // A thousand ids would drown the log line; the count is what matters past a handful.
        return ids.size() <= 20 ? " " + ids : " " + ids.subList(0, 20) + "…";
    }
}
