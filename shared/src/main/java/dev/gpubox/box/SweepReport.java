package dev.gpubox.box;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What one run of the nightly stop did to every box carrying the stack's management tag.
 *
 * @param stopped        boxes this run asked EC2 to stop
 * @param alreadyStopped boxes that were already stopped or stopping
 * @param skipped        running boxes whose stop time has not come, with why (snoozed until …, not due until …)
 * @param failed         boxes that could not be stopped within the run's time budget, with the reason
 */
public record SweepReport(List<String> stopped, List<String> alreadyStopped, Map<String, String> skipped,
                          Map<String, String> failed) {

    public SweepReport {
        stopped = List.copyOf(stopped);
        alreadyStopped = List.copyOf(alreadyStopped);
        skipped = Map.copyOf(skipped);
        failed = Map.copyOf(failed);
    }

    public boolean hasFailures() {
        return !failed.isEmpty();
    }

    /** The one log line: what stopped, what was already stopped, what was skipped, what failed. */
    public String summary() {
        return "gpubox scheduled stop: stopped " + stopped.size() + list(stopped)
                + "; already stopped " + alreadyStopped.size() + list(alreadyStopped)
                + "; skipped " + skipped.size() + reasons(skipped)
                + "; failed " + failed.size() + reasons(failed);
    }

    private static String reasons(Map<String, String> byBox) {
        if (byBox.isEmpty()) {
            return "";
        }
        return " [" + byBox.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")").sorted()
                .limit(20).collect(Collectors.joining(", ")) + (byBox.size() > 20 ? ", …" : "") + "]";
    }

    private static String list(List<String> ids) {
        if (ids.isEmpty()) {
            return "";
        }
        // A thousand ids would drown the log line; the count is what matters past a handful.
        return ids.size() <= 20 ? " " + ids : " " + ids.subList(0, 20) + "…";
    }
}
