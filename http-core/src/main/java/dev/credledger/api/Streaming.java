package dev.credledger.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A response body written as it is produced (exports, relayed answers). If producing it fails before any of
 * it has been sent, the failure propagates and the client gets a problem answer as usual. If part of it has
 * been sent, the status line is gone and a problem can no longer be told: the connection is aborted, so the
 * client sees a broken transfer (the chunked body never ends) instead of a 200 that looks complete.
 */
public final class Streaming {

    private static final Logger LOG = LoggerFactory.getLogger(Streaming.class);

    /** Writes a body to a stream; may throw when the data it reads or the client goes away. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private Streaming() {}

    public static void write(Context ctx, Body body) {
        try {
            body.writeTo(ctx.res().getOutputStream());
        } catch (IOException | RuntimeException e) {
            if (!ctx.res().isCommitted()) {
                ctx.res().reset();
                throw e instanceof IOException io ? new UncheckedIOException("the response could not be written", io)
                        : (RuntimeException) e;
            }
            LOG.warn("{} {}: a streamed answer broke after its start was sent ({}); the connection is aborted so "
                    + "the client sees it incomplete", ctx.method(), ctx.path(), e.getClass().getSimpleName());
            ServletContextRequest.getServletContextRequest(ctx.req()).getServletChannel().abort(e);
        }
    }
}
