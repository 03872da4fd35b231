package dev.gpubox.box;

/**
 * The outcome of start, stop or attach-EIP.
 *
 * @param result  a stable machine word, e.g. {@code start_issued}, {@code already_running}
 * @param accepted true when this call issued an EC2 state change that completes later (start, stop): the API
 *                 answers 202 Accepted. False when nothing needed doing, or the change is already complete
 *                 (an Elastic IP association takes effect at once): 200.
 * @param message one human line, safe to show as a notification as-is
 * @param box     the box as it was after the call
 */
public record ActionResult(String result, boolean accepted, String message, BoxStatus box) {
}
