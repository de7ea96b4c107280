package dev.credledger.app;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A receiver of deliveries on loopback, written for the tests (the JDK's HTTP server): it records every request and
 * answers each with the next status of its plan, then with {@code 204} (or what {@link #otherwise} says).
 */
final class Receiver implements AutoCloseable {

    record Request(String path, Map<String, List<String>> headers, String body, long receivedNanos) {
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.getFirst();
        }
    }

    private final HttpServer server;
    private final List<Request> received = new ArrayList<>();
    private final Deque<Integer> plan = new ArrayDeque<>();
    private String redirectTo;
    private int otherwise = 204;

    Receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, List<String>> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            int status;
            synchronized (this) {
                received.add(new Request(exchange.getRequestURI().getPath(), headers,
                        new String(body, StandardCharsets.UTF_8), System.nanoTime()));
                status = plan.isEmpty() ? otherwise : plan.removeFirst();
                notifyAll();
            }
            if (status >= 300 && status < 400 && redirectTo != null) {
                exchange.getResponseHeaders().add("Location", redirectTo);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The next requests are answered with these statuses, in order. */
    synchronized Receiver answer(Integer... statuses) {
        plan.addAll(List.of(statuses));
        return this;
    }

    /** Requests beyond the plan are answered with {@code status}. */
    synchronized Receiver otherwise(int status) {
        otherwise = status;
        return this;
    }

    synchronized Receiver redirectingTo(String location) {
        redirectTo = location;
        return this;
    }

    synchronized List<Request> received() {
        return List.copyOf(received);
    }

    /** Waits until {@code count} requests that {@code match} have arrived; returns them. */
    synchronized List<Request> await(int count, Predicate<Request> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Request> found = received.stream().filter(match).toList();
            if (found.size() >= count) {
                return found;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected " + count + " matching requests within " + timeout + ", got "
                        + found.size() + " of " + received.size() + ": " + received);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
