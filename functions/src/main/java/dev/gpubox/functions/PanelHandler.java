package dev.gpubox.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.gpubox.box.Quote;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /}: the phone panel, one self-contained page (classpath resource {@code panel/panel.html})
 * plus its web app manifest ({@code /?asset=manifest}), icon ({@code /?asset=icon}) and the service worker
 * that keeps a copy for when the phone has no connection ({@code /?asset=sw}). It needs no key and
 * carries no secret: the page asks for the key and sends it only to the keyed routes beside it.
 *
 * <p>One route for all three, told apart by the query, so that relative links work whether the page was
 * opened as {@code .../v1/} or {@code .../v1}. The page's inline script and style are allowed by their
 * SHA-256 hashes, computed here from the very bytes served, so the Content-Security-Policy cannot go stale.
 */
public final class PanelHandler implements RequestStreamHandler, ProxyHandler {
    public static final String PATH = "/";
    private static final Pattern INLINE = Pattern.compile("<(script|style)>(.*?)</\\1>", Pattern.DOTALL);
    private static final Map<String, Asset> ASSETS = Map.of(
            "page", page(),
            "manifest", new Asset("application/manifest+json", read("panel/manifest.webmanifest"), null),
            "icon", new Asset("image/svg+xml", read("panel/icon.svg"), null),
            "sw", new Asset("text/javascript", read("panel/sw.js"), null));

    private record Asset(String contentType, String body, String csp) {
    }

    /** Used by Lambda; the page needs no AWS client. */
    public PanelHandler() {
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        output.write(handle(input.readAllBytes(), context).toJson());
    }

    @Override
    public ApiReply handle(byte[] eventJson, Context context) {
        Map<String, Object> event = Json.objectOrNull(eventJson);
        String httpMethod = Json.text(event, "httpMethod");
        String method = httpMethod == null ? "" : httpMethod; // case-sensitive, as everywhere (docs/api.md)
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return text(405, "application/json", "{\"error\":\"method_not_allowed\",\"message\":\""
                    + Quote.excerpt(method, 10).replaceAll("[^A-Za-z]", "?") + " is not allowed on /; use GET.\"}", Map.of("Allow", "GET, HEAD"));
        }
        String requested = Json.text(Json.child(event, "queryStringParameters"), "asset");
        String name = requested == null ? "page" : requested;
        Asset asset = ASSETS.get(name);
        if (asset == null) {
            return text(404, "application/json", "{\"error\":\"not_found\",\"message\":\"No panel asset '"
                    + Quote.excerpt(name, Quote.INPUT_EXCERPT).replaceAll("[^\\w.-]", "?") + "'; the panel has page, manifest, icon and sw.\"}", Map.of());
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (asset.csp() != null) {
            headers.put("Content-Security-Policy", asset.csp());
            headers.put("X-Content-Type-Options", "nosniff");
            headers.put("Referrer-Policy", "no-referrer");
            // Always revalidated, so a phone never runs an old panel against a newer API.
            headers.put("Cache-Control", "no-cache");
        } else if (!name.equals("sw")) { // the browser checks the worker for updates itself
            headers.put("Cache-Control", "max-age=86400");
        }
        return text(200, asset.contentType(), method.equals("HEAD") ? "" : asset.body(), headers);
    }

    private static ApiReply text(int status, String type, String body, Map<String, String> extra) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", type + "; charset=utf-8");
        headers.putAll(extra);
        return new ApiReply(status, headers, body);
    }

    /** The page with a policy that allows its own inline script and style and nothing from anywhere else. */
    private static Asset page() {
        String html = read("panel/panel.html");
        StringBuilder scripts = new StringBuilder();
        StringBuilder styles = new StringBuilder();
        Matcher m = INLINE.matcher(html);
        while (m.find()) {
            (m.group(1).equals("script") ? scripts : styles).append(" 'sha256-").append(sha256(m.group(2))).append('\'');
        }
        String csp = "default-src 'none'; script-src" + scripts + "; style-src" + styles
                + "; connect-src 'self'; img-src 'self'; manifest-src 'self'; worker-src 'self'; base-uri 'none';"
                + " form-action 'none';"
                + " frame-ancestors 'none'";
        return new Asset("text/html", html, csp);
    }

    private static String sha256(String text) {
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every JVM has SHA-256", impossible);
        }
    }

    private static String read(String resource) {
        try (InputStream in = PanelHandler.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
