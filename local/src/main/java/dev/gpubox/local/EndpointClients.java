package dev.gpubox.local;

import dev.gpubox.box.AwsClients;
import java.net.URI;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The handlers' own EC2 client (AwsClients.createEc2(), which sets no endpoint) pointed at an EC2 stand-in
 * through the SDK's standard setting, as AWS_ENDPOINT_URL_EC2 does for a process. The setting is put back at
 * once, so nothing else in the JVM is pointed anywhere; a region and dummy credentials are set when absent.
 */
public final class EndpointClients {
    private EndpointClients() {
    }

    public static synchronized Ec2Client ec2(URI endpoint) {
        String previous = System.getProperty("aws.endpointUrlEc2");
        System.setProperty("aws.endpointUrlEc2", endpoint.toString());
        setIfAbsent("aws.region", "us-west-2");
        setIfAbsent("aws.accessKeyId", "test");
        setIfAbsent("aws.secretAccessKey", "test");
        try {
            return AwsClients.createEc2();
        } finally {
            if (previous == null) {
                System.clearProperty("aws.endpointUrlEc2");
            } else {
                System.setProperty("aws.endpointUrlEc2", previous);
            }
        }
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
