package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.BootCompatibility;
import dev.gpubox.box.BoxConfig;
import dev.gpubox.box.BoxTags;
import dev.gpubox.box.MotoServer;
import dev.gpubox.box.NightlyStop;
import dev.gpubox.box.Notifier;
import dev.gpubox.box.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.AttributeValue;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ec2.model.ModifyInstanceAttributeRequest;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * Issue 17 point 1 against a second EC2 implementation (moto, with AWS's own instance-type data): the modify
 * call the fall-back and RestorePreferredType make, and the deploy-time compatibility check's
 * DescribeInstanceTypes, through the real SDK and the shrunk jar's classes.
 */
class CapacityFallbackMotoTest {
    static final String STACK_TAG = "gpubox:stack";

    @Test
    void theSweepGivesAStoppedFallBackBoxItsInstanceTypeBackOnMoto() throws Exception {
        try (MotoServer moto = MotoServer.start(); Ec2Client ec2 = Endpoints.clientFor(moto.endpoint())) {
            String box = ec2.runInstances(r -> r.imageId(MotoServer.AMI).instanceType(InstanceType.G4_DN_XLARGE)
                    .minCount(1).maxCount(1).tagSpecifications(TagSpecification.builder()
                            .resourceType(ResourceType.INSTANCE).tags(tag(STACK_TAG, "moto-stack"),
                                    tag(BoxTags.PREFERRED_TYPE, "g4dn.xlarge"),
                                    tag(BoxTags.FALLBACK_TYPES, "g5.xlarge,g6.xlarge"),
                                    tag(BoxTags.RESTORE_PREFERRED, "true")).build()))
                    .instances().get(0).instanceId();
            ec2.stopInstances(r -> r.instanceIds(box));
            // What the fall-back did on a sold-out morning.
            ec2.modifyInstanceAttribute(ModifyInstanceAttributeRequest.builder().instanceId(box)
                    .instanceType(AttributeValue.builder().value("g5.xlarge").build()).build());
            assertEquals("g5.xlarge", typeOf(ec2, box));

            new NightlyStop(ec2, new BoxConfig(box, null, STACK_TAG, "moto-stack", "ubuntu"), Notifier.NONE,
                    Clock.systemUTC(), Sleeper.REAL).run(Duration.ofSeconds(30));

            assertEquals("g4dn.xlarge", typeOf(ec2, box), "RestorePreferredType put InstanceType back");
        }
    }

    @Test
    void theDeployCheckReadsAwsInstanceTypeDataOnMoto() throws Exception {
        try (MotoServer moto = MotoServer.start(); Ec2Client ec2 = Endpoints.clientFor(moto.endpoint())) {
            assertNull(BootCompatibility.problems(ec2, "g4dn.xlarge", List.of("g5.xlarge", "g6.xlarge")));
            String problems = BootCompatibility.problems(ec2, "g4dn.xlarge",
                    List.of("g5.xlarge", "g5g.xlarge", "g9.xlarge"));
            assertTrue(problems.contains("g5g.xlarge (its architecture (arm64) is not x86_64)")
                    && problems.contains("g9.xlarge (EC2 does not know it in this region)")
                    && !problems.contains("g5.xlarge ("), problems);
        }
    }

    static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }

    static String typeOf(Ec2Client ec2, String id) {
        return ec2.describeInstances(DescribeInstancesRequest.builder().instanceIds(id).build()).reservations().get(0)
                .instances().get(0).instanceTypeAsString();
    }

}
