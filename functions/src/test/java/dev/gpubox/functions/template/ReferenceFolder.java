package dev.gpubox.functions.template;

import dev.gpubox.box.ExternalTools;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The team's read-only reference folder, {@code ../shared} beside the checkout (not the repo's own
 * {@code shared/} module). Tests read it by path; nothing from it is copied into the repo.
 */
final class ReferenceFolder {
    /** From the functions module: module → checkout → the folder beside the checkout. */
    static final Path SCHEMAS = Path.of("..", "..", "shared", "schemas").toAbsolutePath().normalize();

    private ReferenceFolder() {
    }

    /**
     * On CI the folder must be there, so its absence fails loudly; on a developer machine without it the
     * schema checks are skipped with a reason that says what is missing.
     */
    static void requireSchemas() {
        boolean present = Files.isRegularFile(SCHEMAS.resolve("sam.schema.json"))
                && Files.isDirectory(SCHEMAS.resolve("cfn-resource-schemas"));
        String message = "The team reference folder is absent: expected " + SCHEMAS
                + " (../shared/schemas beside the checkout, holding sam.schema.json and cfn-resource-schemas/)."
                + " Template schema validation cannot run without it.";
        ExternalTools.require(present, message);
    }
}
