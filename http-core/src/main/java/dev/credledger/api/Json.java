package dev.credledger.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.javalin.http.Context;

/**
 * Strict JSON for request bodies: unknown fields, wrong types, trailing garbage and scalars coerced from
 * strings are errors. Error details name the field, never echo the value (it may be a secret).
 */
public final class Json {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // {"plan":2} is not a plan, 1.5 and 1e2 are not versions, and {"a":1,"a":2} is ambiguous.
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // A number or boolean where text is expected is a wrong type, not text.
            .withCoercionConfig(LogicalType.Textual, c -> c
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    /** Request bodies larger than this are refused with 413 (the MAC routes take larger ones). */
    public static final long MAX_BODY_BYTES = 64 * 1024;

    private Json() {}

    /**
     * The body as {@code type}; an empty body is {@code empty}; at most {@link #MAX_BODY_BYTES}. Every text in
     * it, at any depth, field names included, is refused (422 {@code SECRET_IN_INPUT}) if it carries one of the ledger's
     * secrets, however it is spelled ({@link SecretInput#carriesSecret}): whatever a route stores or forwards from its
     * body has passed this one check.
     */
    public static <T> T body(Context ctx, Class<T> type, T empty) {
        return body(ctx, type, empty, MAX_BODY_BYTES);
    }

    /**
     * For the few routes whose purpose is to take a secret in (verify, look up, sign with a salt): the body without the
     * secret check. What they take is hashed or used at the edge and never stored.
     */
    public static <T> T bodyCarryingSecrets(Context ctx, Class<T> type, T empty, long limit) {
        return parse(ctx, type, empty, limit, false);
    }

    /** As {@link #body(Context, Class, Object)}, for a route that takes bodies up to {@code limit} bytes. */
    public static <T> T body(Context ctx, Class<T> type, T empty, long limit) {
        return parse(ctx, type, empty, limit, true);
    }

    private static <T> T parse(Context ctx, Class<T> type, T empty, long limit, boolean refuseSecrets) {
        byte[] bytes = bytes(ctx, limit);
        if (bytes == null) {
            return empty;
        }
        return translated(() -> {
            // First: a secret in a field the body's type would refuse (an enum, say) is still named as a secret.
            if (refuseSecrets) {
                refuseSecrets(bytes);
            }
            // Parsed from the bytes: no second copy of a large body as text.
            T value = MAPPER.readValue(bytes, type);
            if (value == null) {
                throw Problem.badRequest("the body must be a JSON object");
            }
            return value;
        });
    }

    /**
     * A body {@code {"<field>":[item, …]}} read one item at a time, each handed to {@code each} before the next is
     * read, so that the items are never all held; more than {@code max} items is refused at the first one too many.
     * Items are not checked for secrets (the one route that reads this way takes payloads to sign, never stored).
     */
    public static <T> void eachItem(Context ctx, String field, Class<T> type, int max, long limit,
            java.util.function.Consumer<T> each) {
        byte[] bytes = bytes(ctx, limit);
        if (bytes == null) {
            return;
        }
        translated(() -> {
            try (com.fasterxml.jackson.core.JsonParser p = MAPPER.createParser(bytes)) {
                if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                    throw Problem.badRequest("the body must be a JSON object");
                }
                for (var t = p.nextToken(); t != com.fasterxml.jackson.core.JsonToken.END_OBJECT; t = p.nextToken()) {
                    String name = p.currentName();
                    if (!field.equals(name)) {
                        throw Problem.badRequest(name == null || SecretInput.carriesSecret(name) ? "unknown field"
                                : "unknown field '" + name + "'");
                    }
                    if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
                        throw Problem.badRequest("field '" + field + "' has the wrong type");
                    }
                    // One value at a time from a parser the array goes on in: what follows an item is the next one.
                    com.fasterxml.jackson.databind.ObjectReader items = MAPPER.readerFor(type)
                            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
                    int n = 0;
                    while (p.nextToken() != com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
                        if (++n > max) {
                            throw Problem.badRequest("field '" + field + "' holds 1 to " + max + " items");
                        }
                        each.accept(items.readValue(p));
                    }
                }
                if (p.nextToken() != null) {
                    throw Problem.badRequest("the body is not valid JSON: something follows the object");
                }
            }
            return null;
        });
    }

    /** The body's bytes, checked for size and media type; {@code null} for an empty body. */
    private static byte[] bytes(Context ctx, long limit) {
        if (ctx.contentLength() > limit) {
            throw tooLarge(limit);
        }
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length > limit) {
            throw tooLarge(limit);
        }
        if (blank(bytes)) {
            return null;
        }
        if (!isJson(ctx.contentType())) {
            throw Problem.unsupportedMediaType("send the body as 'Content-Type: application/json'");
        }
        return bytes;
    }

    @FunctionalInterface
    private interface Reading<T> {
        T read() throws java.io.IOException;
    }

    /** Runs a read of a body, its failures as 400 problems that name the field, never echo a value. */
    private static <T> T translated(Reading<T> reading) {
        try {
            return reading.read();
        } catch (UnrecognizedPropertyException e) {
            // The name is echoed only if it cannot be a secret pasted as a key.
            String name = e.getPropertyName();
            throw Problem.badRequest(name == null || SecretInput.carriesSecret(name)
                    ? "unknown field" : "unknown field '" + name + "'");
        } catch (InvalidFormatException e) {
            throw Problem.badRequest("field '" + path(e) + "' has the wrong type or format");
        } catch (MismatchedInputException e) {
            throw Problem.badRequest(e.getPath().isEmpty() ? "the body must be a JSON object"
                    : "field '" + path(e) + "' has the wrong type");
        } catch (JsonProcessingException e) {
            outOfRange(e);
            var at = e.getLocation();
            throw Problem.badRequest("the body is not valid JSON" + (at == null ? ""
                    : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("reading a body from memory", e); // a byte array never fails to read
        }
    }

    /** A number too large for its field (maxEvents of 2^31) is named as such, not "not valid JSON". */
    private static void outOfRange(JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof com.fasterxml.jackson.core.exc.InputCoercionException coercion) {
                String name = e instanceof com.fasterxml.jackson.databind.JsonMappingException mapping
                        && !mapping.getPath().isEmpty() ? mapping.getPath().getLast().getFieldName()
                        : coercion.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser p
                        ? p.getParsingContext().getCurrentName() : null;
                throw Problem.badRequest(name == null || SecretInput.carriesSecret(name)
                        ? "a number in the body is out of range" : "field '" + name + "' is out of range");
            }
        }
    }

    /** Every string and field name of a well-formed body, checked as a route would store it. */
    private static void refuseSecrets(byte[] bytes) throws java.io.IOException {
        try (com.fasterxml.jackson.core.JsonParser parser = MAPPER.createParser(bytes)) {
            for (var token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                    // The name itself is the suspect: it is never part of what the answer says.
                    SecretInput.refuse("a field name", parser.currentName());
                } else if (token == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                    SecretInput.refuse(field(parser.getParsingContext().pathAsPointer()), parser.getText());
                }
            }
        }
    }

    /** {@code /delivery/endpoint_url} as {@code delivery.endpoint_url}, {@code /events/0} as {@code events[0]}. */
    private static String field(com.fasterxml.jackson.core.JsonPointer pointer) {
        StringBuilder out = new StringBuilder();
        for (var p = pointer; p != null && !p.matches(); p = p.tail()) {
            if (p.mayMatchElement()) {
                out.append('[').append(p.getMatchingIndex()).append(']');
            } else {
                out.append(out.isEmpty() ? "" : ".").append(p.getMatchingProperty());
            }
        }
        return out.isEmpty() ? "body" : out.toString();
    }

    private static boolean blank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static Problem tooLarge(long limit) {
        return new Problem(413, "payload-too-large", "Payload too large", "request bodies of this endpoint are limited to "
                + limit + " bytes");
    }

    /** Whether the media type is exactly {@code application/json}, parameters (a charset) aside. */
    public static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
        return type.equalsIgnoreCase("application/json");
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a response", e);
        }
    }

    private static String path(MismatchedInputException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .reduce((a, b) -> a + "." + b).orElse("");
    }
}
