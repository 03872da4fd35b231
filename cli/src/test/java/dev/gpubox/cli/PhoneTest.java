package dev.gpubox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nayuki.qrcodegen.QrCode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./gpubox phone}: the printed QR code is the panel URL with the login's key in the fragment only. */
class PhoneTest {
    static final String API_URL = "https://abc123.execute-api.eu-west-1.amazonaws.com/v1";
    static final String KEY = "Xy9k2Lq0abcdEFGH1234ijklMNOP5678qrstUVWX";

    @TempDir
    Path home;

    @Test
    void printsAQrCodeOfThePanelUrlWithTheKeyInTheFragmentAndNowhereElse() throws Exception {
        String printed = phoneAfterALogin(StandardCharsets.UTF_8);

        String link = API_URL + "/#key=" + KEY; // the stack's PanelUrl output, then the fragment
        URI uri = URI.create(link);
        assertNull(uri.getRawQuery(), "the key never goes in the query: a query is sent and logged");
        assertEquals("/v1/", uri.getPath());
        assertEquals("key=" + KEY, uri.getFragment());
        assertEquals(link, Phone.link(Phone.panelUrl(API_URL), KEY));

        // Read the printed blocks back into modules: they are exactly the library's code for that link.
        QrCode expected = QrCode.encodeText(link, QrCode.Ecc.MEDIUM);
        List<String> rows = printed.lines().limit((expected.size + 2 * Phone.QUIET_ZONE + 1) / 2).toList();
        for (int y = 0; y < expected.size; y++) {
            for (int x = 0; x < expected.size; x++) {
                assertEquals(expected.getModule(x, y), printedDark(rows, x + Phone.QUIET_ZONE, y + Phone.QUIET_ZONE),
                        "module " + x + "," + y);
            }
        }
        assertTrue(printed.contains("paste this key once: " + KEY), printed);
    }

    /** A terminal without a UTF-8 locale (LANG=C) would show '?' for every half block: it gets '#'s instead. */
    @Test
    void anAsciiTerminalGetsACodeItCanShow() throws Exception {
        String printed = phoneAfterALogin(StandardCharsets.US_ASCII);
        QrCode expected = QrCode.encodeText(API_URL + "/#key=" + KEY, QrCode.Ecc.MEDIUM);
        List<String> rows = printed.lines().limit(expected.size + 2 * Phone.QUIET_ZONE).toList();
        assertTrue(rows.stream().allMatch(row -> row.matches("[# ]+")), "only '#' and ' ': " + printed);
        for (int y = 0; y < expected.size; y++) {
            for (int x = 0; x < expected.size; x++) {
                boolean printedDark = rows.get(y + Phone.QUIET_ZONE).charAt(2 * (x + Phone.QUIET_ZONE)) == ' ';
                assertEquals(expected.getModule(x, y), printedDark, "module " + x + "," + y);
            }
        }
    }

    @Test
    void withoutALoginItSaysToLogInFirst() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int exit = new Cli(Map.of("HOME", home.toString()), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(new String[] {"phone"});
        assertEquals(1, exit);
        assertEquals("gpubox phone: no login on this laptop yet: run ./gpubox login first (it saves the API's URL and key).\n",
                err.toString(StandardCharsets.UTF_8));
    }

    /** {@code ./gpubox phone} after a login, printed to a terminal with that character set. */
    private String phoneAfterALogin(java.nio.charset.Charset terminal) throws Exception {
        Map<String, String> env = Map.of("HOME", home.toString());
        new CliConfig(new TreeMap<>(Map.of(CliConfig.URL, API_URL, CliConfig.KEY, KEY))).save(CliConfig.file(env));
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int exit = new Cli(env, new PrintStream(out, true, terminal), new PrintStream(err, true, terminal))
                .run(new String[] {"phone"});
        assertEquals(0, exit, err.toString(terminal));
        return out.toString(terminal);
    }

    /** Drawn for a dark terminal: a printed half block is a light module, a blank one is dark. */
    private static boolean printedDark(List<String> rows, int x, int y) {
        char c = rows.get(y / 2).charAt(x);
        boolean lightTop = c == '█' || c == '▀', lightBottom = c == '█' || c == '▄';
        return !(y % 2 == 0 ? lightTop : lightBottom);
    }
}
