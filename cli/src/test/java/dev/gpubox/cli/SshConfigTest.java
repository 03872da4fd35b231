package dev.gpubox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The marked Host block: replaced in place, appended once, every other line of the user's file kept. */
class SshConfigTest {
    static final String OLD = SshConfig.block("gpubox", "198.51.100.1", "ubuntu", "~/.ssh/old.pem");
    static final String NEW = SshConfig.block("gpubox", "203.0.113.10", "ubuntu", "~/.ssh/my-laptop.pem");

    @Test
    void replacesTheBlockWhereItIsAndKeepsEverythingAroundIt() throws Exception {
        String before = "Host a\n  User x\n\n" + OLD + "\nHost b\n  Port 2222\n";
        assertEquals("Host a\n  User x\n\n" + NEW + "\nHost b\n  Port 2222\n", SshConfig.merge(before, NEW));
    }

    @Test
    void appendsAfterABlankLineWhenAbsent() throws Exception {
        assertEquals("Host a\n  User x\n\n" + NEW, SshConfig.merge("Host a\n  User x\n", NEW));
        assertEquals("Host a\n  User x\n\n" + NEW, SshConfig.merge("Host a\n  User x", NEW));
        assertEquals(NEW, SshConfig.merge("", NEW));
    }

    @Test
    void createsAPrivateFileAndLeavesAnUnchangedOneAlone(@TempDir Path home) throws Exception {
        Path config = home.resolve(".ssh/config");
        assertTrue(SshConfig.write(config, NEW));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config.getParent())));
        assertFalse(SshConfig.write(config, NEW), "the same block again changes nothing");
        assertEquals(NEW, Files.readString(config));
    }

    @Test
    void aBeginMarkerWithoutItsEndIsRefusedAndTheFileKept(@TempDir Path home) throws Exception {
        Path config = home.resolve(".ssh/config");
        Files.createDirectories(config.getParent());
        String broken = "Host a\n  User x\n" + SshConfig.BEGIN + "\nHost gpubox\n  HostName 1.2.3.4\n\nHost mine\n  Port 2222\n";
        Files.writeString(config, broken);
        Cli.Failure refused = assertThrows(Cli.Failure.class, () -> SshConfig.write(config, NEW));
        assertTrue(refused.getMessage().startsWith(config + " has gpubox's begin line"), refused.getMessage());
        assertEquals(broken, Files.readString(config), "not a byte changed");
        // Two begin lines before one end: which block is ours is a guess too.
        String twice = SshConfig.BEGIN + "\nHost mine\n" + NEW;
        assertThrows(Cli.Failure.class, () -> SshConfig.merge(twice, NEW));
    }
}
