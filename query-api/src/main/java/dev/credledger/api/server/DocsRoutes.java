package dev.credledger.api.server;

import dev.credledger.api.Problem;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * {@code GET /docs}: the API reference, Swagger UI (from its webjar, in the jar: nothing from a CDN) rendering this
 * ledger's {@code /openapi.json}, with "try it out" against this same server. Only the assets named here are served,
 * under a Content-Security-Policy that lets the page load its own scripts and styles from this origin only and call
 * only this origin.
 */
final class DocsRoutes {

    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /** Served by name: the page, its initializer (ours), and Swagger UI's files. */
    private static final Map<String, String> ASSETS = Map.of(
            "swagger-ui.css", "text/css; charset=utf-8",
            "swagger-ui-bundle.js", "text/javascript; charset=utf-8",
            "favicon-32x32.png", "image/png",
            "docs-init.js", "text/javascript; charset=utf-8");

    private final String webjar;

    DocsRoutes() {
        Properties pom = new Properties();
        try (InputStream in = DocsRoutes.class.getResourceAsStream("/META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the swagger-ui webjar is missing from the class path");
            }
            pom.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        webjar = "/META-INF/resources/webjars/swagger-ui/" + pom.getProperty("version") + "/";
    }

    void page(Context ctx) {
        headers(ctx);
        ctx.contentType("text/html; charset=utf-8").result(read("/docs/index.html"));
    }

    void asset(Context ctx) {
        String name = ctx.pathParam("asset");
        String type = ASSETS.get(name);
        if (type == null) {
            throw Problem.notFound("no such file under /docs: " + name.replaceAll("[^A-Za-z0-9._-]", "?"));
        }
        headers(ctx);
        ctx.contentType(type).result(read(name.equals("docs-init.js") ? "/docs/docs-init.js" : webjar + name));
    }

    private static void headers(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "public, max-age=3600");
    }

    private static byte[] read(String resource) {
        try (InputStream in = DocsRoutes.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
