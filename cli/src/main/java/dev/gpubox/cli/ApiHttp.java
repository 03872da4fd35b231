package dev.gpubox.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;

/**
 * One request to the gpubox API with the JDK's {@link HttpURLConnection}. Not {@code java.net.http}: building
 * its {@code HttpClient} (a selector thread, its executor, the default SSL context even for http://) cost a
 * laptop command ~0.3 s of its ~0.9 s before any byte was sent (docs/performance.md, "The laptop CLI"); the
 * CLI makes one call per command, or a few in a row for {@code up}, which the connection's keep-alive reuses.
 */
final class ApiHttp {
    static final int CONNECT_TIMEOUT_MS = 10_000;
    /** Longer than API Gateway's own 29 s integration timeout, so the gateway's reply is what the user sees. */
    static final int READ_TIMEOUT_MS = 40_000;

    /** The status and the raw body (empty when the reply has none). */
    record Reply(int status, byte[] body) {
    }

    private ApiHttp() {
    }

    /**
     * @throws IllegalArgumentException a key or URL that cannot go into a request (a newline in the key, say)
     * @throws IOException the API could not be reached or answered no HTTP
     */
    static Reply send(String method, URI uri, String apiKey) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        try {
            connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
            connection.setReadTimeout(READ_TIMEOUT_MS);
            connection.setInstanceFollowRedirects(false); // as java.net.http did: a redirect is the API's answer
            connection.setUseCaches(false);
            connection.setRequestMethod(method);
            connection.setRequestProperty("x-api-key", apiKey);
            connection.setRequestProperty("Accept", "application/json");
            connection.setRequestProperty("User-Agent", "gpubox-cli");
            if (method.equals("POST")) { // an empty body with Content-Length: 0, which API Gateway asks of a POST
                connection.setDoOutput(true);
                connection.getOutputStream().close();
            }
            int status = connection.getResponseCode();
            if (status < 0) {
                throw new IOException("the reply from " + uri.getHost() + " is not HTTP");
            }
            try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
                // read to the end, so that keep-alive can reuse the connection for up's next call
                return new Reply(status, in == null ? new byte[0] : in.readAllBytes());
            }
        } catch (IOException | RuntimeException e) {
            connection.disconnect();
            throw e;
        }
    }
}
