package dev.gpubox.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A throwaway self-signed certificate for 127.0.0.1, made with the JDK's keytool when the benchmark starts
 * (RSA 2048, as AWS's endpoints present), so the simulator can be served over TLS as EC2 is: the Java
 * child trusts it through {@code -Djavax.net.ssl.trustStore}, the Python peer through {@code AWS_CA_BUNDLE}.
 */
record BenchTls(SSLContext serverContext, Path trustStore, Path caPem) {
    static final String PASSWORD = "gpubox-bench";

    static BenchTls create(Path dir, Path javaHome) throws IOException, InterruptedException, GeneralSecurityException {
        Files.createDirectories(dir);
        Path keyStore = dir.resolve("simulator.p12");
        Path trustStore = dir.resolve("trust.p12");
        Path pem = dir.resolve("simulator-ca.pem");
        for (Path p : List.of(keyStore, trustStore, pem)) {
            Files.deleteIfExists(p);
        }
        String keytool = javaHome.resolve("bin").resolve("keytool").toString();
        keytool(List.of(keytool, "-genkeypair", "-alias", "simulator", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD));
        keytool(List.of(keytool, "-exportcert", "-rfc", "-alias", "simulator", "-keystore", keyStore.toString(),
                "-storepass", PASSWORD, "-file", pem.toString()));
        keytool(List.of(keytool, "-importcert", "-noprompt", "-alias", "simulator", "-file", pem.toString(),
                "-storetype", "PKCS12", "-keystore", trustStore.toString(), "-storepass", PASSWORD));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return new BenchTls(context, trustStore, pem);
    }

    /** The JVM options that make a child trust the simulator's certificate (and only it). */
    List<String> trustOptions() {
        return List.of("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=" + PASSWORD,
                "-Djavax.net.ssl.trustStoreType=PKCS12");
    }

    private static void keytool(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("keytool failed: " + String.join(" ", command) + "\n" + out);
        }
    }
}
