package dev.gpubox.box;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BoxConfigTest {
    @Test
    void readsEveryVariable() {
        BoxConfig config = BoxConfig.from(Map.of(
                "GPUBOX_INSTANCE_ID", "i-0123456789abcdef0",
                "GPUBOX_EIP_ALLOCATION_ID", "eipalloc-1",
                "GPUBOX_MANAGED_TAG", "gpubox:stack=my-stack",
                "GPUBOX_SSH_USER", "ec2-user",
                "GPUBOX_TIMEZONE", StopPolicy.DEFAULT.zone().getId()));
        assertEquals(new BoxConfig("i-0123456789abcdef0", "eipalloc-1", "gpubox:stack", "my-stack", "ec2-user"),
                config);
    }

    @Test
    void aMissingTimeZoneIsAConfigurationErrorNamingTheVariableNotShanghai() {
        BoxConfig config = BoxConfig.from(Map.of("GPUBOX_INSTANCE_ID", "i-0123456789abcdef0",
                "GPUBOX_SHUTDOWN_TIME", "20:00"));
        BoxException e = assertThrows(BoxException.class, config::policy);
        assertEquals(ErrorCode.MISCONFIGURED, e.error());
        assertTrue(e.getMessage().contains("GPUBOX_TIMEZONE"), e.getMessage());
        assertEquals(java.time.ZoneId.of("America/New_York"), BoxConfig.from(Map.of("GPUBOX_TIMEZONE",
                "America/New_York")).policy().zone());
    }

    @Test
    void blanksAreUnsetAndSshUserDefaultsToUbuntu() {
        BoxConfig config = BoxConfig.from(Map.of("GPUBOX_INSTANCE_ID", " ", "GPUBOX_MANAGED_TAG", "no-equals-sign"));
        assertNull(config.instanceId());
        assertNull(config.managedTagKey());
        assertEquals("ubuntu", config.sshUser());
    }
}
