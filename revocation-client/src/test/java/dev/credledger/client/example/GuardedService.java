package dev.credledger.client.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.credledger.client.RevocationClient;
import dev.credledger.events.model.Environment;
import dev.credledger.events.verify.Verification;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A tiny HTTP service that guards one endpoint with the revocation client: {@code GET /reports} with a valid
 * {@code X-Auth-Token} of the configured environment → 200, anything else → 401 with the reason, decided locally
 * without a call to the ledger. Run it against a running ledger with {@code revocation-client/run-example.sh}
 * (docs/integration.md, "A runnable example").
 *
 * <p>Arguments: {@code <bootstrap servers> <schema registry URL> [port=8090] [sandbox|live]}.
 */
public final class GuardedService implements AutoCloseable {

    private final RevocationClient client;
    private final HttpServer server;
    private final Environment environment;

    public GuardedService(RevocationClient client, Environment environment, int port) throws IOException {
        this.client = client;
        this.environment = environment;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/reports", this::reports);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: GuardedService <bootstrap servers> <schema registry URL> [port=8090] [sandbox|live]");
            System.exit(2);
        }
        RevocationClient client = RevocationClient.builder()
                .bootstrapServers(args[0])
                .schemaRegistryUrl(args[1])
                .enforcementPoint("example-reports-service")
                .build();
        client.start();
        if (!client.awaitReady(Duration.ofSeconds(60))) {
            System.err.println("the revocation topics could not be read within 60 s");
            System.exit(1);
        }
        Environment env = args.length > 3 && args[3].equals("live") ? Environment.LIVE : Environment.SANDBOX;
        GuardedService service = new GuardedService(client, env, args.length > 2 ? Integer.parseInt(args[2]) : 8090).start();
        Runtime.getRuntime().addShutdownHook(new Thread(service::close));
        System.out.println("guarding http://127.0.0.1:" + service.port() + "/reports (" + env.pathName() + " tokens, "
                + client.entries() + " secrets known)");
    }

    public GuardedService start() {
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void reports(HttpExchange exchange) throws IOException {
        String token = exchange.getRequestHeaders().getFirst("X-Auth-Token");
        Verification.Decision d = token == null ? null
                : client.verify(token, environment, exchange.getRemoteAddress().getAddress());
        if (d != null && d.active()) {
            respond(exchange, 200, "application/json", "{\"account\":\"" + d.entry().getAccountId() + "\",\"reports\":[]}");
        } else {
            String reason = d == null ? "MISSING_TOKEN" : d.reason().name();
            respond(exchange, 401, "application/problem+json", "{\"type\":\"about:blank\",\"title\":\"Unauthorized\","
                    + "\"status\":401,\"detail\":\"token refused: " + reason + "\",\"reason\":\"" + reason + "\"}");
        }
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        client.close();
    }
}
