package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.box.InstanceStore;
import dev.gpubox.box.MotoServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 point 8, a second source: the instance store sizes {@link InstanceStore} gives every allowed type
 * are the ones EC2's DescribeInstanceTypes reports, as moto serves AWS's own instance-type data. The call is
 * made over plain HTTP (EC2's Query API): the shrunk jar the wire tiers run on has no DescribeInstanceTypes,
 * which gpubox itself never calls.
 */
class InstanceStoreMotoTest {
    static final Pattern TOTAL = Pattern.compile("<totalSizeInGB>(\\d+)</totalSizeInGB>");

    @Test
    void everyAllowedTypesInstanceStoreIsWhatEc2Describes() throws Exception {
        try (MotoServer moto = MotoServer.start()) {
            Map<String, Integer> described = new TreeMap<>();
            Map<String, Integer> ours = new TreeMap<>();
            List<String> unknownToMoto = new ArrayList<>();
            for (String type : InstanceStore.knownTypes()) {
                HttpResponse<String> reply = describe(moto, type);
                if (reply.statusCode() == 400 && reply.body().contains("InvalidInstanceType")) {
                    unknownToMoto.add(type); // moto's data has no retired generations (p2, p3)
                    continue;
                }
                assertEquals(200, reply.statusCode(), reply.body());
                Matcher total = TOTAL.matcher(reply.body());
                described.put(type, total.find() ? Integer.parseInt(total.group(1)) : 0);
                ours.put(type, InstanceStore.sizeGb(type));
            }
            assertEquals(described, ours);
            for (String type : unknownToMoto) {
                assertTrue(type.startsWith("p2.") || type.startsWith("p3."), type + " should be in moto's data");
                assertEquals(0, InstanceStore.sizeGb(type), type + " is EBS-only (EC2 user guide)");
            }
            assertTrue(described.size() >= 7, "moto described " + described);
        }
    }

    private static HttpResponse<String> describe(MotoServer moto, String type) throws Exception {
        String form = "Action=DescribeInstanceTypes&Version=2016-11-15&InstanceType.1="
                + URLEncoder.encode(type, StandardCharsets.UTF_8);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(moto.endpoint() + "/"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        // moto routes a request by the service in the credential scope; it checks no signature.
                        .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261202/us-east-1/ec2/aws4_request,"
                                + " SignedHeaders=host, Signature=0")
                        .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
