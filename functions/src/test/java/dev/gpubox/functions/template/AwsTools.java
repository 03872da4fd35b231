package dev.gpubox.functions.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gpubox.box.ExternalTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * AWS's own template tools, run from the tests the way a user's deploy runs them: cfn-lint (what
 * {@code sam validate --lint} runs) and the SAM transform (samtranslator, what turns template.yaml into
 * what CloudFormation receives). Both are on every machine of this kind; elsewhere the tests skip with
 * the reason, and on CI they fail.
 */
final class AwsTools {
    static final Path TRANSFORM_SCRIPT = Path.of("src", "test", "resources", "sam-transform.py").toAbsolutePath();
    static final ObjectMapper JSON = new ObjectMapper();

    private AwsTools() {
    }

    record Run(int exit, String output) {
    }

    static Run cfnLint(Path template) throws IOException, InterruptedException {
        Path cfnLint = ExternalTools.requireCommand("cfn-lint", "linting template.yaml as `sam validate --lint` does");
        return run(List.of(cfnLint.toString(), template.toString()));
    }

    /** The template as CloudFormation receives it after `sam deploy` packages and transforms it. */
    static JsonNode transform(Path template) throws IOException, InterruptedException {
        Path python = ExternalTools.requirePythonModule("samtranslator", "the SAM transform of template.yaml");
        Path out = Files.createTempFile("gpubox-transformed", ".json");
        try {
            Run run = run(List.of(python.toString(), TRANSFORM_SCRIPT.toString(), template.toString(), out.toString()));
            if (run.exit() != 0) {
                throw new AssertionError("the SAM transform rejected " + template + ":\n" + run.output());
            }
            return JSON.readTree(out.toFile());
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static Run run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(Template.REPO.toFile()).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish in 120 s");
        }
        return new Run(p.exitValue(), new String(output, StandardCharsets.UTF_8).trim());
    }
}
