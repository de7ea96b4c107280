package dev.credledger.api.server;

import dev.credledger.api.Problem;
import io.javalin.http.Context;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the heap that request bodies may hold across all requests at once, not only per request: a body is read
 * whole and parsed, so while its handler runs it holds its bytes, their decoded text and the values parsed from it
 * ({@link #CHARGE_PER_BYTE} times its length, counted before a byte is read). A request whose charge does not fit
 * waits its turn, first come first served, for at most {@link #WAIT_MILLIS}, and is then refused with 503 and
 * {@code Retry-After}; its body is never held. Per-route and per-key bounds still apply; this one is what keeps many
 * keys, or many routes, from adding up to more heap than there is.
 */
public final class BodyBudget {

    /** Bytes of heap charged for each byte of a body: the raw bytes, their text (two bytes a char at worst), values. */
    public static final int CHARGE_PER_BYTE = 4;

    /** How long a body waits for room before it is refused. */
    public static final long WAIT_MILLIS = 1_000;

    private static final String CHARGED = "credledger.body.charged";
    private static final String TOO_LARGE = "credledger.body.too-large";
    private static final long UNIT = 1024; // permits are KiB: a semaphore counts in ints

    private final long capacity;
    private final int permits;
    private final Semaphore room;

    /** @param capacity bytes of heap that bodies in flight may hold together */
    public BodyBudget(long capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the body budget is positive");
        }
        this.capacity = capacity;
        this.permits = (int) Math.min(Integer.MAX_VALUE, Math.max(1, capacity / UNIT));
        this.room = new Semaphore(permits, true);
    }

    /** A quarter of the heap the JVM may grow to: room for the rest of the ledger (caches, Kafka clients, answers). */
    public static BodyBudget ofHeap() {
        return new BodyBudget(Runtime.getRuntime().maxMemory() / 4);
    }

    /**
     * Reserves what the request's body will hold, or refuses it: 413 at once for a body larger than its route takes
     * ({@code limit}), 503 when no room is made in time. GET and HEAD are never charged: what they declare is never
     * read. (A DELETE's body is: an Idempotency-Key's fingerprint and a forward to another instance read it.)
     */
    void reserve(Context ctx, long limit) {
        long length = ctx.req().getContentLengthLong();
        String method = ctx.req().getMethod();
        if (length <= 0) {
            return;
        }
        if (method.equals("GET") || method.equals("HEAD")) {
            // Never read, so never charged: a GET that held a declared body's charge for a stream's life would starve
            // everyone else's bodies.
            return;
        }
        if (length > limit) {
            ctx.attribute(TOO_LARGE, Boolean.TRUE);
            ctx.header("Connection", "close"); // what is left of the body is not read, and the connection not reused
            throw new Problem(413, "payload-too-large", "Payload too large", "request bodies of this endpoint are limited "
                    + "to " + limit + " bytes");
        }
        // A body larger than the whole budget runs alone rather than never.
        int charge = (int) Math.min(permits, Math.max(1, (saturatedCharge(length) + UNIT - 1) / UNIT));
        boolean reserved;
        try {
            reserved = room.tryAcquire(charge, WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reserved = false;
        }
        if (!reserved) {
            throw new Problem(503, "busy", "Service unavailable", "the server is reading as many request bodies as "
                    + "its memory allows; retry shortly").retryAfter(1).with("code", "BODIES_IN_FLIGHT");
        }
        ctx.attribute(CHARGED, charge);
    }

    /** Returns what the request reserved, once, however it ended. */
    void release(Context ctx) {
        Integer charge = ctx.attribute(CHARGED);
        if (charge != null) {
            ctx.attribute(CHARGED, null);
            room.release(charge);
        }
    }

    /**
     * Reads and drops what is left of the body of an authenticated request answered early with an error (a 429 or 503
     * decided before the body was read): a client still sending it then reads the answer instead of a connection closed
     * under it. Never held: read in small pieces and dropped; bounded by the server's largest body.
     */
    void discardUnread(Context ctx) {
        // Not for a body too large to take, nor for one the client holds back until told to send it (100-continue).
        if (ctx.attribute("role") == null || ctx.statusCode() < 400 || ctx.req().getContentLengthLong() <= 0
                || ctx.attribute(TOO_LARGE) != null || "100-continue".equalsIgnoreCase(ctx.header("Expect"))) {
            return;
        }
        try {
            ctx.req().getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        } catch (java.io.IOException | IllegalStateException e) {
            // The client went away, or the body was already taken: nothing is left to drop.
        }
    }

    /**
     * Reads and drops the body of a GET or HEAD at once (no route reads one): left unread, it makes the server close the
     * connection as the answer ends, and a large answer still being written (the API description, the docs page's
     * files) is cut short under the client. Only up to the API's body limit (64 KiB): a larger one is left unread.
     */
    void dropBodyOfRead(Context ctx) {
        String method = ctx.method().name();
        long length = ctx.req().getContentLengthLong();
        // Larger than any body the API takes: not read at all (the connection closes after the answer instead).
        if (!(method.equals("GET") || method.equals("HEAD")) || length <= 0 || length > dev.credledger.api.Json.MAX_BODY_BYTES
                || ctx.attribute(TOO_LARGE) != null || "100-continue".equalsIgnoreCase(ctx.header("Expect"))) {
            return;
        }
        try {
            ctx.req().getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        } catch (java.io.IOException | IllegalStateException e) {
            // The client went away: nothing is left to drop.
        }
    }

    /** Bytes reserved by requests in flight now. */
    public long held() {
        return (permits - (long) room.availablePermits()) * UNIT;
    }

    public long capacity() {
        return capacity;
    }

    private static long saturatedCharge(long length) {
        return length > Long.MAX_VALUE / CHARGE_PER_BYTE ? Long.MAX_VALUE : length * CHARGE_PER_BYTE;
    }
}
