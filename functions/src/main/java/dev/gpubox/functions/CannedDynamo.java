package dev.gpubox.functions;

import java.io.ByteArrayInputStream;
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
 * An in-memory DynamoDB for SnapStart priming, as {@link CannedEc2} is for EC2: every Query of the spend
 * ledger finds no runs, so status and start walk the month's code (JSON marshalling, signing, unmarshalling)
 * without a socket. It remembers the operations it saw, for the priming test.
 */
final class CannedDynamo implements SdkHttpClient {
    final List<String> operations = new ArrayList<>();

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() {
                String target = request.httpRequest().firstMatchingHeader("X-Amz-Target").orElse("");
                synchronized (CannedDynamo.this) {
                    operations.add(target.substring(target.indexOf('.') + 1));
                }
                byte[] json = "{\"Items\":[],\"Count\":0,\"ScannedCount\":0}".getBytes(StandardCharsets.UTF_8);
                return HttpExecuteResponse.builder()
                        .response(SdkHttpResponse.builder().statusCode(200)
                                .putHeader("Content-Type", "application/x-amz-json-1.0")
                                .putHeader("Content-Length", Integer.toString(json.length))
                                .putHeader("x-amzn-RequestId", "priming").build())
                        .responseBody(AbortableInputStream.create(new ByteArrayInputStream(json)))
                        .build();
            }

            @Override
            public void abort() {
                // nothing in flight
            }
        };
    }

    @Override
    public void close() {
        // nothing to release
    }
}
