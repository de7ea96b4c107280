package dev.credledger.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.events.avro.AllowList;
import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.CredentialEvent;
import dev.credledger.events.avro.CredentialRevoked;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.avro.command.CommandResult;
import dev.credledger.events.avro.command.CredentialCommand;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The evolution rule of every topic's schema: backward-transitive. The current schema must read data
 * written with every released version, kept under {@code src/test/resources/schemas/released/<subject>/vN.avsc}.
 * A breaking change fails here, in the build, before it reaches a registry.
 */
class SchemaEvolutionTest {

    private static final Map<String, Schema> CURRENT = Map.ofEntries(
            Map.entry("credential-events-value", CredentialEvent.getClassSchema()),
            Map.entry("credential-revocations-value", CredentialRevoked.getClassSchema()),
            Map.entry("credential-commands-value", CredentialCommand.getClassSchema()),
            Map.entry("credential-command-results-value", CommandResult.getClassSchema()),
            Map.entry("credential-audit-value", AuditRecord.getClassSchema()),
            Map.entry("credential-token-lookup-value", TokenLookup.getClassSchema()),
            Map.entry("credential-allow-lists-value", AllowList.getClassSchema()),
            Map.entry("credential-data-keys-value", dev.credledger.events.avro.WrappedDataKey.getClassSchema()),
            Map.entry("credential-signing-salts-value", dev.credledger.events.avro.SigningSalt.getClassSchema()),
            Map.entry("credential-enforcement-acks-value", dev.credledger.events.avro.EnforcementAck.getClassSchema()),
            Map.entry("credential-audit-checkpoints-value", dev.credledger.events.avro.AuditCheckpoint.getClassSchema()),
            Map.entry("credential-usage-value", dev.credledger.events.avro.CredentialUsage.getClassSchema()),
            Map.entry("credential-verifications-value", dev.credledger.events.avro.VerificationCounts.getClassSchema()),
            Map.entry("credential-delivery-targets-value", dev.credledger.events.avro.DeliveryTarget.getClassSchema()),
            Map.entry("credential-delivery-state-value", dev.credledger.events.avro.DeliveryState.getClassSchema()));

    static Stream<Arguments> releasedVersions() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (var entry : CURRENT.entrySet()) {
            for (int v = 1; ; v++) {
                Schema released = released(entry.getKey(), v);
                if (released == null) {
                    break;
                }
                out.add(Arguments.of(entry.getKey(), v, released));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} v{1}")
    @MethodSource("releasedVersions")
    void currentSchemaReadsDataWrittenWithEveryReleasedVersion(String subject, int version, Schema released) {
        var result = SchemaCompatibility.checkReaderWriterCompatibility(CURRENT.get(subject), released);

        assertThat(result.getType())
                .as("%s cannot read data written with released v%d: %s", subject, version,
                        result.getResult().getIncompatibilities())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    @Test
    void everyTopicSchemaHasAReleasedFirstVersion() throws IOException {
        for (String subject : CURRENT.keySet()) {
            assertThat(released(subject, 1)).as(subject + " v1").isNotNull();
        }
    }

    @Test
    void aFieldAddedWithoutDefaultIsCaughtAsBreaking() throws IOException {
        Schema released = released("credential-revocations-value", 1);
        String broken = CredentialRevoked.getClassSchema().toString()
                .replace("\"fields\":[", "\"fields\":[{\"name\":\"region\",\"type\":\"string\"},");

        var result = SchemaCompatibility.checkReaderWriterCompatibility(new Schema.Parser().parse(broken), released);

        assertThat(result.getType()).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    private static Schema released(String subject, int version) throws IOException {
        try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream(
                "/schemas/released/" + subject + "/v" + version + ".avsc")) {
            return in == null ? null : new Schema.Parser().parse(in);
        }
    }
}
