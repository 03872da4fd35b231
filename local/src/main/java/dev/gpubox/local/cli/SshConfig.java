package dev.gpubox.local.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The one block of ~/.ssh/config that gpubox owns, between marker lines. Writing it replaces that block
 * in place (or appends it once) and leaves every other line as it was; writing the same block again
 * leaves the file untouched.
 */
final class SshConfig {
    static final String BEGIN = "# >>> gpubox: written by ./gpubox up; edits inside this block are replaced >>>";
    static final String END = "# <<< gpubox <<<";

    private SshConfig() {
    }

    static String block(String host, String hostName, String user, String identityFile) {
        StringBuilder b = new StringBuilder(BEGIN).append('\n')
                .append("Host ").append(host).append('\n')
                .append("  HostName ").append(hostName).append('\n');
        if (user != null) {
            b.append("  User ").append(user).append('\n');
        }
        if (identityFile != null) {
            b.append("  IdentityFile ").append(identityFile).append('\n');
        }
        return b.append(END).append('\n').toString();
    }

    /** @return true when the file changed */
    static boolean write(Path config, String block) throws IOException {
        String old = Files.isRegularFile(config) ? Files.readString(config) : null;
        String updated = merge(old, block);
        if (updated.equals(old)) {
            return false;
        }
        if (old == null) {
            Path dir = config.getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Files.createFile(config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        // Written in place, so the file keeps its owner, mode and any symlink the user made.
        Files.writeString(config, updated);
        return true;
    }

    static String merge(String old, String block) {
        if (old == null || old.isEmpty()) {
            return block;
        }
        int begin = old.indexOf(BEGIN);
        int end = begin < 0 ? -1 : old.indexOf(END, begin);
        if (begin >= 0 && end >= 0) {
            int after = end + END.length();
            if (after < old.length() && old.charAt(after) == '\n') {
                after++;
            }
            return old.substring(0, begin) + block + old.substring(after);
        }
        // Appended after a blank line; a Host block runs to the next Host line, so ours goes last.
        String separator = old.endsWith("\n\n") ? "" : old.endsWith("\n") ? "\n" : "\n\n";
        return old + separator + block;
    }
}
