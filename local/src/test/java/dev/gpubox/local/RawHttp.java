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
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
                socket.shutdownOutput();
            } catch (IOException serverClosedFirst) {
                // a server may refuse before reading everything; its reply is still there to read
            }
            return read(socket.getInputStream());
        }
    }

    static Raw send(URI server, String request) throws IOException {
        return send(server, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    static Raw read(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                bytes.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException | java.net.SocketException stopped) {
            // what arrived is the reply
        }
        String text = bytes.toString(StandardCharsets.ISO_8859_1);
        int split = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/") || split < 0) {
            return new Raw(-1, text, "");
        }
        String head = text.substring(0, split);
        String[] statusLine = head.split(" ", 3);
        return new Raw(Integer.parseInt(statusLine[1]), head, text.substring(split + 4));
    }
}
