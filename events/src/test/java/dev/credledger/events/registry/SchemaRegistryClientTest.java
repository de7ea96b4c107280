package dev.credledger.events.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.credledger.events.testing.KafkaWithRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The REST client against the embedded registry over real HTTP, on a real in-process broker. */
class SchemaRegistryClientTest {

    @RegisterExtension
    static final KafkaWithRegistry KAFKA = new KafkaWithRegistry();

    private static final Schema V1 = parse("""
            {"type":"record","name":"Thing","namespace":"t","fields":[{"name":"a","type":"string"}]}""");
    private static final Schema V2_WITH_DEFAULT = parse("""
            {"type":"record","name":"Thing","namespace":"t","fields":[{"name":"a","type":"string"},
             {"name":"b","type":"int","default":0}]}""");
    private static final Schema V2_WITHOUT_DEFAULT = parse("""
            {"type":"record","name":"Thing","namespace":"t","fields":[{"name":"a","type":"string"},
             {"name":"c","type":"int"}]}""");

    private final SchemaRegistryClient client = KAFKA.newClient();

    @Test
    void registeringTheSameSchemaTwiceReturnsTheSameId(TestInfo test) {
        String subject = subject(test);
        int first = client.register(subject, V1);
        int again = KAFKA.newClient().register(subject, V1);

        assertThat(again).isEqualTo(first);
        assertThat(client.versions(subject)).containsExactly(1);
    }

    @Test
    void schemaFetchedByIdIsTheRegisteredSchema(TestInfo test) {
        int id = client.register(subject(test), V1);

        assertThat(KAFKA.newClient().schemaById(id)).isEqualTo(V1);
    }

    @Test
    void latestVersionFollowsACompatibleEvolution(TestInfo test) {
        String subject = subject(test);
        client.register(subject, V1);
        int id2 = client.register(subject, V2_WITH_DEFAULT);

        RegisteredSchema latest = client.latest(subject);
        assertThat(latest.version()).isEqualTo(2);
        assertThat(latest.id()).isEqualTo(id2);
        assertThat(latest.schema()).isEqualTo(V2_WITH_DEFAULT);
        assertThat(client.version(subject, "1").schema()).isEqualTo(V1);
        assertThat(client.subjects()).contains(subject);
    }

    @Test
    void lookupFindsTheVersionOfARegisteredSchema(TestInfo test) {
        String subject = subject(test);
        int id = client.register(subject, V1);

        RegisteredSchema found = KAFKA.newClient().lookup(subject, V1);
        assertThat(found.id()).isEqualTo(id);
        assertThat(found.version()).isEqualTo(1);
        assertThatThrownBy(() -> client.lookup(subject, V2_WITH_DEFAULT))
                .isInstanceOf(SchemaRegistryException.SchemaNotFound.class);
    }

    @Test
    void incompatibleSchemaIsRefusedWithSubjectInTheMessage(TestInfo test) {
        String subject = subject(test);
        client.register(subject, V1);

        assertThat(client.isCompatible(subject, V2_WITHOUT_DEFAULT)).isFalse();
        assertThat(client.isCompatible(subject, V2_WITH_DEFAULT)).isTrue();
        assertThatThrownBy(() -> client.register(subject, V2_WITHOUT_DEFAULT))
                .isInstanceOf(SchemaRegistryException.IncompatibleSchema.class)
                .hasMessageContaining(subject)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(409));
    }

    @Test
    void compatibilityLevelNoneAcceptsABreakingChange(TestInfo test) {
        String subject = subject(test);
        client.register(subject, V1);

        assertThat(client.setCompatibility(subject, CompatibilityLevel.NONE)).isEqualTo(CompatibilityLevel.NONE);
        assertThat(client.compatibility(subject)).isEqualTo(CompatibilityLevel.NONE);
        assertThat(client.register(subject, V2_WITHOUT_DEFAULT)).isPositive();
    }

    @Test
    void backwardTransitiveChecksEveryEarlierVersion(TestInfo test) {
        String subject = subject(test);
        client.setCompatibility(subject, CompatibilityLevel.BACKWARD_TRANSITIVE);
        client.register(subject, V1);
        client.register(subject, V2_WITH_DEFAULT);
        // Readable with v2's data (b has a default, c too), but not with v1's data: c has no default.
        Schema v3 = parse("""
                {"type":"record","name":"Thing","namespace":"t","fields":[{"name":"a","type":"string"},
                 {"name":"b","type":"int","default":0},{"name":"c","type":"int"}]}""");

        assertThatThrownBy(() -> client.register(subject, v3))
                .isInstanceOf(SchemaRegistryException.IncompatibleSchema.class);
    }

    @Test
    void unknownSubjectAndUnknownIdAreDistinctErrors(TestInfo test) {
        assertThatThrownBy(() -> client.latest(subject(test)))
                .isInstanceOf(SchemaRegistryException.SubjectNotFound.class)
                .hasMessageContaining(subject(test))
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(40401));
        assertThatThrownBy(() -> client.schemaById(999_999))
                .isInstanceOf(SchemaRegistryException.SchemaNotFound.class)
                .satisfies(e -> assertThat(((SchemaRegistryException) e).errorCode()).isEqualTo(40403));
    }

    @Test
    void missingVersionIsVersionNotFound(TestInfo test) {
        String subject = subject(test);
        client.register(subject, V1);

        assertThatThrownBy(() -> client.version(subject, "7"))
                .isInstanceOf(SchemaRegistryException.VersionNotFound.class)
                .hasMessageContaining(subject).hasMessageContaining("7");
    }

    @Test
    void unreachableRegistryIsReportedAsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        SchemaRegistryClient nowhere = new SchemaRegistryClient(new SchemaRegistryClient.Settings(
                URI.create("http://127.0.0.1:" + closedPort), null, null, Duration.ofSeconds(2)));

        assertThatThrownBy(() -> nowhere.register("any-value", V1))
                .isInstanceOf(SchemaRegistryException.Unreachable.class)
                .hasMessageContaining("127.0.0.1:" + closedPort)
                .hasMessageContaining("any-value");
    }

    @Test
    void concurrentRegistrationOfTheSameSchemaFromTwoThreadsGetsOneId(TestInfo test) throws Exception {
        String subject = subject(test);
        CyclicBarrier start = new CyclicBarrier(2);
        Callable<Integer> register = () -> {
            SchemaRegistryClient own = KAFKA.newClient();
            start.await();
            return own.register(subject, V1);
        };
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            List<Future<Integer>> ids = pool.invokeAll(List.of(register, register));
            assertThat(ids.get(0).get()).isEqualTo(ids.get(1).get());
        }
        assertThat(client.versions(subject)).containsExactly(1);
    }

    /** A recording stand-in server: the embedded registry has no auth, this only checks what the client sends. */
    @Test
    void basicAuthCredentialsAreSentAsAnAuthorizationHeader() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        HttpServer recorder = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        recorder.createContext("/", exchange -> {
            seen.set(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        recorder.start();
        try {
            SchemaRegistryClient withAuth = new SchemaRegistryClient(new SchemaRegistryClient.Settings(
                    URI.create("http://127.0.0.1:" + recorder.getAddress().getPort()), "alice:s3cret", null,
                    Duration.ofSeconds(5)));
            withAuth.subjects();
        } finally {
            recorder.stop(0);
        }
        assertThat(seen.get()).isEqualTo("Basic YWxpY2U6czNjcmV0");
    }

    private static String subject(TestInfo test) {
        return test.getTestMethod().orElseThrow().getName() + "-value";
    }

    private static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }
}
