package dev.gpubox.functions;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * An in-memory EC2 for SnapStart priming: answers each Query-API action with a canned reply in EC2's XML,
 * so the SDK marshals, signs and unmarshals a real exchange without a socket. It remembers the actions it
 * saw and whether each request was signed, for the priming test.
 */
final class CannedEc2 implements SdkHttpClient {
    static final String BOX_ID = "i-0a1b2c3d4e5f60001";
    static final String ALLOCATION_ID = "eipalloc-0a1b2c3d4e5f60001";
    private static final String NS = "http://ec2.amazonaws.com/doc/2016-11-15/";

    private final String boxState;
    final List<String> actions = new ArrayList<>();
    boolean everyRequestSigned = true;

    /** @param boxState the canned box's state: {@code stopped} or {@code running} */
    CannedEc2(String boxState) {
        this.boxState = boxState;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                String form = "";
                if (request.contentStreamProvider().isPresent()) {
                    try (InputStream in = request.contentStreamProvider().get().newStream()) {
                        form = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                }
                String action = param(form, "Action");
                synchronized (CannedEc2.this) {
                    actions.add(action);
                    everyRequestSigned &= request.httpRequest().firstMatchingHeader("Authorization").isPresent();
                }
                byte[] xml = reply(action).getBytes(StandardCharsets.UTF_8);
                return HttpExecuteResponse.builder()
                        .response(SdkHttpResponse.builder().statusCode(200)
                                .putHeader("Content-Type", "text/xml;charset=UTF-8")
                                .putHeader("Content-Length", Integer.toString(xml.length))
                                .putHeader("x-amzn-RequestId", "priming").build())
                        .responseBody(AbortableInputStream.create(new ByteArrayInputStream(xml)))
                        .build();
            }

            @Override
            public void abort() {
                // nothing in flight
            }
        };
    }

    private String reply(String action) {
        String running = boxState.equals("running") ? "<code>16</code><name>running</name>"
                : "<code>80</code><name>stopped</name>";
        String body = switch (action) {
            case "DescribeInstances" -> "<reservationSet><item><reservationId>r-0a1b2c3d4e5f60001</reservationId>"
                    + "<ownerId>000000000000</ownerId><instancesSet><item><instanceId>" + BOX_ID + "</instanceId>"
                    + "<imageId>ami-0a1b2c3d4e5f60001</imageId><instanceState>" + running + "</instanceState>"
                    + "<instanceType>g4dn.xlarge</instanceType><keyName>gpubox</keyName>"
                    // An hour ago, so that priming's snooze is inside the run's ceiling (MaxRunHours) and
                    // walks the success path whenever the snapshot is taken.
                    + "<launchTime>" + java.time.Instant.now().minusSeconds(3600).truncatedTo(
                            java.time.temporal.ChronoUnit.SECONDS) + "</launchTime>"
                    + (boxState.equals("running") ? "<ipAddress>203.0.113.10</ipAddress>" : "")
                    + "<groupSet><item><groupId>sg-0a1b2c3d4e5f60001</groupId><groupName>gpubox</groupName></item>"
                    + "</groupSet><tagSet><item><key>Name</key><value>gpubox-gpu</value></item></tagSet>"
                    + "</item></instancesSet></item></reservationSet>";
            case "DescribeAddresses" -> "<addressesSet><item><publicIp>203.0.113.10</publicIp><allocationId>"
                    + ALLOCATION_ID + "</allocationId><domain>vpc</domain><instanceId>" + BOX_ID
                    + "</instanceId><associationId>eipassoc-0a1b2c3d4e5f60001</associationId></item></addressesSet>";
            case "StartInstances" -> stateChange("<code>0</code><name>pending</name>", running);
            case "StopInstances" -> stateChange("<code>64</code><name>stopping</name>", running);
            case "AssociateAddress" -> "<return>true</return><associationId>eipassoc-0a1b2c3d4e5f60001</associationId>";
            default -> "<return>true</return>";
        };
        return "<" + action + "Response xmlns=\"" + NS + "\"><requestId>priming</requestId>" + body + "</" + action
                + "Response>";
    }

    private static String stateChange(String current, String previous) {
        return "<instancesSet><item><instanceId>" + BOX_ID + "</instanceId><currentState>" + current
                + "</currentState><previousState>" + previous + "</previousState></item></instancesSet>";
    }

    private static String param(String form, String name) {
        for (String pair : form.split("&")) {
            if (pair.startsWith(name + "=")) {
                return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        return "";
    }

    @Override
    public String clientName() {
        return "gpubox-priming";
    }

    @Override
    public void close() {
        // holds nothing
    }
}
