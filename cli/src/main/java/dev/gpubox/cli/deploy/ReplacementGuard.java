package dev.gpubox.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a CloudFormation change set (the JSON of {@code aws cloudformation describe-change-set}) and
 * decides whether executing it would replace or drop the GPU box. A replacement creates a second box,
 * moves the Elastic IP and GPUBOX_INSTANCE_ID to it and — because of {@code UpdateReplacePolicy: Retain}
 * — leaves the old box, with the user's work, outside the stack. {@code ./gpubox deploy} runs this
 * between creating and executing the change set and refuses unless the user says
 * {@code --allow-replacement}.
 *
 * <p>It also refuses, unless {@code --allow-restart}, a change that CloudFormation makes by stopping and
 * starting the box ("Some interruptions" in the reference: UserData, InstanceType, ...;
 * {@link InstanceUpdates}) while the box runs: that would kill whatever runs on it. Whether it runs comes
 * from {@code aws ec2 describe-instances}, which {@link Deploy} calls for the boxes {@link #interruptions}
 * names (its text output is {@link #boxStates}); a box whose state could not be read counts as running.
 *
 * <p>{@link Deploy} executes a change set when {@link Verdict#allowedBy} says so; it exits {@link #REFUSED}
 * when the guard refuses and {@link #UNREADABLE} when the change set cannot be judged.
 */
public final class ReplacementGuard {
    public static final int SAFE = 0;
    public static final int UNREADABLE = 2;
    public static final int REFUSED = 3;
    static final String BOX_TYPE = "AWS::EC2::Instance";
    static final String ALLOW = "--allow-replacement";
    static final String ALLOW_RESTART = "--allow-restart";
    /** EC2 states in which the box has nothing running that a stop and start could interrupt. */
    static final Set<String> NOT_RUNNING = Set.of("stopped", "terminated");

    /** One reason the box would be replaced: the property and what changed it (a parameter, the template...). */
    public record Cause(String property, String requiresRecreation, String changeSource, String causingEntity) {
        /** The parameter that forces it, if it is one. */
        public String parameter() {
            return "ParameterReference".equals(changeSource) ? causingEntity : null;
        }

        String describe() {
            String how = "Always".equals(requiresRecreation) ? "forces a new instance" : "may force a new instance";
            return what() + " " + how;
        }

        /** "UserData (template.yaml changed it)" */
        String what() {
            String why = switch (changeSource == null ? "" : changeSource) {
                case "ParameterReference" -> "parameter " + causingEntity + " changed";
                case "DirectModification" -> "template.yaml changed it";
                case "ResourceReference" -> "resource " + causingEntity + " changed";
                case "ResourceAttribute" -> "attribute " + causingEntity + " changed";
                case "Automatic" -> "CloudFormation changes it automatically";
                default -> "changed";
            };
            return property + " (" + why + ")";
        }
    }

    /** What the change set would do to one box in the stack. */
    public record BoxChange(String logicalId, String physicalId, String action, String replacement, List<Cause> causes) {
        public Set<String> parameters() {
            Set<String> names = new LinkedHashSet<>();
            causes.forEach(c -> {
                if (c.parameter() != null) {
                    names.add(c.parameter());
                }
            });
            return names;
        }
    }

    /**
     * A change CloudFormation makes by stopping and starting a box that is not stopped.
     *
     * @param state the box's EC2 state, or null when it could not be read (then it counts as running)
     */
    public record BoxRestart(String logicalId, String physicalId, String state, List<Cause> causes) {
    }

    /** The verdict on a whole change set. */
    public record Verdict(String stackName, List<BoxChange> dangers, List<BoxRestart> restarts, String unreadable) {
        public boolean safe() {
            return dangers.isEmpty() && restarts.isEmpty() && unreadable == null;
        }

        /** Whether the flags given cover every danger and every restart. */
        public boolean allowedBy(boolean allowReplacement, boolean allowRestart) {
            return unreadable == null && (dangers.isEmpty() || allowReplacement && !SpotSwitch.switches(this))
                    && (restarts.isEmpty() || allowRestart);
        }
    }

    private ReplacementGuard() {
    }

    /** The verdict when no box state is known: every box a restart would touch counts as running. */
    public static Verdict analyse(JsonNode changeSet) {
        return analyse(changeSet, Map.of());
    }

    /** The verdict, with the EC2 state of each box by instance id (a box missing from it counts as running). */
    public static Verdict analyse(JsonNode changeSet, Map<String, String> boxStates) {
        String stack = changeSet.path("StackName").asText("");
        if (!changeSet.path("Changes").isArray()) {
            return new Verdict(stack, List.of(), List.of(), "this is not a describe-change-set reply (no Changes list)");
        }
        if (changeSet.hasNonNull("NextToken")) {
            return new Verdict(stack, List.of(), List.of(), "the change set has more than one page of changes; only the"
                    + " first was read, so a replacement of the box cannot be ruled out");
        }
        List<BoxRestart> restarts = new ArrayList<>();
        for (BoxRestart restart : interruptions(changeSet)) {
            String state = boxStates.get(restart.physicalId());
            if (state == null || !NOT_RUNNING.contains(state)) {
                restarts.add(new BoxRestart(restart.logicalId(), restart.physicalId(), state, restart.causes()));
            }
        }
        List<BoxChange> dangers = new ArrayList<>();
        for (JsonNode change : changeSet.path("Changes")) {
            JsonNode rc = change.path("ResourceChange");
            if (!BOX_TYPE.equals(rc.path("ResourceType").asText())) {
                continue;
            }
            String action = rc.path("Action").asText();
            String replacement = rc.path("Replacement").asText("");
            boolean replaced = action.equals("Modify") && (replacement.equals("True") || replacement.equals("Conditional"));
            // Remove leaves the retained box running outside the stack; Dynamic cannot be judged before it runs.
            if (replaced || action.equals("Remove") || action.equals("Dynamic")) {
                dangers.add(new BoxChange(rc.path("LogicalResourceId").asText(), rc.path("PhysicalResourceId").asText(""),
                        action, replacement, causes(rc.path("Details"))));
            }
        }
        return new Verdict(stack, dangers, restarts, null);
    }

    /**
     * The boxes the change set modifies in place with a property CloudFormation changes by stopping and
     * starting the instance (state unknown). A replaced box is not here: the replacement check covers it.
     */
    static List<BoxRestart> interruptions(JsonNode changeSet) {
        List<BoxRestart> found = new ArrayList<>();
        for (JsonNode change : changeSet.path("Changes")) {
            JsonNode rc = change.path("ResourceChange");
            if (!BOX_TYPE.equals(rc.path("ResourceType").asText()) || !rc.path("Action").asText().equals("Modify")
                    || !rc.path("Replacement").asText("").equals("False")) {
                continue;
            }
            Map<String, Cause> byProperty = new LinkedHashMap<>();
            for (JsonNode detail : rc.path("Details")) {
                JsonNode target = detail.path("Target");
                String property = target.path("Name").asText("");
                if (!target.path("Attribute").asText().equals("Properties") || property.isEmpty()
                        || InstanceUpdates.of(property) != InstanceUpdates.Behaviour.INTERRUPTION) {
                    continue;
                }
                Cause cause = new Cause(property, target.path("RequiresRecreation").asText("Never"),
                        detail.path("ChangeSource").asText(null), detail.path("CausingEntity").asText(null));
                // As for replacements: the entry that names a parameter wins over its Dynamic duplicate.
                byProperty.merge(property, cause, (kept, next) -> kept.parameter() != null ? kept : next);
            }
            if (!byProperty.isEmpty()) {
                found.add(new BoxRestart(rc.path("LogicalResourceId").asText(), rc.path("PhysicalResourceId").asText(""),
                        null, List.copyOf(byProperty.values())));
            }
        }
        return found;
    }

    private static List<Cause> causes(JsonNode details) {
        Map<String, List<Cause>> byProperty = new LinkedHashMap<>();
        for (JsonNode detail : details) {
            JsonNode target = detail.path("Target");
            String recreation = target.path("RequiresRecreation").asText("Never");
            if (!recreation.equals("Never")) {
                String property = target.path("Name").asText(target.path("Attribute").asText("?"));
                byProperty.computeIfAbsent(property, p -> new ArrayList<>()).add(new Cause(property, recreation,
                        detail.path("ChangeSource").asText(null), detail.path("CausingEntity").asText(null)));
            }
        }
        // CloudFormation lists a parameter-driven change twice (Static naming the parameter, and Dynamic
        // without it): keep the ones that name a parameter, else one entry per property.
        List<Cause> causes = new ArrayList<>();
        byProperty.values().forEach(list -> {
            List<Cause> named = list.stream().filter(c -> c.parameter() != null).distinct().toList();
            causes.addAll(named.isEmpty() ? list.subList(0, 1) : named);
        });
        return causes;
    }

    /** The message for the user, with only --allow-replacement considered (no restart allowed). */
    public static String explain(Verdict verdict, boolean allowed) {
        return explain(verdict, allowed, false);
    }

    /** The message for the user: what would happen and what to do instead. */
    public static String explain(Verdict verdict, boolean allowReplacement, boolean allowRestart) {
        if (verdict.unreadable() != null) {
            return "gpubox deploy: cannot check the change set: " + verdict.unreadable() + ".";
        }
        if (verdict.safe()) {
            return "gpubox deploy: the change set keeps your GPU box; executing it.";
        }
        String replacements = verdict.dangers().isEmpty() ? ""
                : explainReplacement(verdict, allowReplacement && !SpotSwitch.switches(verdict));
        String restarts = verdict.restarts().isEmpty() ? "" : explainRestart(verdict, allowRestart);
        String both = replacements.isEmpty() || restarts.isEmpty() ? replacements + restarts : replacements + "\n" + restarts;
        return verdict.allowedBy(allowReplacement, allowRestart) ? both
                : both + "\nNothing was changed: the change set is deleted.";
    }

    private static String explainRestart(Verdict verdict, boolean allowed) {
        StringBuilder out = new StringBuilder();
        out.append(allowed ? "gpubox deploy: --allow-restart given; this update STOPS AND STARTS your GPU box:\n"
                : "gpubox deploy: REFUSED. This update would stop and start your GPU box while it runs:\n");
        boolean userData = false;
        for (BoxRestart box : verdict.restarts()) {
            String id = box.logicalId() + (box.physicalId().isEmpty() ? "" : " (" + box.physicalId() + ")");
            String state = box.state() == null ? "may be running (its state could not be read)" : "is " + box.state();
            out.append("  - ").append(id).append(' ').append(state).append("; CloudFormation stops and starts it to change:\n");
            for (Cause c : box.causes()) {
                out.append("      ").append(c.what()).append('\n');
                userData |= c.property().equals("UserData");
            }
        }
        out.append("The stop kills whatever runs on the box now (a training job, a notebook, your shell).\n");
        if (userData) {
            out.append("gpubox's UserData changes once, on the upgrade that made it a fixed bootstrap (the idle watchdog\n"
                    + "now arrives through SSM): docs/setup.md \"Upgrading an existing stack\".\n");
        }
        if (!allowed) {
            out.append("Stop the box first (./gpubox down, or POST /stop) and deploy again: a stopped box has nothing\n"
                    + "to interrupt. Or restart it now with\n"
                    + "  ./gpubox deploy " + ALLOW_RESTART + "\n");
        }
        return out.toString().stripTrailing();
    }

    private static String explainReplacement(Verdict verdict, boolean allowed) {
        StringBuilder out = new StringBuilder();
        out.append(allowed ? "gpubox deploy: --allow-replacement given; this update REPLACES your GPU box:\n"
                : "gpubox deploy: REFUSED. This update would replace or drop your GPU box:\n");
        Set<String> parameters = new LinkedHashSet<>();
        for (BoxChange box : verdict.dangers()) {
            String id = box.logicalId() + (box.physicalId().isEmpty() ? "" : " (" + box.physicalId() + ")");
            switch (box.action()) {
                case "Remove" -> out.append("  - ").append(id).append(" would leave the stack still running; the API would"
                        + " no longer control it (only the nightly stop, which finds it by its gpubox:stack tag)\n");
                case "Dynamic" -> out.append("  - ").append(id).append(" changes in a way CloudFormation decides only"
                        + " while deploying\n");
                default -> {
                    out.append("  - ").append(id).append(box.replacement().equals("Conditional")
                            ? " may be replaced:\n" : " would be replaced:\n");
                    box.causes().forEach(c -> out.append("      ").append(c.describe()).append('\n'));
                }
            }
            parameters.addAll(box.parameters());
        }
        out.append("A replacement creates a NEW box from the AMI, moves the Elastic IP and the API to it, and leaves\n"
                + "the old box and its disk (your work) outside the stack.\n");
        String named = String.join(", ", parameters);
        if (allowed) {
            if (!parameters.isEmpty()) {
                // A --parameter-overrides on the command line lasts one deploy: the next plain deploy sends
                // samconfig's old value, which would replace the new box in turn.
                out.append("Now save the new value of ").append(named).append(" in samconfig.toml (parameter_overrides),\n"
                        + "or the next plain ./gpubox deploy sends the old one and tries to replace the box again.\n");
            }
            return out.toString().stripTrailing();
        }
        if (!parameters.isEmpty()) {
            out.append("To keep your box, put the previous value of ").append(named).append(" back in samconfig.toml\n"
                    + "(parameter_overrides) and deploy again: a --parameter-overrides on the command line replaces\n"
                    + "samconfig's whole list for that one deploy, and the next plain deploy sends samconfig's values again.\n");
        }
        if (SpotSwitch.switches(verdict)) {
            return out.append(SpotSwitch.explain(verdict)).toString().stripTrailing();
        }
        out.append("To move to a new box on purpose, follow docs/setup.md \"Replacing the box\" and run\n"
                + "  ./gpubox deploy --allow-replacement");
        return out.toString();
    }

    /** `describe-instances --query 'Reservations[].Instances[].[InstanceId,State.Name]' --output text`. */
    static Map<String, String> boxStates(String text) {
        Map<String, String> states = new LinkedHashMap<>();
        for (String line : text.lines().toList()) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 2 && fields[0].startsWith("i-")) {
                states.put(fields[0], fields[1]);
            }
        }
        return states;
    }
}
