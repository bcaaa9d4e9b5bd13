package dev.kbsync.coordinator.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dashboard's page ({@code webroot/index.html}), under a Content-Security-Policy that lets it run only its own
 * inline script and style (by their SHA-256, read from the page as served) and talk only to its own origin; it may not
 * be framed ({@code X-Frame-Options: DENY}, {@code frame-ancestors 'none'}) nor sniffed as another type.
 */
final class Dashboard implements Handler<RoutingContext> {
    private static final String PAGE = "webroot/index.html";

    private final StaticHandler page = StaticHandler.create("webroot").setCachingEnabled(false);
    private final String policy;

    Dashboard() {
        String html = read();
        this.policy =
                "default-src 'none'; script-src " + hashes(html, "script") + "; style-src " + hashes(html, "style")
                        + "; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    /** Its HEAD names the page's type too (the static handler leaves it out for a HEAD). */
    @Override
    public void handle(RoutingContext ctx) {
        ctx.response()
                .putHeader("Content-Security-Policy", policy)
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("X-Content-Type-Options", "nosniff");
        if (ctx.request().method().equals(HttpMethod.HEAD)) {
            ctx.response().putHeader("Content-Type", "text/html;charset=UTF-8");
        }
        page.handle(ctx);
    }

    /** The sources of the page's inline {@code <tag>} elements, each as {@code 'sha256-...'}; {@code 'none'} if none. */
    private static String hashes(String html, String tag) {
        Matcher inline = Pattern.compile("<" + tag + ">(.*?)</" + tag + ">", Pattern.DOTALL)
                .matcher(html);
        StringBuilder sources = new StringBuilder();
        while (inline.find()) {
            sources.append(sources.isEmpty() ? "" : " ")
                    .append("'sha256-")
                    .append(sha256(inline.group(1)))
                    .append("'");
        }
        return sources.isEmpty() ? "'none'" : sources.toString();
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read() {
        try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IllegalStateException(PAGE + " is not on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
