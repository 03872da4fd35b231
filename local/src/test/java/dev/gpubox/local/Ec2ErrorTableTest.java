package dev.gpubox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gpubox.local.WireFixture.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Walks docs/api.md's "EC2 errors" table: each EC2 error code, answered by the simulator over HTTP, read
 * by the real SDK (with its retries), mapped by the handlers, gives the status, error, Retry-After and
 * message the table promises. The table is read from the doc, so the doc cannot drift from the code.
 */
class Ec2ErrorTableTest {
    static final Path API_DOC = Path.of("..", "docs", "api.md");

    record Row(String code, int ec2Status, String route, int status, String error, String retryAfter, String message) {
        @Override
        public String toString() {
            return code + " (" + ec2Status + ") on " + route + " -> " + status + " " + error;
        }
    }

    static List<Row> rows() throws IOException {
        List<String> lines = Files.readAllLines(API_DOC);
        int start = lines.indexOf("### EC2 errors");
        assertTrue(start >= 0, "docs/api.md has an '### EC2 errors' section");
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("#")) {
                break; // the next section
            }
            if (!line.startsWith("| ") || line.startsWith("| EC2 code")) {
                continue;
            }
            String[] cells = line.substring(1, line.length() - 1).split("\\|");
            String code = strip(cells[0]);
            if (code.startsWith("any other code")) {
                code = "SomethingNewFromEc2";
            }
            rows.add(new Row(code, Integer.parseInt(strip(cells[1])), strip(cells[2]), Integer.parseInt(strip(cells[3])),
                    strip(cells[4]), strip(cells[5]), strip(cells[6])));
        }
        assertTrue(rows.size() >= 20, "the table lists every mapped code: " + rows.size());
        return rows;
    }

    private static String strip(String cell) {
        return cell.trim().replace("`", "");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void everyDocumentedEc2ErrorIsAnsweredAsTheTableSays(Row row) throws Exception {
        try (WireFixture local = new WireFixture(Duration.ZERO, Duration.ZERO)) {
            String action = switch (row.route()) {
                case "POST /start" -> "StartInstances";
                case "POST /eip" -> {
                    // A free address, so /eip goes on to AssociateAddress.
                    String eip = local.call("GET", "/status").field("elasticIp");
                    local.ec2.disassociateAddress(r -> r.publicIp(eip));
                    yield "AssociateAddress";
                }
                default -> throw new AssertionError("no driver for route " + row.route());
            };
            // More than the SDK's retries, so the error reaches gpubox whether or not the SDK retries it.
            local.sim.faults().inject(action, row.ec2Status(), row.code(),
                    "What EC2 says about " + row.code() + ".", 10);
            Reply reply = local.call("POST", row.route().substring("POST ".length()));

            assertEquals(row.status(), reply.status(), reply.json().toString());
            assertEquals(row.error(), reply.field("error"));
            assertEquals(row.retryAfter().equals("—") ? "" : row.retryAfter(),
                    reply.raw().headers().firstValue("Retry-After").orElse(""));
            String message = reply.field("message");
            assertTrue(message.startsWith(row.message()), "message: " + message);
            assertFalse(message.contains("\n") || message.length() > 400, message);
            assertFalse(reply.field("awsRequestId").isEmpty(), "the AWS request id is kept for support");
        }
    }
}
