package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.functions.StatusHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The jar you deploy is the jar you test: every wire-level test in this module (simulator, moto, local
 * mode) runs the handlers and the SDK from functions/target/gpubox-functions.jar, the ProGuard-shrunk jar
 * template.yaml deploys, not from the SDK's own jars.
 */
public class DeployedJarOnClasspathTest {
    public static Path jarOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void handlersAndTheSdkComeFromTheDeployedJar() throws Exception {
        Path deployed = jarOf(StatusHandler.class);
        assertEquals("gpubox-functions.jar", deployed.getFileName().toString(), deployed.toString());
        assertEquals(deployed, jarOf(Ec2Client.class), "the SDK must come from the deployed jar, not its own jars");
        assertEquals(deployed, jarOf(com.fasterxml.jackson.core.JsonFactory.class),
                "local mode's Jackson runs on the deployed jar's jackson-core");
    }

    @Test
    void theDeployedJarIsShrunkAndWithinItsSizeBudget() throws Exception {
        // An EC2 operation gpubox never calls: gone from the shrunk jar, so absent from this classpath.
        assertThrows(ClassNotFoundException.class,
                () -> Class.forName("software.amazon.awssdk.services.ec2.model.CreateVpcRequest"));
        long size = Files.size(jarOf(StatusHandler.class));
        assertTrue(size <= 10_000_000, "the deployed jar is " + size + " bytes; the budget is 10 MB (issue 10)");
    }
}
