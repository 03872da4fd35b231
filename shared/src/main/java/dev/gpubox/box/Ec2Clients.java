package dev.gpubox.box;

import java.time.Duration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Builds the EC2 client once per container (the aws-sdk-java-v2 archetype-lambda DependencyFactory pattern).
 *
 * <p>Region and credentials come from the SDK's default provider chains ({@code AWS_REGION} and the
 * function's role in Lambda). No endpoint is set here on purpose: the SDK reads {@code AWS_ENDPOINT_URL_EC2}
 * and {@code AWS_ENDPOINT_URL} itself, which is how local mode and tests point the same handlers at an
 * EC2-compatible stand-in.
 */
public final class Ec2Clients {
    /** Below API Gateway's 29 s, so a hung call becomes our JSON error, not the gateway's 504. */
    private static final Duration API_CALL_TIMEOUT = Duration.ofSeconds(20);

    private Ec2Clients() {
    }

    /** The container's shared client, built on first use. */
    public static Ec2Client shared() {
        return Holder.CLIENT;
    }

    public static Ec2Client create() {
        return Ec2Client.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(3))
                        .socketTimeout(Duration.ofSeconds(10))
                        .build())
                .overrideConfiguration(o -> o.apiCallTimeout(API_CALL_TIMEOUT))
                .build();
    }

    private static final class Holder {
        private static final Ec2Client CLIENT = create();
    }
}
