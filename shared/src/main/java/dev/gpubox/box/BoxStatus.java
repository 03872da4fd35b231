package dev.gpubox.box;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Locale;

/**
 * What {@code GET /status} reports: one snapshot of the box and its Elastic IP.
 *
 * @param publicIp          the address the box has now (equal to the Elastic IP when that is attached)
 * @param elasticIp         the stack's Elastic IP, attached or not; null when none is configured
 * @param elasticIpAttached true when the Elastic IP is associated with this box
 * @param launchTime        when the box last started; null when not running
 * @param uptimeSeconds     seconds since {@code launchTime} while running; null otherwise
 * @param ssh               a ready-to-paste ssh command; null while the box has no address
 * @param snoozedUntil      the end of an active snooze; null when not snoozed
 * @param nextAutomaticStop when gpubox will stop the box (nightly stop or snooze end); null when not running
 * @param hourlyPriceUsd    the price per hour used for estimates (a Spot box's Spot price); null when unknown
 * @param estimatedCostUsd  uptime × price so far; null when not running or the price is unknown
 * @param zone              the stack's time zone, for showing times
 * @param availabilityZone  the box's Availability Zone (EC2's placement), where its disk lives; null if unknown
 * @param preferredType     the stack's InstanceType; differs from {@code instanceType} after a capacity fall-back
 * @param spot              the Spot request and whether AWS interrupted the box; null for an on-demand box
 * @param priceSource       where {@code hourlyPriceUsd} comes from ({@link HourlyPrice#source()})
 */
public record BoxStatus(String instanceId, String name, String instanceType, String state, String publicIp,
                        String elasticIp, boolean elasticIpAttached, Instant launchTime, Long uptimeSeconds,
                        String ssh, Instant snoozedUntil, Instant nextAutomaticStop, Double hourlyPriceUsd,
                        Double estimatedCostUsd, ZoneId zone, String availabilityZone, String preferredType,
                        SpotStatus spot, String priceSource) {

    /** The same snapshot with the Spot request as {@code GET /status} looked it up. */
    BoxStatus withSpot(SpotStatus looked) {
        return new BoxStatus(instanceId, name, instanceType, state, publicIp, elasticIp, elasticIpAttached, launchTime,
                uptimeSeconds, ssh, snoozedUntil, nextAutomaticStop, hourlyPriceUsd, estimatedCostUsd, zone,
                availabilityZone, preferredType, looked, priceSource);
    }

    /** True when AWS stopped this Spot box to take its capacity back: only EC2 restarts it. */
    public boolean interruptedByAws() {
        return spot != null && spot.interrupted();
    }

    /** The address to connect to: the Elastic IP when attached, else the current public IP. */
    public String address() {
        return elasticIpAttached ? elasticIp : publicIp;
    }

    /** One line for a phone notification. */
    public String summary() {
        String label = label();
        if (interruptedByAws()) {
            return label + (state.equals("stopping") ? " is stopping" : " is stopped") + ", interrupted by AWS; it"
                    + " restarts when capacity returns" + spot.requestNote() + ".";
        }
        String reclaiming = spot != null && SpotStatus.MARKED_FOR_STOP.equals(spot.requestStatus())
                && state.equals("running") ? " AWS is taking this Spot box back: it stops within two minutes"
                + spot.requestNote() + "; save your work to the EBS disk." : "";
        return summaryOfState(label) + reclaiming;
    }

    private String summaryOfState(String label) {
        return switch (state) {
            case "running" -> label + " is running at " + address()
                    + (uptimeText() == null ? "" : ", up " + uptimeText()
                    + (estimatedCostUsd == null ? "" : String.format(Locale.ROOT, " (~$%.2f)", estimatedCostUsd)))
                    + stopText() + ".";
            case "pending" -> label + " is starting" + (address() == null ? "" : "; it will be at " + address())
                    + stopText() + ".";
            case "stopping" -> label + " is stopping.";
            case "stopped" -> label + " is stopped" + (elasticIp == null ? "." : "; its address is " + elasticIp + ".");
            default -> label + " is " + state + ".";
        };
    }

    /** "GPU box NAME (TYPE)" */
    public String label() {
        return BoxLabel.of(name, instanceId, instanceType);
    }

    /** Uptime as a person says it ("42 min", "3 h 5 min"); null when not running. */
    public String uptimeText() {
        return uptimeSeconds == null ? null : Durations.human(Duration.ofSeconds(uptimeSeconds));
    }

    private String stopText() {
        if (nextAutomaticStop == null) {
            return "";
        }
        return (snoozedUntil != null ? "; snoozed, it stops at " : "; it stops at ") + localTime(nextAutomaticStop);
    }

    /** "20:00 Asia/Shanghai", with the day when it is not today in that zone. */
    private String localTime(Instant at) {
        // The snapshot's "now" is the launch time plus the uptime; without them, the stop's own day.
        Instant now = launchTime == null || uptimeSeconds == null ? at : launchTime.plusSeconds(uptimeSeconds);
        return ZoneTimes.clockWithDay(at, now, zone);
    }
}
