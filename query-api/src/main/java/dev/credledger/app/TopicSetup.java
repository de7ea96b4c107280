package dev.credledger.app;

import dev.credledger.processors.topology.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the ledger's topics that the cluster lacks; leaves existing ones as they are. */
final class TopicSetup {

    /**
     * Topics the single writer of partition p writes at partition p (keyed by account ID): its audit log of partition
     * p of {@code credential-audit} is that partition's order only if the two have the same partitions.
     */
    private static final List<String> CO_PARTITIONED = List.of(Topics.COMMANDS, Topics.EVENTS, Topics.AUDIT);

    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

    private TopicSetup() {}

    static void ensure(dev.credledger.processors.topology.ClientProperties clients, int partitions, short replicationFactor, Duration revocationRetention) {
        try (Admin admin = Admin.create(clients.config(Map.of()))) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> missing = Topics.definitions(partitions, replicationFactor, revocationRetention).stream()
                    .filter(t -> !existing.contains(t.name())).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
                LOG.info("Created topics {}", missing.stream().map(NewTopic::name).toList());
            }
            checkCoPartitioned(admin, existing, partitions);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot create the ledger's topics: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out creating the ledger's topics on " + clients.bootstrapServers(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        }
    }

    /**
     * Topics created just now have {@code partitions} partitions; only those that existed before are described (a topic
     * just created may not be known yet to every broker of a cluster, and describing it could fail for that alone).
     */
    private static void checkCoPartitioned(Admin admin, Set<String> existing, int partitions)
            throws ExecutionException, TimeoutException, InterruptedException {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        List<String> described = CO_PARTITIONED.stream().filter(existing::contains).toList();
        CO_PARTITIONED.stream().filter(t -> !existing.contains(t)).forEach(t -> counts.put(t, partitions));
        if (!described.isEmpty()) {
            admin.describeTopics(described).allTopicNames().get(60, TimeUnit.SECONDS)
                    .forEach((name, d) -> counts.put(name, d.partitions().size()));
        }
        if (counts.values().stream().distinct().count() > 1) {
            throw new IllegalStateException("The topics " + CO_PARTITIONED + " must have the same number of partitions "
                    + "(each account's commands, events and audit records share one); found " + counts);
        }
    }
}
