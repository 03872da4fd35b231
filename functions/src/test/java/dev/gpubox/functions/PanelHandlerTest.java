package dev.gpubox.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The phone panel's route, fed the events/ fixture a phone's browser sends through API Gateway (no key). */
class PanelHandlerTest {
    private final PanelHandler handler = new PanelHandler();

    private APIGatewayProxyResponseEvent get(Map<String, String> query) {
        APIGatewayProxyRequestEvent event = Events.api("panel.json");
        event.setQueryStringParameters(query);
        return ProxyIntegration.invoke(handler, event);
    }

    @Test
    void servesThePageWithoutAKeyUnderAPolicyThatAllowsOnlyItsOwnInlineCode() throws Exception {
        APIGatewayProxyResponseEvent page = get(null);
        assertEquals(200, page.getStatusCode());
        assertEquals("text/html; charset=utf-8", page.getHeaders().get("Content-Type"));
        String csp = page.getHeaders().get("Content-Security-Policy");
        assertTrue(csp.startsWith("default-src 'none';"), csp);
        assertFalse(csp.contains("unsafe-inline") || csp.contains("http") || csp.contains("*"), csp);

        // Each inline block is allowed by exactly its own hash: edit the page and the policy follows.
        Matcher blocks = Pattern.compile("<(script|style)>(.*?)</\\1>", Pattern.DOTALL).matcher(page.getBody());
        int count = 0;
        while (blocks.find()) {
            String hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(blocks.group(2).getBytes(StandardCharsets.UTF_8)));
            assertTrue(csp.contains(blocks.group(1) + "-src 'sha256-" + hash + "'"), blocks.group(1) + " not allowed: " + csp);
            count++;
        }
        assertEquals(2, count, "one style and one script block");
    }

    @Test
    void thePageCarriesNoSecretAndLoadsNothingFromElsewhere() {
        String html = get(null).getBody();
        assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(html).find(), "no third-party resource");
        assertFalse(html.contains("EXAMPLEKEY"), "nothing from the request is echoed");
        assertFalse(Pattern.compile("\\son[a-z]+=").matcher(html).find(), "no inline handlers (the policy blocks them)");
        assertTrue(html.contains("rel=\"manifest\" href=\"?asset=manifest\""));
    }

    @Test
    void manifestAndIconAreServedFromTheSameRoute() {
        APIGatewayProxyResponseEvent manifest = get(Map.of("asset", "manifest"));
        assertEquals("application/manifest+json; charset=utf-8", manifest.getHeaders().get("Content-Type"));
        assertTrue(manifest.getBody().contains("\"display\": \"standalone\""));
        assertTrue(manifest.getBody().contains("\"src\": \"?asset=icon\""));
        APIGatewayProxyResponseEvent icon = get(Map.of("asset", "icon"));
        assertEquals("image/svg+xml; charset=utf-8", icon.getHeaders().get("Content-Type"));
        assertTrue(icon.getBody().startsWith("<svg"));
    }

    @Test
    void unknownAssetsAndOtherMethodsGetJsonErrors() {
        APIGatewayProxyResponseEvent missing = get(Map.of("asset", "../../etc/passwd"));
        assertEquals(404, missing.getStatusCode());
        assertTrue(missing.getBody().contains("\"error\":\"not_found\""), missing.getBody());
        assertFalse(missing.getBody().contains("/etc/"), "the request is not echoed raw");
        assertTrue(missing.getBody().contains("page, manifest, icon and sw"), missing.getBody());

        APIGatewayProxyRequestEvent post = Events.api("panel.json").withHttpMethod("POST");
        APIGatewayProxyResponseEvent refused = ProxyIntegration.invoke(handler, post);
        assertEquals(405, refused.getStatusCode());
        assertEquals("GET, HEAD", refused.getHeaders().get("Allow"));

        // Methods are case-sensitive (docs/api.md): a raw "get / HTTP/1.1" is not GET.
        for (String lower : new String[] {"get", "head", "Get"}) {
            APIGatewayProxyResponseEvent wrongCase = ProxyIntegration.invoke(handler,
                    Events.api("panel.json").withHttpMethod(lower));
            assertEquals(405, wrongCase.getStatusCode(), lower);
            assertEquals("GET, HEAD", wrongCase.getHeaders().get("Allow"));
        }
    }
}
