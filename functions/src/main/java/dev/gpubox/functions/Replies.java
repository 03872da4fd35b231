package dev.gpubox.functions;

import dev.gpubox.box.ActionResult;
import dev.gpubox.box.BoxException;
import dev.gpubox.box.BoxStatus;
import dev.gpubox.box.MonthToDate;
import dev.gpubox.box.MorningSchedule;
import dev.gpubox.box.Quote;
import dev.gpubox.box.SpotStatus;
import dev.gpubox.box.SshAccess;
import dev.gpubox.box.SweepReport;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON replies in the shapes docs/api.md promises. */
final class Replies {
    private Replies() {
    }

    static ApiReply status(BoxStatus box) {
        return status(box, null);
    }

    /** With this month's spend: a {@code month} object, and its line after the summary. */
    static ApiReply status(BoxStatus box, MonthToDate month) {
        return status(box, month, null);
    }

    /** With the morning start: a {@code schedule} object (null without StartTime), and its line in the message. */
    static ApiReply status(BoxStatus box, MonthToDate month, MorningSchedule schedule) {
        Map<String, Object> body = boxJson(box);
        if (schedule != null) {
            Map<String, Object> morning = new LinkedHashMap<>();
            morning.put("startTime", schedule.startTime());
            morning.put("nextStart", schedule.nextStart().toString());
            morning.put("pausedThrough", schedule.pausedThrough() == null ? null : schedule.pausedThrough().toString());
            body.put("schedule", morning);
        } else {
            body.put("schedule", null);
        }
        if (month != null) {
            Map<String, Object> spend = new LinkedHashMap<>();
            spend.put("since", month.monthStart().toString());
            spend.put("hours", Math.round(month.runHours() * 10) / 10.0);
            spend.put("estimatedUsd", month.totalUsd());
            spend.put("computeUsd", month.computeUsd());
            spend.put("diskUsd", month.diskUsd());
            spend.put("ipv4Usd", month.ipv4Usd());
            spend.put("budgetUsd", month.budgetUsd());
            body.put("month", spend);
        }
        body.put("message", box.summary() + (month == null ? "" : " " + month.line())
                + (schedule == null ? "" : " " + schedule.line(box.zone())));
        return reply(200, body, Map.of());
    }

    /** 202 when EC2 accepted a start or stop that completes later; 200 otherwise. */
    static ApiReply action(ActionResult result) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("result", result.result());
        body.put("message", result.message());
        body.put("box", boxJson(result.box()));
        return reply(result.accepted() ? 202 : 200, body, Map.of());
    }

    /** POST /ssh: what was opened, until when, and what was closed to make room. */
    static ApiReply ssh(SshAccess.Grant grant) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("result", grant.result());
        body.put("message", grant.message());
        Map<String, Object> ssh = new LinkedHashMap<>();
        ssh.put("cidr", grant.cidr());
        ssh.put("until", grant.until() == null ? null : SshAccess.formatUntil(grant.until()));
        ssh.put("securityGroupId", grant.groupId());
        body.put("ssh", ssh);
        body.put("closed", grant.removed().stream().map(SshAccess.Rule::cidr).toList());
        return reply(200, body, Map.of());
    }

    static ApiReply error(BoxException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.error().code());
        // Every message is built short and one line; this keeps it so whatever a new message does.
        body.put("message", Quote.excerpt(e.getMessage(), 400));
        Map<String, String> headers = new LinkedHashMap<>();
        if (e.retryAfterSeconds() != null) {
            body.put("retryAfterSeconds", e.retryAfterSeconds());
            headers.put("Retry-After", e.retryAfterSeconds().toString());
        }
        if (e.awsRequestId() != null) {
            body.put("awsRequestId", e.awsRequestId());
        }
        return reply(e.error().httpStatus(), body, headers);
    }

    /** The answer to a keep-warm invoke ({@link KeepWarm}): Scheduler discards it; a person invoking by hand reads it. */
    static ApiReply keptWarm() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("result", "kept_warm");
        body.put("message", "gpubox keep-warm: this function version was invoked, so it stays active; nothing else was done.");
        return reply(200, body, Map.of());
    }

    static ApiReply methodNotAllowed(String allowed, String method, String path) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "method_not_allowed");
        body.put("message", Quote.excerpt(method, 10) + " is not allowed on " + path + "; use " + allowed + ".");
        return reply(405, body, Map.of("Allow", allowed));
    }

    /** The nightly stop's report, as the scheduled function returns it. */
    static byte[] sweep(SweepReport report) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("stopped", report.stopped());
        body.put("alreadyStopped", report.alreadyStopped());
        body.put("skipped", report.skipped());
        body.put("failed", report.failed());
        return Json.bytes(body);
    }

    /** A JSON string: what the state-change function returns. */
    static byte[] text(String text) {
        return Json.bytes(text);
    }

    private static Map<String, Object> boxJson(BoxStatus box) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("instanceId", box.instanceId());
        node.put("name", box.name());
        node.put("instanceType", box.instanceType());
        node.put("state", box.state());
        node.put("publicIp", box.publicIp());
        node.put("elasticIp", box.elasticIp());
        node.put("elasticIpAttached", box.elasticIpAttached());
        node.put("launchTime", box.launchTime() == null ? null : box.launchTime().toString());
        node.put("uptimeSeconds", box.uptimeSeconds());
        node.put("ssh", box.ssh());
        node.put("snoozedUntil", box.snoozedUntil() == null ? null : box.snoozedUntil().toString());
        node.put("nextAutomaticStop", box.nextAutomaticStop() == null ? null : box.nextAutomaticStop().toString());
        node.put("hourlyPriceUsd", box.hourlyPriceUsd());
        node.put("estimatedCostUsd", box.estimatedCostUsd());
        // Which price that is: "spot" for a Spot box (its zone's Spot price), "on-demand", "HourlyPriceUsd".
        node.put("priceSource", box.priceSource());
        // The zone every time the caller shows or sends (snooze HH:MM) is in: the stack's, not the phone's.
        node.put("timeZone", box.zone() == null ? null : box.zone().getId());
        // Where the box and its disk are (a volume attaches only in its zone): docs/setup.md, replacing the box.
        node.put("availabilityZone", box.availabilityZone());
        // The stack's InstanceType: after a capacity fall-back (FallbackInstanceTypes) instanceType is another.
        node.put("preferredType", box.preferredType());
        // A Spot box's request (issue 18): null for on-demand; its state and status only from GET /status.
        node.put("spot", spotJson(box.spot()));
        return node;
    }

    private static Map<String, Object> spotJson(SpotStatus spot) {
        if (spot == null) {
            return null;
        }
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("requestId", spot.requestId());
        node.put("requestState", spot.requestState());
        node.put("requestStatus", spot.requestStatus());
        node.put("interrupted", spot.interrupted());
        return node;
    }

    private static ApiReply reply(int status, Map<String, Object> body, Map<String, String> extraHeaders) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.putAll(extraHeaders);
        return new ApiReply(status, headers, Json.string(body));
    }
}
