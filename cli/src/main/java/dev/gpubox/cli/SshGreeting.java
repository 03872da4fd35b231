package dev.gpubox.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Whether sshd answers at an address: a TCP connection that then sends an SSH identification line
 * ({@code SSH-2.0-…}, RFC 4253 §4.2; {@code SSH-1.99-} from a server that also speaks protocol 1). An open
 * port alone proves nothing: a captive portal, a firewall or a proxy on the laptop's network can accept every
 * connection, and a box still booting has no sshd yet behind the hypervisor's accept.
 */
final class SshGreeting {
    /** RFC 4253: an identification line is at most 255 characters; a server may send other lines first. */
    private static final int MAX_BYTES = 8 * 1024;

    private SshGreeting() {
    }

    /** What the probe found: {@code null} when sshd greeted, else why not (for the "waiting" lines). */
    static String probe(InetSocketAddress target, int timeoutMillis) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.getHostString(), target.getPort()), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            return greeted(socket.getInputStream()) ? null : "the port accepts but sends no SSH-2.0- greeting";
        } catch (java.net.SocketTimeoutException silent) {
            return "the port accepts but sends no SSH-2.0- greeting";
        } catch (IOException closed) {
            return "nothing answers";
        }
    }

    /** Reads lines until one starts with the SSH identification, the peer stops, or {@link #MAX_BYTES}. */
    static boolean greeted(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int read = 0, b; read < MAX_BYTES && (b = in.read()) >= 0; read++) {
            if (b == '\n') {
                if (isIdentification(line)) {
                    return true;
                }
                line.setLength(0);
            } else if (line.length() < 256) {
                line.append((char) b);
                if (isIdentification(line)) { // enough to tell: do not wait for the rest of the line
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isIdentification(CharSequence line) {
        String s = line.toString();
        return s.startsWith("SSH-2.0-") || s.startsWith("SSH-1.99-");
    }
}
