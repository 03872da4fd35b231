package dev.gpubox.box;

import static dev.gpubox.box.Ec2Fixtures.awsError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.exception.SdkClientException;

class AwsErrorsTest {

    @ParameterizedTest(name = "{0} ({1}) -> {2} {3}")
    @CsvSource({
            "InsufficientInstanceCapacity, 500, INSUFFICIENT_CAPACITY, 503",
            "InsufficientCapacity,         500, INSUFFICIENT_CAPACITY, 503",
            "RequestLimitExceeded,         503, THROTTLED,             503",
            "Throttling,                   400, THROTTLED,             503",
            "VcpuLimitExceeded,            400, VCPU_QUOTA,            403",
            "InstanceLimitExceeded,        400, VCPU_QUOTA,            403",
            "PendingVerification,          400, ACCOUNT_PENDING_VERIFICATION, 403",
            "Unavailable,                  503, EC2_UNAVAILABLE,       503",
            "ServiceUnavailable,           503, EC2_UNAVAILABLE,       503",
            "Resource.AlreadyAssociated,   400, EIP_IN_USE,            409",
            "AccessDenied,                 403, MISCONFIGURED,         500",
            "InvalidInstanceID.NotFound,   400, NOT_FOUND,             404",
            "InvalidInstanceID.Malformed,  400, NOT_FOUND,             404",
            "InvalidAllocationID.NotFound, 400, NOT_FOUND,             404",
            "IncorrectInstanceState,       400, WRONG_STATE,           409",
            "UnauthorizedOperation,        403, MISCONFIGURED,         500",
            "InternalError,                500, AWS_ERROR,             502",
            "SomethingNew,                 400, AWS_ERROR,             502",
    })
    void mapsEc2ErrorCodes(String code, int awsStatus, ErrorCode expected, int httpStatus) {
        BoxException e = AwsErrors.map(awsError(code, awsStatus), "start the GPU box");
        assertEquals(expected, e.error());
        assertEquals(httpStatus, e.error().httpStatus());
        assertEquals("req-" + code, e.awsRequestId(), "the AWS request id is kept for support cases");
        assertTrue(e.getMessage().length() < 400 && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void capacityAndThrottlingCarryARetryHint() {
        assertNotNull(AwsErrors.map(awsError("InsufficientInstanceCapacity", 500), "x").retryAfterSeconds());
        assertNotNull(AwsErrors.map(awsError("RequestLimitExceeded", 503), "x").retryAfterSeconds());
        assertNull(AwsErrors.map(awsError("VcpuLimitExceeded", 400), "x").retryAfterSeconds());
    }

    @Test
    void vcpuQuotaMessageSaysWhatToRequest() {
        String message = AwsErrors.map(awsError("VcpuLimitExceeded", 400), "start the GPU box").getMessage();
        assertTrue(message.contains("vCPU quota") && message.contains("at least 4 vCPUs"), message);
    }

    @Test
    void overloadedEc2IsNotCalledACapacityProblem() {
        String message = AwsErrors.map(awsError("Unavailable", 503), "start the GPU box").getMessage();
        assertTrue(message.startsWith("EC2 is overloaded") && !message.contains("capacity"), message);
    }

    @Test
    void capacityAdviceLeadsWithWhatAPhoneUserCanDo() {
        String message = AwsErrors.map(awsError("InsufficientInstanceCapacity", 500), "start the GPU box").getMessage();
        assertTrue(message.substring(0, 120).contains("try again in 5-10 minutes"), message);
    }

    @Test
    void aMissingPermissionIsNamed() {
        assertTrue(AwsErrors.map(awsError("UnauthorizedOperation", 403), "start the GPU box (i-1)").getMessage()
                .startsWith("gpubox's IAM role lacks ec2:StartInstances"));
        assertTrue(AwsErrors.map(awsError("UnauthorizedOperation", 403), "look up the Elastic IP (eipalloc-1)")
                .getMessage().startsWith("gpubox's IAM role lacks ec2:DescribeAddresses"));
    }

    @Test
    void pendingVerificationIsNotQuotaAdvice() {
        String message = AwsErrors.map(awsError("PendingVerification", 400), "start the GPU box").getMessage();
        assertTrue(message.contains("being verified") && !message.contains("quota"), message);
    }

    @Test
    void awsWordsAreQuotedShortAndOnOneLine() {
        BoxException e = AwsErrors.map(Ec2Fixtures.awsError("SomethingNew", 400).toBuilder()
                .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                        .errorCode("SomethingNew").errorMessage("line one\nline two " + "x".repeat(5000)).build())
                .build(), "start the GPU box");
        assertTrue(!e.getMessage().contains("\n") && e.getMessage().length() < 300, e.getMessage());
    }

    @Test
    void networkFailureIsABadGatewayWithoutRequestId() {
        BoxException e = AwsErrors.map(SdkClientException.create("Unable to execute HTTP request: Connection refused"),
                "look up the GPU box");
        assertEquals(ErrorCode.AWS_ERROR, e.error());
        assertNull(e.awsRequestId());
        assertTrue(e.getMessage().startsWith("Could not reach EC2 to look up the GPU box"));
    }
}
