package dev.credledger.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error answered as RFC 9457 {@code application/problem+json}: {@code type}, {@code title},
 * {@code status}, {@code detail}, plus {@code code} (a stable reason code) and other members where useful.
 * Thrown by handlers; never carries a stack trace or an input secret to the client.
 */
public final class Problem extends RuntimeException {

    public static final String TYPE_BASE = "https://credledger.dev/problems/";

    private final int status;
    private final String slug;
    private final String title;
    private final Map<String, Object> members = new LinkedHashMap<>();
    private Integer retryAfterSeconds;

    public Problem(int status, String slug, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public Problem with(String member, Object value) {
        members.put(member, value);
        return this;
    }

    public Problem retryAfter(int seconds) {
        this.retryAfterSeconds = seconds;
        return this;
    }

    public int status() {
        return status;
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_BASE + slug);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", getMessage());
        body.putAll(members);
        return body;
    }

    public static Problem badRequest(String detail) {
        return new Problem(400, "bad-request", "Bad request", detail);
    }

    public static Problem invalidParameter(String name, String detail) {
        return new Problem(400, "invalid-parameter", "Invalid parameter", detail).with("parameter", name);
    }

    public static Problem unauthorized() {
        return new Problem(401, "unauthorized", "Unauthorized",
                "send a valid key as 'Authorization: Bearer <key>'");
    }

    public static Problem forbidden(String detail) {
        return new Problem(403, "forbidden", "Forbidden", detail);
    }

    public static Problem notFound(String detail) {
        return new Problem(404, "not-found", "Not found", detail);
    }

    public static Problem unsupportedMediaType(String detail) {
        return new Problem(415, "unsupported-media-type", "Unsupported media type", detail);
    }

    public static Problem unavailable(String detail) {
        return new Problem(503, "unavailable", "Service unavailable", detail).retryAfter(1);
    }
}
