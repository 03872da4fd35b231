package dev.gpubox.local;

import dev.gpubox.box.AwsClients;
import java.net.URI;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Builds the handlers' own EC2 client (AwsClients.createEc2(), which sets no endpoint) pointed at a test
 * endpoint through the SDK's standard setting, as AWS_ENDPOINT_URL_EC2 does for a process.
 */
final class Endpoints {
    private Endpoints() {
    }

    static synchronized Ec2Client clientFor(URI endpoint) {
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
