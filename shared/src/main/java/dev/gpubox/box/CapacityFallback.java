package dev.gpubox.box;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AttributeValue;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.ModifyInstanceAttributeRequest;
import software.amazon.awssdk.services.ec2.model.StartInstancesRequest;

/**
 * Issue 17 point 1: when EC2 has no capacity for the box's type — a start refused at once, or accepted and
 * then back to {@code stopped} for capacity — change the stopped box's type to the next one of the stack's
 * {@code FallbackInstanceTypes} that can boot its disk ({@link BootCompatibility}) and start it again. The
 * order is the preferred type ({@code InstanceType}), then the list; each failure moves past the type that
 * failed, so the chain ends. The list and the preferred type are tags on the box ({@link BoxTags#FALLBACK_TYPES}).
 */
final class CapacityFallback {
    private final Ec2Client ec2;

    CapacityFallback(Ec2Client ec2) {
        this.ec2 = ec2;
    }

    /** The stack's InstanceType: the box's tag, else the type it has. */
    static String preferred(Instance box) {
        String tag = BoxTags.value(box, BoxTags.PREFERRED_TYPE);
        return tag == null || tag.isBlank() ? box.instanceTypeAsString() : tag.strip();
    }

    /**
     * True when the stack has a fall-back list at all (no list: no DescribeInstanceTypes, no change). Never for
     * a Spot box: EC2 does not change a stopped Spot instance's type, and its request's launch specification
     * names the one type.
     */
    static boolean configured(Instance box) {
        return !SpotInstance.isSpot(box) && !BootCompatibility.parseList(BoxTags.value(box, BoxTags.FALLBACK_TYPES)).isEmpty();
    }

    /** The types still to try after the box's current one: the order past it (all of it, less it, if absent). */
    static List<String> after(Instance box) {
        List<String> order = new ArrayList<>();
        order.add(preferred(box));
        BootCompatibility.parseList(BoxTags.value(box, BoxTags.FALLBACK_TYPES)).stream()
                .filter(t -> !order.contains(t)).forEach(order::add);
        String current = box.instanceTypeAsString();
        int at = order.indexOf(current);
        return at < 0 ? order : order.subList(at + 1, order.size());
    }

    /** The next type to try that can boot the box's disk; empty when the list is spent or there is none. */
    Optional<String> next(Instance box) {
        List<String> candidates = after(box);
        if (!configured(box) || candidates.isEmpty()) {
            return Optional.empty();
        }
        List<String> asked = new ArrayList<>(candidates);
        asked.add(0, box.instanceTypeAsString());
        Map<String, InstanceTypeInfo> known = BootCompatibility.describe(ec2, asked);
        InstanceTypeInfo base = known.get(box.instanceTypeAsString());
        return candidates.stream().filter(t -> known.containsKey(t)
                && (base == null || BootCompatibility.whyNot(base, known.get(t)) == null)).findFirst();
    }

    /** Changes the stopped box's type; EC2 refuses it (IncorrectInstanceState) unless the box is stopped. */
    void switchTo(Instance box, String type) {
        Ec2Calls.call("change the GPU box's type to " + type, () -> ec2.modifyInstanceAttribute(
                ModifyInstanceAttributeRequest.builder().instanceId(box.instanceId())
                        .instanceType(AttributeValue.builder().value(type).build()).build()));
    }

    void startInstance(Instance box) {
        Ec2Calls.call("start the GPU box (" + box.instanceId() + ")",
                () -> ec2.startInstances(StartInstancesRequest.builder().instanceIds(box.instanceId()).build()));
    }

    /**
     * Runs {@code attempt} (a start, and the wait for it) and, while it fails for capacity and a next type
     * exists, switches the box to that type and runs it again. Any other failure, or a spent list, is
     * thrown as it came: the last capacity error, naming the types tried.
     *
     * @param box      the box as it was before the first start (stopped)
     * @param attempt   one start as the box now is; throws {@link ErrorCode#INSUFFICIENT_CAPACITY} for capacity
     * @param meanwhile the box as it is, when the background fall-back switched and started it first
     */
    <T> T start(Instance box, Supplier<T> attempt, Supplier<T> meanwhile) {
        Instance current = box;
        List<String> tried = new ArrayList<>();
        while (true) {
            tried.add(current.instanceTypeAsString());
            try {
                return attempt.get();
            } catch (BoxException e) {
                if (e.error() != ErrorCode.INSUFFICIENT_CAPACITY) {
                    throw e;
                }
                Optional<String> next = next(current);
                if (next.isEmpty()) {
                    throw tried.size() < 2 ? e : new BoxException(ErrorCode.INSUFFICIENT_CAPACITY, "AWS had no"
                            + " capacity for any of " + String.join(", ", tried) + " (InstanceType and"
                            + " FallbackInstanceTypes); the box is stopped as " + current.instanceTypeAsString()
                            + ". Try again in 5-10 minutes.", e.awsRequestId(), e.retryAfterSeconds(), e);
                }
                try {
                    switchTo(current, next.get());
                } catch (BoxException other) {
                    if (other.error() != ErrorCode.WRONG_STATE) {
                        throw other;
                    }
                    // Not stopped any more: the stopped event's fall-back (inBackground) started it first.
                    return meanwhile.get();
                }
                current = current.toBuilder().instanceType(next.get()).build();
            }
        }
    }

    /** ", not g4dn.xlarge: it had no capacity; ~$1.01/h" when the start ended on another type, else "". */
    static String note(BoxStatus before, BoxStatus after, BoxConfig config) {
        if (before.instanceType() == null || before.instanceType().equals(after.instanceType())) {
            return "";
        }
        Double hourly = config.pricing().hourly(after.instanceType());
        return ", not " + before.instanceType() + ": AWS had no capacity for it"
                + (hourly == null ? "" : String.format(java.util.Locale.ROOT, "; ~$%.2f/h", hourly));
    }

    /**
     * The stopped event of a start EC2 accepted and then abandoned for capacity, when nobody waited for it
     * (a start without {@code wait}, or one that outlived the API's 29 s): the same fall-back, in the
     * background. The box must still be stopped with that reason, so a start that already moved on is
     * left alone.
     *
     * @return the notice's sentence about it ("" when nothing was done)
     */
    String inBackground(Instance box, Pricing pricing) {
        String reason = box.stateReason() == null ? null : box.stateReason().code();
        if (!"stopped".equals(box.state().nameAsString()) || !AwsErrors.isCapacityStateReason(reason)
                || !configured(box)) {
            return "";
        }
        Optional<String> next;
        try {
            next = next(box);
            if (next.isEmpty()) {
                return " No FallbackInstanceTypes type is left to try.";
            }
            switchTo(box, next.get());
            startInstance(box);
        } catch (BoxException e) {
            return " gpubox could not start it as another type: " + e.getMessage();
        }
        Double hourly = pricing.hourly(next.get());
        return " gpubox is starting it as " + next.get() + " instead (FallbackInstanceTypes"
                + (hourly == null ? "" : String.format(java.util.Locale.ROOT, ", ~$%.2f/h", hourly)) + ").";
    }
}
