package dev.gpubox.cli;

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
        return block(host, hostName, user, identityFile, null);
    }

    /** @param proxyCommand how ssh reaches the host (up --ssm's Session Manager command); null for directly */
    static String block(String host, String hostName, String user, String identityFile, String proxyCommand) {
        StringBuilder b = new StringBuilder(BEGIN).append('\n')
                .append("Host ").append(host).append('\n')
                .append("  HostName ").append(hostName).append('\n');
        if (user != null) {
            b.append("  User ").append(user).append('\n');
        }
        if (identityFile != null) {
            b.append("  IdentityFile ").append(identityFile).append('\n');
        }
        if (proxyCommand != null) {
            b.append("  ProxyCommand ").append(proxyCommand).append('\n');
        }
        return b.append(END).append('\n').toString();
    }

    /** @return true when the file changed */
    static boolean write(Path config, String block) throws IOException, Cli.Failure {
        String old = Files.isRegularFile(config) ? Files.readString(config) : null;
        String updated;
        try {
            updated = merge(old, block);
        } catch (Cli.Failure f) {
            throw new Cli.Failure(f.exit, config + " " + f.getMessage());
        }
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

    /**
     * @throws Cli.Failure when the begin marker has no end marker after it (or a second begin comes first):
     *                     where our block ends is then a guess, and a wrong guess deletes the user's lines
     */
    static String merge(String old, String block) throws Cli.Failure {
        if (old == null || old.isEmpty()) {
            return block;
        }
        int begin = old.indexOf(BEGIN);
        int end = begin < 0 ? -1 : old.indexOf(END, begin);
        int secondBegin = begin < 0 ? -1 : old.indexOf(BEGIN, begin + BEGIN.length());
        if (begin >= 0 && (end < 0 || secondBegin >= 0 && secondBegin < end)) {
            throw new Cli.Failure(1, "has gpubox's begin line (" + BEGIN + ") without its end line (" + END
                    + ") after it, so gpubox cannot tell where its block ends and changes nothing. Put the end line"
                    + " after gpubox's Host block (or delete the begin line), then run ./gpubox up again.");
        }
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
