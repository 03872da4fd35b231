package dev.gpubox.functions.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * `sam deploy` straight from the repository, and `sam build` then `sam deploy`, both find the jar.
 *
 * <p>The SAM CLI is not installed here, so this applies its rules as its source states them
 * (aws/aws-sam-cli): {@code sam build} leaves SkipBuild functions unbuilt and writes the template to
 * {@code .aws-sam/build/template.yaml} through {@code move_template}, which rewrites a relative CodeUri
 * only in a resource's own Properties ({@code _update_relative_paths}: Metadata and Resources, never
 * Globals); {@code sam deploy} then fills a function's missing CodeUri from Globals
 * ({@code Template._apply_global_values}) and resolves it against the folder of the template it reads.
 */
class SamBuildCodeUriIT {
    static final Path BUILD_DIR = Template.REPO.resolve(".aws-sam").resolve("build");
    static final Path JAR = Template.REPO.resolve("functions/target/gpubox-functions.jar");

    @Test
    void everyFunctionsCodeResolvesFromTheRepositoryRoot() {
        Map<String, Path> code = deployedCode(Template.TREE, Template.REPO);
        assertEquals(Template.ofType("AWS::Serverless::Function").size(), code.size());
        code.forEach((function, jar) -> assertEquals(JAR, jar, function));
        assertTrue(Files.isRegularFile(JAR), JAR + " is what `./gpubox package` builds");
    }

    @Test
    void everyFunctionsCodeResolvesFromTheBuiltTemplateInAwsSamBuild() {
        Map<String, Path> code = deployedCode(samBuild(Template.TREE, Template.REPO, BUILD_DIR), BUILD_DIR);
        assertEquals(Template.ofType("AWS::Serverless::Function").size(), code.size());
        code.forEach((function, jar) -> assertEquals(JAR, jar,
                function + ": after `sam build`, `sam deploy` would look for " + jar));
    }

    /** The simulation can tell a broken template: a CodeUri only in Globals is lost by `sam build`. */
    @Test
    void aGlobalsCodeUriWouldPointIntoAwsSamBuild() {
        ObjectNode globalsOnly = Template.TREE.deepCopy();
        ((ObjectNode) globalsOnly.path("Globals").path("Function")).put("CodeUri", "functions/target/gpubox-functions.jar");
        globalsOnly.path("Resources").forEach(r -> {
            if (r.path("Type").asText().equals("AWS::Serverless::Function")) {
                ((ObjectNode) r.path("Properties")).remove("CodeUri");
            }
        });
        assertEquals(JAR, deployedCode(globalsOnly, Template.REPO).get("StartFunction"), "fine from the root");
        Path afterBuild = deployedCode(samBuild(globalsOnly, Template.REPO, BUILD_DIR), BUILD_DIR).get("StartFunction");
        assertEquals(BUILD_DIR.resolve("functions/target/gpubox-functions.jar"), afterBuild);
        assertFalse(Files.exists(afterBuild), "and broken after `sam build`");
    }

    /** SAM CLI's move_template for SkipBuild functions: each own relative CodeUri re-rooted; Globals copied as is. */
    static JsonNode samBuild(JsonNode template, Path originalRoot, Path newRoot) {
        ObjectNode built = template.deepCopy();
        built.path("Resources").forEach(resource -> {
            if (!resource.path("Type").asText().equals("AWS::Serverless::Function")) {
                return;
            }
            JsonNode codeUri = resource.path("Properties").path("CodeUri");
            if (codeUri.isTextual() && isRelativeLocalPath(codeUri.asText())) {
                Path rebased = newRoot.relativize(originalRoot.resolve(codeUri.asText()).normalize());
                ((ObjectNode) resource.path("Properties")).put("CodeUri", rebased.toString());
            }
        });
        return built;
    }

    /** SAM CLI's package step: a function's CodeUri, else Globals', resolved against the template's folder. */
    static Map<String, Path> deployedCode(JsonNode template, Path templateDir) {
        Map<String, Path> code = new LinkedHashMap<>();
        JsonNode global = template.path("Globals").path("Function").path("CodeUri");
        template.path("Resources").properties().forEach(e -> {
            if (!e.getValue().path("Type").asText().equals("AWS::Serverless::Function")) {
                return;
            }
            JsonNode own = e.getValue().path("Properties").path("CodeUri");
            String uri = own.isTextual() ? own.asText() : global.asText();
            assertTrue(isRelativeLocalPath(uri), e.getKey() + ": CodeUri " + uri + " must be a local path in the repo");
            code.put(e.getKey(), templateDir.resolve(uri).normalize());
        });
        return code;
    }

    /** samcli/commands/_utils/template.py _resolve_relative_to: S3, http(s) and absolute paths are left alone. */
    static boolean isRelativeLocalPath(String path) {
        return !path.isEmpty() && !path.startsWith("s3://") && !path.startsWith("http://")
                && !path.startsWith("https://") && !Path.of(path).isAbsolute();
    }
}
