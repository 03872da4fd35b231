package dev.gpubox.box;

import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;

/** Runs one EC2 call and turns what the SDK throws into a {@link BoxException} through {@link AwsErrors}. */
final class Ec2Calls {
    private Ec2Calls() {
    }

    /** @param action what gpubox was doing, e.g. "look up the GPU box (i-0abc)" */
    static <T> T call(String action, Supplier<T> awsCall) {
        try {
            return awsCall.get();
        } catch (SdkException e) {
            throw AwsErrors.map(e, action);
        }
    }
}
