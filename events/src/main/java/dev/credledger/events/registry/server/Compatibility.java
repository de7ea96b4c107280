package dev.credledger.events.registry.server;

import dev.credledger.events.registry.CompatibilityLevel;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/** Avro schema compatibility by the registry's levels, with Avro's own reader/writer rules. */
final class Compatibility {

    private Compatibility() {}

    /**
     * What makes {@code candidate} incompatible with {@code previous} (oldest first) at {@code level};
     * empty if it is compatible. Non-transitive levels look at the latest previous schema only.
     */
    static List<String> problems(CompatibilityLevel level, Schema candidate, List<Schema> previous) {
        List<String> problems = new ArrayList<>();
        if (level == CompatibilityLevel.NONE || previous.isEmpty()) {
            return problems;
        }
        List<Schema> against = level.transitive() ? previous : List.of(previous.getLast());
        for (Schema old : against) {
            if (level.checksBackward()) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, old), "read data written with", problems);
            }
            if (level.checksForward()) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(old, candidate), "be read by", problems);
            }
        }
        return problems;
    }

    private static void describe(SchemaPairCompatibility result, String direction, List<String> problems) {
        if (result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        result.getResult().getIncompatibilities().forEach(i -> problems.add(
                "new schema cannot " + direction + " an earlier version: " + i.getType() + " at " + i.getLocation()
                        + " (" + i.getMessage() + ")"));
    }
}
