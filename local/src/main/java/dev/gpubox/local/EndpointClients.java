package dev.gpubox.local;

import dev.gpubox.box.AwsClients;
import java.net.URI;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The handlers' own clients (AwsClients, which sets no endpoint) pointed at a stand-in through the SDK's
 * standard per-service setting, as AWS_ENDPOINT_URL_EC2 does for a process. The setting is put back at once,
 * so nothing else in the JVM is pointed anywhere; a region and dummy credentials are set when absent.
 */
public final class EndpointClients {
    private EndpointClients() {
    }

    public static Ec2Client ec2(URI endpoint) {
        return withEndpoint("aws.endpointUrlEc2", endpoint, AwsClients::createEc2);
    }

    /** Builds a client while the SDK's endpoint property for its service ({@code property}) names {@code endpoint}. */
    public static synchronized <T> T withEndpoint(String property, URI endpoint, Supplier<T> build) {
        String previous = System.getProperty(property);
        System.setProperty(property, endpoint.toString());
        setIfAbsent("aws.region", "us-west-2");
        setIfAbsent("aws.accessKeyId", "test");
        setIfAbsent("aws.secretAccessKey", "test");
        try {
            return build.get();
        } finally {
            if (previous == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, previous);
            }
        }
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
