package dev.credledger.processors.topology;

import dev.credledger.events.avro.AuditCheckpoint;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.Sha256;
import dev.credledger.events.tlog.Checkpoint;
import dev.credledger.processors.audit.AuditLog;
import dev.credledger.processors.audit.AuditLogSettings;
import java.time.Instant;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Appends every record of its partition of {@code credential-audit} to that partition's audit log, in order, and
 * every checkpoint interval (wall clock) signs a checkpoint of a log that grew and publishes it on
 * {@code credential-audit-checkpoints}. Exactly-once: the tree, the checkpoint and its record commit together.
 */
final class AuditLogProcessor implements Processor<String, AuditRecord, String, AuditCheckpoint> {

    static final String CHECKPOINTS_SINK = "audit-checkpoints-sink";

    private final AuditLogSettings settings;
    private ProcessorContext<String, AuditCheckpoint> context;
    private KeyValueStore<String, byte[]> store;
    private AuditLog log;

    AuditLogProcessor(AuditLogSettings settings) {
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, AuditCheckpoint> context) {
        this.context = context;
        this.store = context.getStateStore(Stores.AUDIT_LOG);
        this.log = new AuditLog(store::get);
        context.schedule(settings.checkpointInterval(), PunctuationType.WALL_CLOCK_TIME, this::checkpoint);
    }

    @Override
    public void process(Record<String, AuditRecord> record) {
        AuditRecord r = record.value();
        if (r == null) {
            return;
        }
        log.append(record.key(), r.getSequence(), r.getHash(), store::put);
    }

    private void checkpoint(long now) {
        long size = log.size();
        if (size == 0 || size == log.lastCheckpointSize()) {
            return;
        }
        String origin = AuditLog.origin(settings.name(), context.taskId().partition());
        byte[] root = log.root(size);
        String note = new Checkpoint(origin, size, root).sign(settings.key());
        log.checkpointed(size, note, store::put);
        context.forward(new Record<>(origin, new AuditCheckpoint(origin, size, new Sha256(root), note, Instant.ofEpochMilli(now)), now),
                CHECKPOINTS_SINK);
    }
}
