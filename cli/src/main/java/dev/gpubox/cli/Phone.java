package dev.gpubox.cli;

import io.nayuki.qrcodegen.QrCode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * {@code ./gpubox phone}: a QR code in the terminal that opens the phone panel with the API key, so the key
 * is never typed on a phone. The key rides in the URL's fragment ({@code .../v1/#key=KEY}): a browser never
 * sends a fragment to the server, so it is in no API Gateway log; the panel stores it and removes it from the
 * address bar and the history entry. The URL and key are the laptop's login ({@code ./gpubox login}).
 */
final class Phone {
    /** Light modules around the code: 2 instead of the standard's 4 keeps it on an 80x24 screen; phones read it. */
    static final int QUIET_ZONE = 2;

    private final Map<String, String> env;
    private final PrintStream out;

    Phone(Map<String, String> env, PrintStream out) {
        this.env = env;
        this.out = out;
    }

    void run(List<String> args) throws IOException, Cli.Failure {
        boolean invert = args.contains("--invert");
        if (args.stream().anyMatch(a -> !a.equals("--invert"))) {
            throw new Cli.Failure(2, "usage: ./gpubox phone [--invert]   (--invert: for a terminal with a light background)");
        }
        CliConfig config = CliConfig.load(CliConfig.file(env));
        String url = config.get(CliConfig.URL);
        String key = config.get(CliConfig.KEY);
        if (url == null || key == null) {
            throw new Cli.Failure(1, "no login on this laptop yet: run ./gpubox login first (it saves the API's URL and key).");
        }
        String panel = panelUrl(url);
        QrCode qr = QrCode.encodeText(link(panel, key), QrCode.Ecc.MEDIUM);
        // A terminal whose locale is not UTF-8 (LANG=C: Java prints '?' for a half block) gets plain '#'s.
        out.print(out.charset().newEncoder().canEncode("█▀▄") ? render(qr, invert) : renderAscii(qr, invert));
        out.println("Scan this with the phone's camera: it opens the gpubox panel with the API key, which the");
        out.println("panel keeps on the phone (then add it to the home screen). The key is in the part after '#',");
        out.println("which a browser never sends, so no server log sees it.");
        out.println("No camera? Open " + panel + " on the phone and paste this key once: " + key);
    }

    /** The panel is the API's root page: the stack's PanelUrl output is its ApiUrl with a trailing slash. */
    static String panelUrl(String apiUrl) {
        return apiUrl.endsWith("/") ? apiUrl : apiUrl + "/";
    }

    /** The panel with the key in the fragment, percent-encoded as the panel's decodeURIComponent reads it. */
    static String link(String panelUrl, String key) {
        return panelUrl + "#key=" + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Two rows of modules per line with half blocks. Drawn for a dark terminal: the light modules are the
     * printed ones (a scanner needs dark modules on light), unless {@code invert}.
     */
    static String render(QrCode qr, boolean invert) {
        StringBuilder text = new StringBuilder();
        int from = -QUIET_ZONE, to = qr.size + QUIET_ZONE;
        for (int y = from; y < to; y += 2) {
            for (int x = from; x < to; x++) {
                boolean top = light(qr, x, y) != invert;
                boolean bottom = (y + 1 >= to || light(qr, x, y + 1)) != invert;
                text.append(top ? (bottom ? '█' : '▀') : (bottom ? '▄' : ' '));
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** One module as two characters ({@code ##} printed), a row a line: twice as tall, but only ASCII. */
    static String renderAscii(QrCode qr, boolean invert) {
        StringBuilder text = new StringBuilder();
        for (int y = -QUIET_ZONE; y < qr.size + QUIET_ZONE; y++) {
            for (int x = -QUIET_ZONE; x < qr.size + QUIET_ZONE; x++) {
                text.append(light(qr, x, y) != invert ? "##" : "  ");
            }
            text.append('\n');
        }
        return text.toString();
    }

    private static boolean light(QrCode qr, int x, int y) {
        return !qr.getModule(x, y); // outside the code (the quiet zone) getModule is false: light
    }
}
