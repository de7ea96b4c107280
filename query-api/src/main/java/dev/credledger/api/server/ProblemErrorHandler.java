package dev.credledger.api.server;

import dev.credledger.api.Json;
import dev.credledger.api.Problem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers before a request reaches the API (a malformed request line, headers too large, an
 * idle timeout) as {@code application/problem+json}, like every other error. The detail is fixed per status:
 * Jetty's own message may quote the offending input.
 */
final class ProblemErrorHandler extends ErrorHandler {

    private static final String CONTENT_TYPE = "application/problem+json";

    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) throws IOException {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body(code)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
        return ByteBuffer.wrap(body(status));
    }

    private static byte[] body(int status) {
        String detail = switch (status) {
            case 400 -> "the request is not well-formed HTTP";
            case 408 -> "the request did not arrive in time";
            case 413 -> "request bodies are limited to " + Json.MAX_BODY_BYTES + " bytes";
            case 414 -> "the request line is too long";
            case 431 -> "the request headers are too large";
            case 505 -> "the HTTP version is not supported";
            default -> "the request was refused by the HTTP server";
        };
        String title = HttpStatus.getMessage(status);
        Problem problem = new Problem(status, "http-" + status, title == null ? "HTTP " + status : title, detail);
        return Json.write(problem.body()).getBytes(StandardCharsets.UTF_8);
    }
}
