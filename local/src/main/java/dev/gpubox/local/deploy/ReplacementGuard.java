package dev.gpubox.local.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
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
 * <p>Usage: {@code java -cp gpubox-local.jar dev.gpubox.local.deploy.ReplacementGuard CHANGE_SET.json
 * [--allow-replacement]}. Exit 0: safe to execute (or allowed); 3: refused; 2: unreadable input.
 */
public final class ReplacementGuard {
    public static final int SAFE = 0;
    public static final int UNREADABLE = 2;
    public static final int REFUSED = 3;
    static final String BOX_TYPE = "AWS::EC2::Instance";
    static final String ALLOW = "--allow-replacement";

    /** One reason the box would be replaced: the property and what changed it (a parameter, the template...). */
    public record Cause(String property, String requiresRecreation, String changeSource, String causingEntity) {
        /** The parameter that forces it, if it is one. */
        public String parameter() {
            return "ParameterReference".equals(changeSource) ? causingEntity : null;
        }

        String describe() {
            String why = switch (changeSource == null ? "" : changeSource) {
                case "ParameterReference" -> "parameter " + causingEntity + " changed";
                case "DirectModification" -> "template.yaml changed it";
                case "ResourceReference" -> "resource " + causingEntity + " changed";
                case "ResourceAttribute" -> "attribute " + causingEntity + " changed";
                case "Automatic" -> "CloudFormation changes it automatically";
                default -> "changed";
            };
            String how = "Always".equals(requiresRecreation) ? "forces a new instance" : "may force a new instance";
            return property + " (" + why + ") " + how;
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

    /** The verdict on a whole change set. */
    public record Verdict(String stackName, List<BoxChange> dangers, String unreadable) {
        public boolean safe() {
            return dangers.isEmpty() && unreadable == null;
        }
    }

    private ReplacementGuard() {
    }

    public static Verdict analyse(JsonNode changeSet) {
        String stack = changeSet.path("StackName").asText("");
        if (!changeSet.path("Changes").isArray()) {
            return new Verdict(stack, List.of(), "this is not a describe-change-set reply (no Changes list)");
        }
        if (changeSet.hasNonNull("NextToken")) {
            return new Verdict(stack, List.of(), "the change set has more than one page of changes; only the"
                    + " first was read, so a replacement of the box cannot be ruled out");
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
        return new Verdict(stack, dangers, null);
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

    /** The message for the user: what would happen and what to do instead. */
    public static String explain(Verdict verdict, boolean allowed) {
        if (verdict.unreadable() != null) {
            return "gpubox deploy: cannot check the change set: " + verdict.unreadable() + ".";
        }
        if (verdict.safe()) {
            return "gpubox deploy: the change set keeps your GPU box; executing it.";
        }
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
            return out.toString();
        }
        if (!parameters.isEmpty()) {
            out.append("To keep your box, put the previous value of ").append(named).append(" back in samconfig.toml\n"
                    + "(parameter_overrides) and deploy again: a --parameter-overrides on the command line replaces\n"
                    + "samconfig's whole list for that one deploy, and the next plain deploy sends samconfig's values again.\n");
        }
        out.append("To move to a new box on purpose, follow docs/setup.md \"Replacing the box\" and run\n"
                + "  ./gpubox deploy --allow-replacement\n"
                + "Nothing was changed: the change set is deleted.");
        return out.toString();
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: ReplacementGuard CHANGE_SET.json [" + ALLOW + "]");
            System.exit(UNREADABLE);
        }
        boolean allowed = List.of(args).contains(ALLOW);
        Verdict verdict;
        try {
            verdict = analyse(new ObjectMapper().readTree(Path.of(args[0]).toFile()));
        } catch (IOException e) {
            System.err.println("gpubox deploy: cannot read the change set " + args[0] + ": " + e.getMessage());
            System.exit(UNREADABLE);
            return;
        }
        String message = explain(verdict, allowed);
        (verdict.safe() || allowed ? System.out : System.err).println(message);
        System.exit(verdict.unreadable() != null ? UNREADABLE : verdict.safe() || allowed ? SAFE : REFUSED);
    }
}
