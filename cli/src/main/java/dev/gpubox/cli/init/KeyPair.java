package dev.gpubox.cli.init;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;

/** Step 4: the EC2 key pair the box is launched with: an existing one, or the laptop's public key imported. */
final class KeyPair {
    static final String DEFAULT_NAME = "gpubox";

    private final Ec2Client ec2;

    KeyPair(Ec2Client ec2) {
        this.ec2 = ec2;
    }

    /**
     * @param named   {@code --key-name}: must exist already
     * @param current samconfig.toml's KeyName, kept when it still exists
     */
    String resolve(String named, String current, Path publicKey, PrintStream out) throws InitFailure, IOException {
        if (named != null) {
            if (!exists(named)) {
                throw new InitFailure(1, "no key pair named " + named + " in this region: leave out --key-name"
                        + " to import " + publicKey + " as " + DEFAULT_NAME);
            }
            out.println("key pair: using the existing " + named);
            return named;
        }
        String name = current != null ? current : DEFAULT_NAME;
        if (exists(name)) {
            out.println("key pair: " + name + " exists; keeping it");
            return name;
        }
        if (!Files.isRegularFile(publicKey)) {
            throw new InitFailure(1, "no key pair " + name + " yet, and no public key at " + publicKey
                    + ": make one with ssh-keygen -t ed25519, or give --public-key FILE or --key-name NAME");
        }
        String material = Files.readString(publicKey).trim();
        ec2.importKeyPair(r -> r.keyName(name).publicKeyMaterial(SdkBytes.fromUtf8String(material)));
        out.println("key pair: imported " + publicKey + " as " + name);
        return name;
    }

    private boolean exists(String name) {
        try {
            return !ec2.describeKeyPairs(r -> r.keyNames(name)).keyPairs().isEmpty();
        } catch (Ec2Exception e) {
            if ("InvalidKeyPair.NotFound".equals(e.awsErrorDetails().errorCode())) {
                return false;
            }
            throw e;
        }
    }
}
