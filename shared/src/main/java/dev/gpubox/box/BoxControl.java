package dev.gpubox.box;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Address;
import software.amazon.awssdk.services.ec2.model.AssociateAddressRequest;
import software.amazon.awssdk.services.ec2.model.DescribeAddressesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.StartInstancesRequest;
import software.amazon.awssdk.services.ec2.model.StopInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * The one place that knows about EC2: find the box, read its state, start it, stop it, keep the Elastic IP
 * attached, stop every managed box at night. Every AWS failure leaves here as a {@link BoxException}.
 */
public final class BoxControl {
    /** API Gateway gives up after 29 s; 25 s of waiting leaves room for the calls around it. */
    public static final int MAX_WAIT_SECONDS = 25;
    static final Duration POLL_INTERVAL = Duration.ofSeconds(2);
    /** EC2 takes many ids per StopInstances; batches keep one bad id from failing a thousand boxes. */
    static final int STOP_BATCH_SIZE = 50;

    private final Ec2Client ec2;
    private final BoxConfig config;
    private final Clock clock;
    private final Sleeper sleeper;

    public BoxControl(Ec2Client ec2, BoxConfig config) {
        this(ec2, config, Clock.systemUTC(), Sleeper.REAL);
    }

    public BoxControl(Ec2Client ec2, BoxConfig config, Clock clock, Sleeper sleeper) {
        this.ec2 = ec2;
        this.config = config;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    public BoxStatus status() {
        return status(describeBox());
    }

    /**
     * Starts the box if it is stopped. Idempotent: a running or pending box is left alone.
     *
     * @param waitSeconds 0 to return at once, up to {@link #MAX_WAIT_SECONDS} to wait for {@code running}
     */
    public ActionResult start(int waitSeconds) {
        if (waitSeconds < 0 || waitSeconds > MAX_WAIT_SECONDS) {
            throw new BoxException(ErrorCode.BAD_REQUEST,
                    "wait must be a whole number of seconds from 0 to " + MAX_WAIT_SECONDS + ".");
        }
        Instance box = describeBox();
        BoxStatus before = status(box);
        String state = before.state();
        switch (state) {
            case "running":
                return new ActionResult("already_running", false, before.summary(), before);
            case "pending":
                return new ActionResult("already_starting", false, before.summary(), before);
            case "stopping":
                throw new BoxException(ErrorCode.WRONG_STATE,
                        "The GPU box is still stopping; start it again in about a minute.", null,
                        AwsErrors.STATE_RETRY_SECONDS, null);
            case "stopped":
                break;
            default:
                throw new BoxException(ErrorCode.WRONG_STATE, "The GPU box is " + state
                        + " and cannot be started; gpubox never replaces an instance (see docs/setup.md).");
        }
        call("start the GPU box (" + box.instanceId() + ")",
                () -> ec2.startInstances(StartInstancesRequest.builder().instanceIds(box.instanceId()).build()));
        BoxStatus after = waitSeconds > 0 ? waitForRunning(Duration.ofSeconds(waitSeconds)) : status();
        String label = "GPU box is starting (" + after.instanceType() + ")";
        String message = switch (after.state()) {
            case "running" -> "GPU box is running (" + after.instanceType() + ") at " + after.address() + ".";
            default -> after.address() != null ? label + "; it will be at " + after.address() + "."
                    : label + "; it gets a new public IP, ask /status in a minute.";
        };
        return new ActionResult("start_issued", true, message, after);
    }

    /** Stops the box if it is running. Idempotent: a stopped or stopping box is left alone. */
    public ActionResult stop() {
        Instance box = describeBox();
        BoxStatus before = status(box);
        String state = before.state();
        switch (state) {
            case "stopped":
                return new ActionResult("already_stopped", false, before.summary(), before);
            case "stopping":
                return new ActionResult("already_stopping", false, before.summary(), before);
            case "pending":
                throw new BoxException(ErrorCode.WRONG_STATE,
                        "The GPU box is still starting and EC2 cannot stop it yet; try again in a minute.", null,
                        AwsErrors.STATE_RETRY_SECONDS, null);
            case "running":
                break;
            default:
                throw new BoxException(ErrorCode.WRONG_STATE, "The GPU box is " + state + "; there is nothing to stop.");
        }
        call("stop the GPU box (" + box.instanceId() + ")",
                () -> ec2.stopInstances(StopInstancesRequest.builder().instanceIds(box.instanceId()).build()));
        BoxStatus after = status();
        return new ActionResult("stop_issued", true,
                "GPU box is stopping (" + after.instanceType() + ")"
                        + (before.uptimeText() == null ? "" : " after " + before.uptimeText()) + ".", after);
    }

    /**
     * Makes sure the stack's Elastic IP is associated with the box. Idempotent.
     *
     * @param force take the address even when another instance holds it
     */
    public ActionResult attachEip(boolean force) {
        String allocationId = config.requireEipAllocationId();
        Instance box = describeBox();
        String state = box.state().nameAsString();
        if (state.equals("shutting-down") || state.equals("terminated")) {
            throw new BoxException(ErrorCode.WRONG_STATE, "The GPU box is " + state + "; no address can be attached.");
        }
        Address address = describeAddress(allocationId);
        if (box.instanceId().equals(address.instanceId())) {
            return new ActionResult("eip_already_attached", false,
                    "Elastic IP " + address.publicIp() + " is already attached to the GPU box.", status(box));
        }
        if (address.instanceId() != null && !force) {
            throw new BoxException(ErrorCode.EIP_IN_USE, "Elastic IP " + address.publicIp()
                    + " is attached to another instance (" + address.instanceId()
                    + "); call /eip?force=true to move it to the GPU box.");
        }
        call("attach Elastic IP " + address.publicIp() + " to the GPU box",
                () -> ec2.associateAddress(AssociateAddressRequest.builder().allocationId(allocationId)
                        .instanceId(box.instanceId()).allowReassociation(force).build()));
        BoxStatus after = status();
        return new ActionResult("eip_attached", false, "Elastic IP " + address.publicIp()
                + " is now attached to the GPU box" + (address.instanceId() != null
                ? " (moved from " + address.instanceId() + ")" : "") + ".", after);
    }

    /**
     * The nightly stop: stops every running box that carries the stack's management tag. One box failing
     * never keeps the others running.
     */
    public SweepReport stopAllManaged() {
        config.requireManagedTag();
        List<String> running = new ArrayList<>();
        List<String> alreadyStopped = new ArrayList<>();
        Map<String, String> failed = new LinkedHashMap<>();
        for (Instance box : managedBoxes()) {
            switch (box.state().nameAsString()) {
                case "running" -> running.add(box.instanceId());
                case "stopped", "stopping" -> alreadyStopped.add(box.instanceId());
                case "pending" -> failed.put(box.instanceId(), "still starting; EC2 cannot stop a pending instance");
                default -> { } // shutting-down or terminated: nothing to stop, nothing to report
            }
        }
        List<String> stopped = new ArrayList<>();
        for (int i = 0; i < running.size(); i += STOP_BATCH_SIZE) {
            List<String> batch = running.subList(i, Math.min(running.size(), i + STOP_BATCH_SIZE));
            stopBatch(batch, stopped, failed);
        }
        return new SweepReport(stopped, alreadyStopped, failed);
    }

    private void stopBatch(List<String> batch, List<String> stopped, Map<String, String> failed) {
        try {
            ec2.stopInstances(StopInstancesRequest.builder().instanceIds(batch).build());
            stopped.addAll(batch);
            return;
        } catch (SdkException batchFailure) {
            if (batch.size() == 1) {
                failed.put(batch.get(0), AwsErrors.map(batchFailure, "stop " + batch.get(0)).getMessage());
                return;
            }
        }
        // One bad box fails the whole call; retry one by one so the rest still stop tonight.
        for (String id : batch) {
            stopBatch(List.of(id), stopped, failed);
        }
    }

    private List<Instance> managedBoxes() {
        List<Instance> boxes = new ArrayList<>();
        String token = null;
        do {
            DescribeInstancesRequest request = DescribeInstancesRequest.builder()
                    .filters(Filter.builder().name("tag:" + config.managedTagKey()).values(config.managedTagValue())
                                    .build(),
                            Filter.builder().name("instance-state-name").values("pending", "running", "stopping",
                                    "stopped").build())
                    .maxResults(1000)
                    .nextToken(token)
                    .build();
            DescribeInstancesResponse page = call("list the boxes tagged " + config.managedTagKey() + "="
                    + config.managedTagValue(), () -> ec2.describeInstances(request));
            page.reservations().stream().map(Reservation::instances).forEach(boxes::addAll);
            token = page.nextToken();
        } while (token != null && !token.isEmpty());
        return boxes;
    }

    private BoxStatus waitForRunning(Duration budget) {
        Instant deadline = clock.instant().plus(budget);
        BoxStatus now = status();
        while (!now.state().equals("running") && clock.instant().plus(POLL_INTERVAL).isBefore(deadline.plusMillis(1))) {
            sleeper.sleep(POLL_INTERVAL);
            now = status();
        }
        return now;
    }

    private Instance describeBox() {
        String id = config.requireInstanceId();
        DescribeInstancesResponse response = call("look up the GPU box (" + id + ")",
                () -> ec2.describeInstances(DescribeInstancesRequest.builder().instanceIds(id).build()));
        return response.reservations().stream()
                .flatMap(r -> r.instances().stream())
                .filter(i -> id.equals(i.instanceId()))
                .findFirst()
                .orElseThrow(() -> new BoxException(ErrorCode.NOT_FOUND, "EC2 does not know the GPU box " + id
                        + "; check GPUBOX_INSTANCE_ID or the stack's GpuInstance."));
    }

    private Address describeAddress(String allocationId) {
        return call("look up the Elastic IP (" + allocationId + ")",
                () -> ec2.describeAddresses(DescribeAddressesRequest.builder().allocationIds(allocationId).build()))
                .addresses().stream()
                .findFirst()
                .orElseThrow(() -> new BoxException(ErrorCode.NOT_FOUND,
                        "EC2 does not know the Elastic IP " + allocationId + "; check GPUBOX_EIP_ALLOCATION_ID."));
    }

    private BoxStatus status(Instance box) {
        Address eip = config.eipAllocationId() == null ? null : describeAddress(config.eipAllocationId());
        String state = box.state().nameAsString();
        boolean attached = eip != null && box.instanceId().equals(eip.instanceId());
        boolean up = state.equals("running");
        Instant launched = up ? box.launchTime() : null;
        Long uptime = launched == null ? null : Math.max(0, Duration.between(launched, clock.instant()).getSeconds());
        String address = attached ? eip.publicIp() : box.publicIpAddress();
        String ssh = address == null ? null : sshLine(box.keyName(), address);
        return new BoxStatus(box.instanceId(), nameOf(box), box.instanceTypeAsString(), state,
                box.publicIpAddress(), eip == null ? null : eip.publicIp(), attached, launched, uptime, ssh);
    }

    private String sshLine(String keyName, String address) {
        String identity = keyName == null ? "" : "-i ~/.ssh/" + keyName + ".pem ";
        return "ssh " + identity + config.sshUser() + "@" + address;
    }

    private static String nameOf(Instance box) {
        return box.tags().stream().filter(t -> "Name".equals(t.key())).map(Tag::value).findFirst().orElse(null);
    }

    private static <T> T call(String action, Supplier<T> awsCall) {
        try {
            return awsCall.get();
        } catch (SdkException e) {
            throw AwsErrors.map(e, action);
        }
    }
}
