package dev.gpubox.functions.template;

import dev.gpubox.box.ExternalTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one fall-back for a provider schema the team reference folder lacks: the copy cfn-lint's installed
 * package ships for every resource type (us-east-1's). Its {@code data/schemas/providers/us_east_1.py} maps each
 * type to a file name under {@code data/schemas/resources/}.
 */
final class CfnLintSchemas {
    private static Path root;

    private CfnLintSchemas() {
    }

    /** cfn-lint's provider schema for {@code type}; skips (fails on CI) without cfn-lint. */
    static synchronized Path providerSchema(String type) throws IOException {
        if (root == null) {
            Path python = ExternalTools.requirePythonModule("cfnlint", "provider schemas the reference folder lacks");
            try {
                Process p = new ProcessBuilder(python.toString(), "-c",
                        "import cfnlint,os;print(os.path.dirname(cfnlint.__file__))").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (p.waitFor() != 0) {
                    throw new IOException("could not locate cfn-lint: " + out);
                }
                root = Path.of(out, "data", "schemas");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        String index = Files.readString(root.resolve("providers").resolve("us_east_1.py"));
        Matcher m = Pattern.compile("\"" + Pattern.quote(type) + "\": \"([0-9a-f]+)\"").matcher(index);
        if (!m.find()) {
            throw new IOException("neither the reference folder nor cfn-lint (" + root + ") has a schema for " + type);
        }
        return root.resolve("resources").resolve(m.group(1) + ".json");
    }
}
