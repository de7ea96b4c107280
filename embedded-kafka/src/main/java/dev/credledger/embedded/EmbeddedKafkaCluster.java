package dev.credledger.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three (or more) Kafka nodes in KRaft combined mode in this JVM on 127.0.0.1: a real cluster with a controller
 * quorum, replication 3 by default and {@code min.insync.replicas} 2, for tests that lose a broker. A node can be
 * stopped — without a controlled shutdown, as if it crashed — and started again on its data and ports
 * ({@link #stop}, {@link #restart}); the others go on serving.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
    private static final String CONTROLLER_LISTENER = EmbeddedKafkaBroker.CONTROLLER_LISTENER;

    private final Path dir;
    private final int[] ports;
    private final int[] controllerPorts;
    private final KafkaRaftServer[] nodes;

    private EmbeddedKafkaCluster(Path dir, int[] ports, int[] controllerPorts) {
        this.dir = dir;
        this.ports = ports;
        this.controllerPorts = controllerPorts;
        this.nodes = new KafkaRaftServer[ports.length];
    }

    /** Formats and starts {@code size} nodes (node IDs 1..size) in a temporary directory; returns once all serve. */
    public static EmbeddedKafkaCluster start(int size) {
        if (size < 3) {
            throw new IllegalArgumentException("a cluster here has at least 3 nodes (replication 3, min.insync.replicas 2)");
        }
        try {
            Path dir = Files.createTempDirectory("credledger-cluster-");
            int[] ports = new int[size];
            int[] controllerPorts = new int[size];
            // All chosen while all are held: two nodes never get the same port.
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < size; i++) {
                    ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    ServerSocket b = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    held.add(a);
                    held.add(b);
                    ports[i] = a.getLocalPort();
                    controllerPorts[i] = b.getLocalPort();
                }
            } finally {
                for (ServerSocket socket : held) {
                    socket.close();
                }
            }
            EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(dir, ports, controllerPorts);
            String clusterId = Uuid.randomUuid().toString();
            for (int i = 0; i < size; i++) {
                Path logDir = cluster.logDir(i + 1);
                Files.createDirectories(logDir);
                EmbeddedKafkaBroker.format(logDir, i + 1, clusterId);
            }
            try {
                // Started together: each node's controller waits for a quorum of voters.
                List<Thread> starting = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    int node = i + 1;
                    starting.add(Thread.ofPlatform().start(() -> cluster.startNode(node)));
                }
                for (Thread t : starting) {
                    t.join(java.time.Duration.ofSeconds(150));
                }
                for (int i = 0; i < size; i++) {
                    if (cluster.nodes[i] == null) {
                        throw new IllegalStateException("node " + (i + 1) + " of the embedded cluster did not start");
                    }
                }
                cluster.awaitBrokers(size);
            } catch (RuntimeException | InterruptedException e) {
                cluster.close();
                throw e;
            }
            LOG.info("Embedded Kafka cluster of {} nodes at {}", size, cluster.bootstrapServers());
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the embedded Kafka cluster's storage", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the embedded cluster");
        }
    }

    /** Waits until {@code count} brokers are registered, so that topics of replication 3 can be created. */
    public void awaitBrokers(int count) {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                java.util.Map.of("bootstrap.servers", bootstrapServers()))) {
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
            while (true) {
                try {
                    if (admin.describeCluster().nodes().get(5, java.util.concurrent.TimeUnit.SECONDS).size() >= count) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    LOG.debug("Cluster not described yet: {}", e.toString());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("fewer than " + count + " brokers registered after 60 s");
                }
                java.util.concurrent.locks.LockSupport.parkNanos(java.time.Duration.ofMillis(100).toNanos());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    /** Every node's client address. */
    public String bootstrapServers() {
        StringJoiner out = new StringJoiner(",");
        for (int port : ports) {
            out.add("127.0.0.1:" + port);
        }
        return out.toString();
    }

    /** Stops node {@code nodeId} (1-based), as a broker lost: its data stays. */
    public void stop(int nodeId) {
        KafkaRaftServer server = nodes[nodeId - 1];
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            nodes[nodeId - 1] = null;
            LOG.info("Embedded cluster node {} stopped", nodeId);
        }
    }

    /** Starts node {@code nodeId} again on its data and ports. */
    public void restart(int nodeId) {
        if (nodes[nodeId - 1] == null) {
            startNode(nodeId);
        }
    }

    public int size() {
        return nodes.length;
    }

    @Override
    public void close() {
        // All at once: a node stopped after the others would wait minutes for a controller quorum to see it go.
        List<Thread> stopping = new ArrayList<>();
        for (int node = 1; node <= nodes.length; node++) {
            int n = node;
            stopping.add(Thread.ofPlatform().start(() -> {
                try {
                    stop(n);
                } catch (RuntimeException e) {
                    LOG.warn("Stopping node {} failed: {}", n, e.toString());
                }
            }));
        }
        for (Thread t : stopping) {
            try {
                t.join(java.time.Duration.ofSeconds(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LOG.warn("Could not delete the cluster directory {}", dir, e);
        }
    }

    private void startNode(int nodeId) {
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(properties(nodeId), false), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            LOG.warn("Node {} did not start: {}", nodeId, e.toString());
            server.shutdown();
            return;
        }
        nodes[nodeId - 1] = server;
    }

    private Path logDir(int nodeId) {
        return dir.resolve("node-" + nodeId);
    }

    private Properties properties(int nodeId) {
        int i = nodeId - 1;
        StringJoiner voters = new StringJoiner(",");
        for (int n = 0; n < ports.length; n++) {
            voters.add((n + 1) + "@127.0.0.1:" + controllerPorts[n]);
        }
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(nodeId));
        p.put("controller.quorum.voters", voters.toString());
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + ports[i] + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPorts[i]);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + ports[i]);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir(nodeId).toString());
        p.put("default.replication.factor", "3");
        p.put("min.insync.replicas", "2");
        p.put("offsets.topic.replication.factor", "3");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "3");
        p.put("transaction.state.log.min.isr", "2");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "3");
        p.put("share.coordinator.state.topic.min.isr", "2");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        // A lost node is noticed in seconds, not the default 9 s of missed heartbeats to the controller.
        p.put("broker.session.timeout.ms", "4000");
        p.put("broker.heartbeat.interval.ms", "500");
        // A stopped node is lost, not handed over: no controlled shutdown, so its leaderships move only when the
        // controller notices it gone (the session timeout), as after a crash.
        p.put("controlled.shutdown.enable", "false");
        // Startup never waits forever (the default is Long.MAX_VALUE).
        p.put("server.max.startup.time.ms", "120000");
        return p;
    }
}
