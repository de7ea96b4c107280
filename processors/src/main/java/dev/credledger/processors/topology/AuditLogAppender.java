package dev.credledger.processors.topology;

import dev.credledger.events.avro.AuditCheckpoint;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.Sha256;
import dev.credledger.events.tlog.Checkpoint;
import dev.credledger.processors.audit.AuditLog;
import dev.credledger.processors.audit.AuditLogSettings;
import java.time.Instant;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The audit log of the task's partition of {@code credential-audit}: the single writer appends each audit record as it
 * writes it (the task owns that partition, so the log's order is the partition's), and a log that grew gets a signed
 * checkpoint on {@code credential-audit-checkpoints} one checkpoint interval later (wall clock). The checkpoint
 * punctuation is scheduled only while a log has unsigned records: an idle ledger commits no transaction.
 */
final class AuditLogAppender {

    static final String CHECKPOINTS_SINK = "audit-checkpoints-sink";

    private final AuditLogSettings settings;
    private final ProcessorContext<Object, Object> context;
    private final KeyValueStore<String, byte[]> store;
    private final AuditLog log;
    private Cancellable scheduled;

    AuditLogAppender(AuditLogSettings settings, ProcessorContext<Object, Object> context) {
        this.settings = settings;
        this.context = context;
        this.store = context.getStateStore(Stores.AUDIT_LOG);
        this.log = new AuditLog(store::get);
        if (log.size() > log.lastCheckpointSize()) {
            schedule();
        }
    }

    void append(String account, AuditRecord record) {
        log.append(account, record.getSequence(), record.getHash(), store::put);
        schedule();
    }

    private void schedule() {
        if (scheduled == null) {
            scheduled = context.schedule(settings.checkpointInterval(), PunctuationType.WALL_CLOCK_TIME, this::checkpoint);
        }
    }

    private void checkpoint(long now) {
        scheduled.cancel();
        scheduled = null;
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
