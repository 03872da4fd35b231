package dev.gpubox.cli;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What {@code ./gpubox login} saves for the other commands: the API's URL and key, and optional ssh
 * settings. One file, readable by its owner only, at {@code $XDG_CONFIG_HOME/gpubox/config} (default
 * {@code ~/.config/gpubox/config}).
 */
record CliConfig(Map<String, String> values) {
    static final String URL = "url";
    static final String KEY = "key";
    /** The {@code Host} name in ~/.ssh/config; default {@code gpubox}. */
    static final String HOST = "host";
    /** Overrides the user and key file that the API's ssh line names. */
    static final String USER = "user";
    static final String IDENTITY = "identity";
    /** The folder VS Code opens on the box; default the user's home there. */
    static final String REMOTE_PATH = "path";

    static Path file(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Cli.home(env).resolve(".config");
        return base.resolve("gpubox").resolve("config");
    }

    static CliConfig load(Path file) throws IOException {
        Properties p = new Properties();
        if (Files.isRegularFile(file)) {
            p.load(new StringReader(Files.readString(file)));
        }
        Map<String, String> values = new TreeMap<>();
        p.stringPropertyNames().forEach(name -> values.put(name, p.getProperty(name)));
        return new CliConfig(values);
    }

    String get(String name) {
        String v = values.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    /** Written owner-only from the first byte: the file holds the API key. */
    void save(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Properties p = new Properties();
        values.forEach(p::setProperty);
        StringWriter text = new StringWriter();
        p.store(text, "gpubox: written by ./gpubox login; holds the API key, so it is readable by you only");
        Path temp = file.resolveSibling("config.tmp");
        Files.deleteIfExists(temp);
        try {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(temp);
        }
        Files.writeString(temp, text.toString());
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
