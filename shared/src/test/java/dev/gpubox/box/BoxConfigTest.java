package dev.gpubox.box;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BoxConfigTest {
    @Test
    void readsEveryVariable() {
        BoxConfig config = BoxConfig.from(Map.of(
                "GPUBOX_INSTANCE_ID", "i-0123456789abcdef0",
                "GPUBOX_EIP_ALLOCATION_ID", "eipalloc-1",
                "GPUBOX_MANAGED_TAG", "gpubox:stack=my-stack",
                "GPUBOX_SSH_USER", "ec2-user"));
        assertEquals(new BoxConfig("i-0123456789abcdef0", "eipalloc-1", "gpubox:stack", "my-stack", "ec2-user"),
                config);
    }

    @Test
    void blanksAreUnsetAndSshUserDefaultsToUbuntu() {
        BoxConfig config = BoxConfig.from(Map.of("GPUBOX_INSTANCE_ID", " ", "GPUBOX_MANAGED_TAG", "no-equals-sign"));
        assertNull(config.instanceId());
        assertNull(config.managedTagKey());
        assertEquals("ubuntu", config.sshUser());
    }
}
