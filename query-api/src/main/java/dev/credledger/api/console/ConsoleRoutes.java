package dev.credledger.api.console;

import dev.credledger.api.Problem;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * {@code GET /console/} and its assets: a read-only console for auditors and incident responders, built on the public
 * HTTP API only (STYLE.md §15). Plain HTML, CSS and JavaScript modules from the jar: no framework, no build step, nothing
 * from a CDN. Served under a Content-Security-Policy without inline script or style, never framed, and revalidated on
 * every load; the pages hold no data (the API's answers are {@code no-store}).
 */
public final class ConsoleRoutes {

    /** Scripts, styles and requests from this origin only; no inline code; no frame, form target or base URL elsewhere. */
    public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final Map<String, String> ASSETS = Map.of(
            "console.css", "text/css; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "api.js", "text/javascript; charset=utf-8",
            "proofs.js", "text/javascript; charset=utf-8",
            "pages.js", "text/javascript; charset=utf-8",
            // Ed25519 for browsers whose WebCrypto lacks it: @noble/ed25519 3.2.0's index.js from npm, byte for byte
            // (MIT, its licence beside it in the jar; docs/console.md says how to check the copy).
            "noble-ed25519.js", "text/javascript; charset=utf-8");

    /** {@code GET /console} (and {@code /console/}): the page; it names its assets by absolute path. */
    public void page(Context ctx) {
        headers(ctx);
        ctx.contentType("text/html; charset=utf-8").result(read("index.html"));
    }

    /** {@code GET /console/{asset}}: one of the assets named here, nothing else. */
    public void asset(Context ctx) {
        String name = ctx.pathParam("asset");
        String type = ASSETS.get(name);
        if (type == null) {
            throw Problem.notFound("no such file under /console: " + name.replaceAll("[^A-Za-z0-9._-]", "?"));
        }
        headers(ctx);
        ctx.contentType(type).result(read(name));
    }

    private static void headers(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-cache");
    }

    private static byte[] read(String name) {
        try (InputStream in = ConsoleRoutes.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("/console/" + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
