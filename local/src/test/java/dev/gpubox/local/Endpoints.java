package dev.gpubox.local;

import java.net.URI;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** The tests' name for {@link EndpointClients}: the handlers' own EC2 client pointed at a test endpoint. */
final class Endpoints {
    private Endpoints() {
    }

    static Ec2Client clientFor(URI endpoint) {
        return EndpointClients.ec2(endpoint);
    }
}
