package dev.credledger.processors.topology;

import static dev.credledger.events.model.Environment.LIVE;
import static dev.credledger.events.model.Environment.SANDBOX;
import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.CredentialEvent;
import dev.credledger.events.avro.CredentialRevoked;
import dev.credledger.events.avro.Outcome;
import dev.credledger.events.avro.TokenLookup;
import dev.credledger.events.avro.TokenStatus;
import dev.credledger.events.avro.command.AllowIp;
import dev.credledger.events.avro.command.CommandResult;
import dev.credledger.events.avro.command.CredentialCommand;
import dev.credledger.events.avro.state.ApiAccessState;
import dev.credledger.events.avro.state.CredentialState;
import dev.credledger.events.model.Plan;
import dev.credledger.events.model.RefreshReason;
import dev.credledger.events.testing.KafkaWithRegistry;
import dev.credledger.processors.audit.AuditChain;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.domain.Commands;
import dev.credledger.processors.wire.CommandCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The production topology in a {@code TopologyTestDriver}. Serdes talk to the real embedded schema
 * registry (on a real broker), so the bytes are the ones production writes.
 */
class LedgerTopologyTest {

    @RegisterExtension
    static final KafkaWithRegistry KAFKA = new KafkaWithRegistry();

    private LedgerDriver ledger;
    private final Commands cmd = new Commands("acme");

    @BeforeEach
    void start() throws Exception {
        ledger = new LedgerDriver(KAFKA.newClient(), Instant.parse("2026-11-26T12:00:00Z"));
    }

    @AfterEach
    void stop() {
        ledger.close();
    }

    @Nested
    class EveryCommandsHappyPath {

        @Test
        void enableRefreshAllowRemoveDisableAreAcceptedAndRecordedAsEvents() {
            List<Command> script = List.of(cmd.enable(SANDBOX), cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ZERO),
                    cmd.allow(SANDBOX, "203.0.113.0/24"), cmd.remove(SANDBOX, "203.0.113.0/24"), cmd.disable(SANDBOX));

            for (Command command : script) {
                CommandResult result = ledger.submit(command);
                assertThat(result.getOutcome()).as(command.type()).isEqualTo(Outcome.ACCEPTED);
                assertThat(result.getCommandId()).isEqualTo(command.metadata().commandId());
            }

            assertThat(ledger.events.readValuesToList()).extracting(e -> e.getPayload().getClass().getSimpleName())
                    .containsExactly("ApiEnabled", "AuthTokenRefreshed", "IpAllowed", "IpRemoved", "ApiDisabled");
        }

        @Test
        void credentialLifecycleAndPlanChangeAreAcceptedAndShownInTheView() {
            var create = cmd.create(LIVE, "billing-sync");
            List<Command> script = List.of(cmd.plan(Plan.TEAMS), create, cmd.deactivate(LIVE, create.credentialId()),
                    cmd.reactivate(LIVE, create.credentialId()), cmd.delete(LIVE, create.credentialId()));

            for (Command command : script) {
                assertThat(ledger.submit(command).getOutcome()).as(command.type()).isEqualTo(Outcome.ACCEPTED);
            }

            KeyValueStore<String, CredentialState> view = ledger.store(Stores.COMMAND_CREDENTIALS);
            CredentialState shown = view.get(Keys.credential(cmd.account(), LIVE, create.credentialId()));
            assertThat(shown.getName()).isEqualTo("billing-sync");
            assertThat(shown.getStatus().name()).isEqualTo("DELETED");
            assertThat(shown.getSecret().getPrefix()).isEqualTo(create.clientSecret().prefix());
        }

        @Test
        void credentialsOfOneAccountAndEnvironmentListTogetherByPrefix() {
            ledger.submit(cmd.plan(Plan.TEAMS));
            ledger.submit(cmd.create(SANDBOX, "first-one"));
            ledger.submit(cmd.create(SANDBOX, "second-one"));
            ledger.submit(cmd.create(LIVE, "live-one"));
            ledger.submit(new Commands("acme-other").create(SANDBOX, "not-mine"));

            KeyValueStore<String, CredentialState> view = ledger.store(Stores.COMMAND_CREDENTIALS);
            List<String> names = new ArrayList<>();
            try (KeyValueIterator<String, CredentialState> it = view.prefixScan(
                    Keys.credentialPrefix(cmd.account(), SANDBOX), new org.apache.kafka.common.serialization.StringSerializer())) {
                it.forEachRemaining(kv -> names.add(kv.value.getName()));
            }
            assertThat(names).containsExactlyInAnyOrder("first-one", "second-one");
        }
    }

    @Nested
    class Rejections {

        @Test
        void rejectedCommandGetsReasonAndIsRecordedAsAnEventAndAnAuditRecord() {
            CommandResult result = ledger.submit(cmd.enable(LIVE));

            assertThat(result.getOutcome()).isEqualTo(Outcome.REJECTED);
            assertThat(result.getReasonCode()).isEqualTo("PLAN_REQUIRED");
            assertThat(result.getDetail()).contains("PROFESSIONAL");
            assertThat(ledger.events.readValue().getPayload())
                    .isInstanceOf(dev.credledger.events.avro.CommandRejected.class);
            AuditRecord audit = ledger.audit.readValue();
            assertThat(audit.getOutcome()).isEqualTo(Outcome.REJECTED);
            assertThat(audit.getReasonCode()).isEqualTo("PLAN_REQUIRED");
            assertThat(audit.getActor().getActorId()).isEqualTo("alice@example.com");
            assertThat(audit.getActor().getSourceIp()).isEqualTo("198.51.100.23");
        }

        @Test
        void everyCommandTypeHasARejectionThatReachesTheResultsAndTheEvents() {
            var ghost = java.util.UUID.randomUUID();
            Map<Command, String> expected = new java.util.LinkedHashMap<>();
            expected.put(cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ZERO), "API_NOT_ENABLED");
            expected.put(cmd.disable(SANDBOX), "API_NOT_ENABLED");
            expected.put(cmd.allow(SANDBOX, "192.0.2.1/33"), "IP_INVALID");
            expected.put(cmd.remove(SANDBOX, "not-an-ip"), "IP_INVALID");
            expected.put(cmd.create(SANDBOX, "bad name"), "NAME_INVALID");
            expected.put(cmd.deactivate(SANDBOX, ghost), "CREDENTIAL_NOT_FOUND");
            expected.put(cmd.reactivate(SANDBOX, ghost), "CREDENTIAL_NOT_FOUND");
            expected.put(cmd.delete(SANDBOX, ghost), "CREDENTIAL_NOT_FOUND");
            expected.put(cmd.expecting(99).plan(Plan.TEAMS), "VERSION_CONFLICT");
            expected.put(cmd.enable(LIVE), "PLAN_REQUIRED");

            expected.forEach((command, reason) -> {
                CommandResult result = ledger.submit(command);
                assertThat(result.getOutcome()).as(command.type()).isEqualTo(Outcome.REJECTED);
                assertThat(result.getReasonCode()).as(command.type()).isEqualTo(reason);
                assertThat(result.getCommandType()).isEqualTo(command.type());
            });
            assertThat(ledger.events.readValuesToList()).hasSize(expected.size())
                    .allSatisfy(e -> assertThat(e.getPayload()).isInstanceOf(dev.credledger.events.avro.CommandRejected.class));
            assertThat(ledger.revocations.isEmpty()).isTrue();
        }

        @Test
        void staleExpectedVersionIsRejectedAsConflict() {
            ledger.submit(cmd.enable(SANDBOX));

            CommandResult result = ledger.submit(cmd.expecting(0).disable(SANDBOX));

            assertThat(result.getReasonCode()).isEqualTo("VERSION_CONFLICT");
            assertThat(result.getStateVersion()).isEqualTo(1);
        }
    }

    @Nested
    class Revocations {

        @Test
        void disableWithATokenInGraceEmitsOneRevocationPerSecretExactlyOnce() {
            var enable = cmd.enable(SANDBOX);
            ledger.submit(enable);
            ledger.submit(cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ofHours(1)));
            assertThat(ledger.revocations.isEmpty()).isTrue();

            ledger.submit(cmd.disable(SANDBOX));

            List<CredentialRevoked> revoked = ledger.revocations.readValuesToList();
            assertThat(revoked).hasSize(3);
            assertThat(revoked).extracting(CredentialRevoked::getCredentialId).doesNotHaveDuplicates()
                    .contains(enable.authToken().secretId(), enable.privateSalt().secretId());
            assertThat(revoked).extracting(r -> r.getReason().name()).containsOnly("API_DISABLED");
        }

        @Test
        void revocationIsKeyedByFingerprintAndCarriesNoSecret() {
            var enable = cmd.enable(SANDBOX);
            ledger.submit(enable);
            ledger.submit(cmd.refresh(SANDBOX, RefreshReason.COMPROMISED, Duration.ZERO));

            TestRecord<String, CredentialRevoked> record = ledger.revocations.readRecord();
            assertThat(record.key()).isEqualTo(enable.authToken().fingerprint().hex());
            assertThat(record.value().getReason().name()).isEqualTo("TOKEN_COMPROMISED");
            assertThat(record.value().getPrefix()).isEqualTo(enable.authToken().prefix());
            String whole = record.key() + " " + record.value();
            assertThat(cmd.issuedPlaintexts()).hasSizeGreaterThanOrEqualTo(3)
                    .allSatisfy(plaintext -> assertThat(whole).doesNotContain(plaintext));
        }

        @Test
        void repeatedCommandIdGetsTheFirstResultAndChangesNothing() {
            ledger.submit(cmd.enable(SANDBOX));
            var disable = cmd.disable(SANDBOX);
            CommandResult first = ledger.submit(disable);
            ledger.events.readValuesToList();
            ledger.revocations.readValuesToList();

            CommandResult again = ledger.submit(disable);

            assertThat(first.getReplayed()).isFalse();
            assertThat(again.getReplayed()).isTrue();
            assertThat(CommandResult.newBuilder(again).setReplayed(false).build()).isEqualTo(first);
            assertThat(ledger.events.isEmpty()).isTrue();
            assertThat(ledger.revocations.isEmpty()).isTrue();
        }

        @Test
        void aCommandIdIsDecidedAgainAfterTheIdempotencyWindow() {
            ledger.submit(cmd.enable(SANDBOX));
            var disable = cmd.disable(SANDBOX);
            assertThat(ledger.submit(disable).getOutcome()).isEqualTo(Outcome.ACCEPTED);

            ledger.advanceWallClock(LedgerTopology.Settings.DEFAULT.idempotencyWindow().plusMinutes(1));
            CommandResult later = ledger.submit(disable);

            assertThat(later.getReplayed()).isFalse();
            assertThat(later.getOutcome()).isEqualTo(Outcome.REJECTED);
            assertThat(later.getReasonCode()).isEqualTo("API_NOT_ENABLED");
        }

        @Test
        void gracePeriodEndsOnTheWallClockAndPublishesTheRevocationThen() {
            var enable = cmd.enable(SANDBOX);
            ledger.submit(enable);
            ledger.submit(cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ofSeconds(60)));
            ledger.events.readValuesToList();

            ledger.advanceWallClock(Duration.ofSeconds(30));
            assertThat(ledger.revocations.isEmpty()).isTrue();
            ledger.advanceWallClock(Duration.ofSeconds(31));

            assertThat(ledger.events.readValue().getPayload())
                    .isInstanceOf(dev.credledger.events.avro.AuthTokenGraceEnded.class);
            CredentialRevoked revoked = ledger.revocations.readValue();
            assertThat(revoked.getCredentialId()).isEqualTo(enable.authToken().secretId());
            ledger.advanceWallClock(Duration.ofSeconds(5));
            assertThat(ledger.revocations.isEmpty()).isTrue();
        }
    }

    @Nested
    class Views {

        @Test
        void auditChainLinksEveryEventOfTheAccountInOrder() {
            var create = cmd.create(SANDBOX, "billing-sync");
            for (Command c : List.of(cmd.enable(SANDBOX), cmd.enable(SANDBOX), create, cmd.allow(SANDBOX, "192.0.2.1"),
                    cmd.deactivate(SANDBOX, create.credentialId()), cmd.disable(SANDBOX))) {
                ledger.submit(c);
            }

            List<AuditRecord> published = ledger.audit.readValuesToList();
            List<AuditRecord> stored = new ArrayList<>();
            KeyValueStore<String, AuditRecord> store = ledger.store(Stores.VIEW_AUDIT);
            try (KeyValueIterator<String, AuditRecord> it = store.prefixScan(Keys.auditPrefix("acme"),
                    new org.apache.kafka.common.serialization.StringSerializer())) {
                it.forEachRemaining(kv -> stored.add(kv.value));
            }
            assertThat(published).hasSize(6).isEqualTo(stored);
            assertThat(published).extracting(AuditRecord::getSequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(published.getFirst().getPrevHash()).isEqualTo(AuditChain.GENESIS);
            assertThat(AuditChain.firstBreak(published)).isEmpty();
        }

        @Test
        void alteringAnAuditRecordBreaksTheChainAtThatRecord() {
            ledger.submit(cmd.enable(SANDBOX));
            ledger.submit(cmd.allow(SANDBOX, "192.0.2.1"));
            ledger.submit(cmd.disable(SANDBOX));
            List<AuditRecord> records = new ArrayList<>(ledger.audit.readValuesToList());

            records.set(1, AuditRecord.newBuilder(records.get(1)).setActor(
                    AuditRecord.newBuilder(records.get(1)).getActor()).setDetail("edited later").build());

            assertThat(AuditChain.firstBreak(records)).contains(2L);
        }

        @Test
        void tokenLookupAndAllowListFollowTheLifecycleInTheGlobalStores() {
            var enable = cmd.enable(SANDBOX);
            ledger.submit(enable);
            ledger.submit(cmd.allow(SANDBOX, "203.0.113.0/24"));
            KeyValueStore<String, TokenLookup> lookup = ledger.store(Stores.VIEW_TOKEN_LOOKUP);
            KeyValueStore<String, dev.credledger.events.avro.AllowList> allow = ledger.store(Stores.VIEW_ALLOW_LISTS);
            String token = enable.authToken().fingerprint().hex();

            assertThat(lookup.get(token).getStatus()).isEqualTo(TokenStatus.ACTIVE);
            assertThat(lookup.get(token).getAccountId()).isEqualTo("acme");
            assertThat(allow.get(Keys.access(cmd.account(), SANDBOX)).getCidrs()).containsExactly("203.0.113.0/24");

            ledger.submit(cmd.disable(SANDBOX));

            assertThat(lookup.get(token).getStatus()).isEqualTo(TokenStatus.REVOKED);
            assertThat(lookup.get(enable.privateSalt().fingerprint().hex()).getStatus()).isEqualTo(TokenStatus.REVOKED);
            // The allow-list outlives disable: it still governs the environment's client credentials.
            assertThat(allow.get(Keys.access(cmd.account(), SANDBOX)).getCidrs()).containsExactly("203.0.113.0/24");

            ledger.submit(cmd.remove(SANDBOX, "203.0.113.0/24"));

            assertThat(allow.get(Keys.access(cmd.account(), SANDBOX))).isNull();
            KeyValueStore<String, ApiAccessState> access = ledger.store(Stores.COMMAND_API_ACCESS);
            assertThat(access.get(Keys.access(cmd.account(), SANDBOX)).getEnabled()).isFalse();
        }

        @Test
        void deactivatedCredentialIsInactiveInTheLookupAndActiveAgainAfterReactivation() {
            var create = cmd.create(SANDBOX, "billing-sync");
            ledger.submit(create);
            KeyValueStore<String, TokenLookup> lookup = ledger.store(Stores.VIEW_TOKEN_LOOKUP);
            String secret = create.clientSecret().fingerprint().hex();

            ledger.submit(cmd.deactivate(SANDBOX, create.credentialId()));
            assertThat(lookup.get(secret).getStatus()).isEqualTo(TokenStatus.INACTIVE);
            assertThat(lookup.get(secret).getClientId()).isEqualTo(create.clientId());
            ledger.submit(cmd.reactivate(SANDBOX, create.credentialId()));
            assertThat(lookup.get(secret).getStatus()).isEqualTo(TokenStatus.ACTIVE);
            ledger.submit(cmd.delete(SANDBOX, create.credentialId()));
            assertThat(lookup.get(secret).getStatus()).isEqualTo(TokenStatus.REVOKED);
        }
    }

    @Nested
    class PoisonRecords {

        @Test
        void undecodableBytesGoToTheDeadLetterTopicWithTheReasonAndProcessingContinues() {
            ledger.rawCommands.pipeInput("acme", "not avro at all".getBytes(StandardCharsets.UTF_8));

            assertDeadLetter("UNDECODABLE", "magic byte");
            assertThat(ledger.submit(cmd.enable(SANDBOX)).getOutcome()).isEqualTo(Outcome.ACCEPTED);
        }

        @Test
        void unknownSchemaIdGoesToTheDeadLetterTopic() {
            ledger.rawCommands.pipeInput("acme", ByteBuffer.allocate(10).put((byte) 0).putInt(777_777).array());

            assertDeadLetter("UNDECODABLE", "777777");
        }

        @Test
        void commandBreakingItsOwnInvariantsGoesToTheDeadLetterTopic() {
            CredentialCommand bad = CredentialCommand.newBuilder(CommandCodec.toAvro(cmd.allow(SANDBOX, "192.0.2.1")))
                    .setAccountId("not a valid account!").build();

            ledger.commands.pipeInput("not a valid account!", bad);

            assertDeadLetter("INVALID_COMMAND", "account ID");
            assertThat(ledger.results.isEmpty()).isTrue();
        }

        @Test
        void commandKeyedByAnotherAccountGoesToTheDeadLetterTopic() {
            ledger.commands.pipeInput("someone-else", CommandCodec.toAvro(cmd.enable(SANDBOX)));

            assertDeadLetter("KEY_MISMATCH", "account");
            assertThat(ledger.events.isEmpty()).isTrue();
        }

        @Test
        void commandWithoutEnvironmentWhereOneIsNeededGoesToTheDeadLetterTopic() {
            CredentialCommand bad = CredentialCommand.newBuilder(CommandCodec.toAvro(cmd.allow(SANDBOX, "192.0.2.1")))
                    .setEnvironment(null).setPayload(new AllowIp("192.0.2.1")).build();

            ledger.commands.pipeInput("acme", bad);

            assertDeadLetter("INVALID_COMMAND", "environment");
        }

        private void assertDeadLetter(String reason, String errorContains) {
            TestRecord<byte[], byte[]> dead = ledger.deadLetters.readRecord();
            Map<String, String> headers = new java.util.HashMap<>();
            dead.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
            assertThat(headers.get(DeadLetters.REASON)).isEqualTo(reason);
            assertThat(headers.get(DeadLetters.ERROR)).contains(errorContains);
            assertThat(headers.get(DeadLetters.SOURCE)).startsWith(Topics.COMMANDS + "-0@");
        }
    }

    @Test
    void eventsOfAnAccountCarryContiguousSequenceNumbers() {
        ledger.submit(cmd.enable(SANDBOX));
        ledger.submit(cmd.enable(SANDBOX));
        ledger.submit(cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ofHours(1)));
        ledger.submit(cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ZERO));

        List<Long> sequences = ledger.events.readKeyValuesToList().stream()
                .map(kv -> kv.value.getSequence()).collect(Collectors.toList());
        assertThat(sequences).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(ledger.events.isEmpty()).isTrue();
    }
}
