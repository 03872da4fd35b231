package dev.gpubox.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** HTTP over a plain socket, so a test can send what no HTTP client would (malformed, huge, lowercase). */
final class RawHttp {
    private RawHttp() {
    }

    /** A reply as read off the wire; {@code status} is -1 when the server closed without a reply. */
    record Raw(int status, String head, String body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    /** Sends {@code request} as is and reads until the server closes (or 10 s pass). */
    static Raw send(URI server, byte[] request) throws IOException {
        return send(server, request, 10_000);
    }

    /** @param timeoutMillis how long to wait for more of the reply before taking what arrived */
    static Raw send(URI server, byte[] request, int timeoutMillis) throws IOException {
        boolean head = request.length >= 5 && new String(request, 0, 5, StandardCharsets.ISO_8859_1).equals("HEAD ");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), 5_000);
            socket.setSoTimeout(timeoutMillis);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
                socket.shutdownOutput();
            } catch (IOException serverClosedFirst) {
                // a server may refuse before reading everything; its reply is still there to read
            }
            return read(socket.getInputStream(), head);
        }
    }

    static Raw send(URI server, String request) throws IOException {
        return send(server, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    static Raw read(InputStream in, boolean headRequest) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                bytes.write(buffer, 0, n);
                if (complete(bytes.toString(StandardCharsets.ISO_8859_1), headRequest)) {
                    break;
                }
            }
        } catch (SocketTimeoutException | java.net.SocketException stopped) {
            // what arrived is the reply
        }
        String text = stripInterim(bytes.toString(StandardCharsets.ISO_8859_1));
        if (text.startsWith("HTTP/") && text.indexOf("\r\n\r\n") > 0) {
            int split = text.indexOf("\r\n\r\n");
            int length = contentLength(text.substring(0, split));
            if (length >= 0) {
                text = text.substring(0, Math.min(text.length(), split + 4 + length));
            }
        }
        int split = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/") || split < 0) {
            return new Raw(-1, text, "");
        }
        String head = text.substring(0, split);
        String[] statusLine = head.split(" ", 3);
        // Read byte for byte (Content-Length counts bytes); the body itself is UTF-8.
        String body = new String(text.substring(split + 4).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        return new Raw(Integer.parseInt(statusLine[1]), head, body);
    }

    /** Drops interim 1xx replies (e.g. 100 Continue) before the final one. */
    private static String stripInterim(String text) {
        while (text.matches("(?s)HTTP/1\\.[01] 1\\d\\d.*") && text.indexOf("\r\n\r\n") > 0) {
            text = text.substring(text.indexOf("\r\n\r\n") + 4);
        }
        return text;
    }

    /** A reply with a Content-Length is complete when that many body bytes are in (a kept-alive reply ends so). */
    private static boolean complete(String raw, boolean head) {
        String text = stripInterim(raw);
        int split = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/") || split < 0) {
            return false;
        }
        if (head) {
            return true;
        }
        int length = contentLength(text.substring(0, split));
        return length >= 0 && text.length() >= split + 4 + length;
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                try {
                    return Integer.parseInt(line.substring(15).trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }
}
