package dev.gpubox.box;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateTagsRequest;
import software.amazon.awssdk.services.ec2.model.DeleteTagsRequest;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * A holiday for the morning start: {@code until=YYYY-MM-DD} is the last day (in the stack's zone) with no
 * scheduled start; the day after starts as scheduled again. Kept as a tag on the box
 * ({@link BoxTags#SCHEDULE_PAUSED_THROUGH}), so it survives every restart and needs tag rights on one key only.
 * It never touches a manual /start, and never starts or stops the box itself.
 */
final class SchedulePause {
    /** A pause longer than a year is a typo (2207 for 2027), not a holiday. */
    static final int MAX_DAYS = 366;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEE d MMM yyyy", Locale.ENGLISH);

    private final BoxControl control;
    private final Ec2Client ec2;
    private final BoxConfig config;
    private final Clock clock;

    SchedulePause(BoxControl control, Ec2Client ec2, BoxConfig config, Clock clock) {
        this.control = control;
        this.ec2 = ec2;
        this.config = config;
        this.clock = clock;
    }

    ActionResult pause(String until) {
        ZoneId zone = config.policy().zone();
        Instant now = clock.instant();
        LocalDate today = now.atZone(zone).toLocalDate();
        LocalDate through = parseDay(until, today);
        Instance box = control.describeBox();
        StartTime start = requireStartTime(box);
        Ec2Calls.call("pause the morning start", () -> ec2.createTags(CreateTagsRequest.builder()
                .resources(box.instanceId())
                .tags(Tag.builder().key(BoxTags.SCHEDULE_PAUSED_THROUGH).value(through.toString()).build()).build()));
        Instant next = start.nextAfter(now, zone, through);
        return new ActionResult("schedule_paused", false, "No morning start through " + DAY.format(through)
                + "; the next is " + when(next, zone) + ". /start still works; DELETE /schedule/pause resumes at once.",
                control.status());
    }

    ActionResult resume() {
        ZoneId zone = config.policy().zone();
        Instant now = clock.instant();
        Instance box = control.describeBox();
        StartTime start = BoxTags.startTime(box);
        if (BoxTags.value(box, BoxTags.SCHEDULE_PAUSED_THROUGH) == null) {
            return new ActionResult("not_paused", false, "The morning start is not paused"
                    + (start == null ? " (the stack has no StartTime)." : "; the next is "
                    + when(start.nextAfter(now, zone), zone) + "."), control.status(box));
        }
        Ec2Calls.call("resume the morning start", () -> ec2.deleteTags(DeleteTagsRequest.builder()
                .resources(box.instanceId()).tags(Tag.builder().key(BoxTags.SCHEDULE_PAUSED_THROUGH).build()).build()));
        return new ActionResult("schedule_resumed", false, "Morning start resumed" + (start == null ? "."
                : "; the next is " + when(start.nextAfter(now, zone), zone) + "."), control.status());
    }

    /** "Mon 4 Jan 2027 08:30 America/New_York" */
    static String when(Instant at, ZoneId zone) {
        return DAY.format(at.atZone(zone)) + " " + ZoneTimes.clock(at, zone);
    }

    private static StartTime requireStartTime(Instance box) {
        StartTime start = BoxTags.startTime(box);
        if (start == null) {
            throw new BoxException(ErrorCode.WRONG_STATE, "The stack has no morning start to pause: set StartTime"
                    + " (e.g. 08:30 Mon-Fri, a parameter of the stack) with sam deploy first.");
        }
        return start;
    }

    /** until=YYYY-MM-DD, from today to a year ahead; else bad_request saying what to send. */
    static LocalDate parseDay(String until, LocalDate today) {
        if (until == null || until.isBlank()) {
            throw new BoxException(ErrorCode.BAD_REQUEST, "Send until=YYYY-MM-DD, the last day with no morning"
                    + " start (e.g. until=" + today.plusDays(7) + "); DELETE /schedule/pause resumes.");
        }
        LocalDate day;
        try {
            day = LocalDate.parse(until.trim());
        } catch (DateTimeParseException e) {
            throw new BoxException(ErrorCode.BAD_REQUEST, "until=" + Quote.input(until)
                    + " is not a date YYYY-MM-DD, e.g. until=" + today.plusDays(7) + ".");
        }
        if (day.isBefore(today) || day.isAfter(today.plusDays(MAX_DAYS))) {
            throw new BoxException(ErrorCode.BAD_REQUEST, "until=" + Quote.input(until) + " must be from today ("
                    + today + ") to a year ahead.");
        }
        return day;
    }
}
