package dev.credledger.processors.domain;

import static dev.credledger.events.model.Environment.LIVE;
import static dev.credledger.events.model.Environment.SANDBOX;
import static dev.credledger.processors.domain.LedgerSpec.accepted;
import static dev.credledger.processors.domain.LedgerSpec.rejected;
import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.CredentialRevoked;
import dev.credledger.events.model.Plan;
import dev.credledger.events.model.RefreshReason;
import dev.credledger.events.model.RevocationReason;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ledger's rules, each as given / when / then. */
class CredentialLedgerTest {

    private final LedgerSpec spec = new LedgerSpec();
    private final Commands cmd = new Commands("acme");

    @Nested
    class ApiAccessLifecycle {

        @Test
        void shouldIssueTokenAndSaltWhenApiIsEnabled() {
            var enable = cmd.enable(SANDBOX);

            var events = accepted(spec.when(enable));

            assertThat(events).singleElement().isEqualTo(new CredentialEvent.ApiEnabled(
                    events.getFirst().metadata(), enable.authToken(), enable.privateSalt()));
            assertThat(spec.state.access(cmd.account(), SANDBOX).enabled()).isTrue();
        }

        @Test
        void shouldRejectEnablingAnEnabledApi() {
            spec.given(cmd.enable(SANDBOX));

            assertThat(rejected(spec.when(cmd.enable(SANDBOX)))).isEqualTo(RejectionReason.API_ALREADY_ENABLED);
        }

        @Test
        void shouldRejectRefreshWhileApiIsDisabled() {
            assertThat(rejected(spec.when(cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ZERO))))
                    .isEqualTo(RejectionReason.API_NOT_ENABLED);
        }

        @Test
        void shouldRejectDisablingAnApiThatIsNotEnabled() {
            assertThat(rejected(spec.when(cmd.disable(SANDBOX)))).isEqualTo(RejectionReason.API_NOT_ENABLED);
        }

        @Test
        void shouldRecordTheRejectionAsAnEventWithReasonAndDetail() {
            var refresh = cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ZERO);

            var decision = (Decision.Rejected) spec.when(refresh);

            assertThat(decision.event().commandId()).isEqualTo(refresh.metadata().commandId());
            assertThat(decision.event().commandType()).isEqualTo("RefreshAuthToken");
            assertThat(decision.event().reasonCode()).isEqualTo("API_NOT_ENABLED");
            assertThat(decision.event().detail()).contains("sandbox");
            assertThat(decision.event().metadata().actor().actorId()).isEqualTo("alice@example.com");
        }
    }

    @Nested
    class Disable {

        @Test
        void shouldRevokeTokenAndSaltInOneEventWithOneRevocationPerSecretAndKeepTheAllowList() {
            var enable = cmd.enable(SANDBOX);
            spec.given(enable, cmd.allow(SANDBOX, "203.0.113.0/24"), cmd.allow(SANDBOX, "2001:db8::1"));

            var events = accepted(spec.when(cmd.disable(SANDBOX)));

            var disabled = (CredentialEvent.ApiDisabled) events.getFirst();
            assertThat(events).hasSize(1);
            assertThat(disabled.revokedSecrets()).containsExactly(enable.authToken(), enable.privateSalt());
            assertThat(disabled.removedIps()).isEmpty();
            assertThat(Revocations.of(disabled)).extracting(r -> r.secret().secretId(), CredentialRevoked::reason)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(enable.authToken().secretId(), RevocationReason.API_DISABLED),
                            org.assertj.core.groups.Tuple.tuple(enable.privateSalt().secretId(), RevocationReason.API_DISABLED));
            ApiAccess after = spec.state.access(cmd.account(), SANDBOX);
            assertThat(after.enabled()).isFalse();
            assertThat(after.allowedIps()).containsExactly("203.0.113.0/24", "2001:db8::1/128");
            assertThat(after.token()).isNull();
        }

        @Test
        void shouldAlsoRevokeATokenStillInItsGracePeriod() {
            var enable = cmd.enable(SANDBOX);
            spec.given(enable, cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ofHours(1)));

            var disabled = (CredentialEvent.ApiDisabled) accepted(spec.when(cmd.disable(SANDBOX))).getFirst();

            assertThat(disabled.revokedSecrets()).hasSize(3).contains(enable.authToken(), enable.privateSalt());
            assertThat(Revocations.of(disabled)).hasSize(3);
        }

        @Test
        void shouldIssueANewTokenAndANewSaltWhenEnabledAgain() {
            var first = cmd.enable(SANDBOX);
            spec.given(first, cmd.disable(SANDBOX));
            var second = cmd.enable(SANDBOX);

            accepted(spec.when(second));

            ApiAccess access = spec.state.access(cmd.account(), SANDBOX);
            assertThat(access.token()).isEqualTo(second.authToken()).isNotEqualTo(first.authToken());
            assertThat(access.salt()).isEqualTo(second.privateSalt()).isNotEqualTo(first.privateSalt());
        }
    }

    @Nested
    class Refresh {

        @Test
        void shouldRevokeTheOldTokenAtOnceWithoutGracePeriod() {
            var enable = cmd.enable(SANDBOX);
            spec.given(enable);
            var refresh = cmd.refresh(SANDBOX, RefreshReason.COMPROMISED, Duration.ZERO);

            var refreshed = (CredentialEvent.AuthTokenRefreshed) accepted(spec.when(refresh)).getFirst();

            assertThat(refreshed.previousToken()).isEqualTo(enable.authToken());
            assertThat(refreshed.graceUntil()).isNull();
            assertThat(Revocations.of(refreshed)).singleElement().satisfies(r -> {
                assertThat(r.secret()).isEqualTo(enable.authToken());
                assertThat(r.reason()).isEqualTo(RevocationReason.TOKEN_COMPROMISED);
            });
            assertThat(spec.state.access(cmd.account(), SANDBOX).token()).isEqualTo(refresh.newToken());
            assertThat(spec.state.access(cmd.account(), SANDBOX).graceToken()).isNull();
        }

        @Test
        void shouldKeepTheOldTokenUntilTheGracePeriodEndsThenRevokeIt() {
            var enable = cmd.enable(SANDBOX);
            spec.given(enable);

            var refreshed = (CredentialEvent.AuthTokenRefreshed) accepted(
                    spec.when(cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ofMinutes(10)))).getFirst();

            assertThat(refreshed.graceUntil()).isEqualTo(spec.now.plus(Duration.ofMinutes(10)));
            assertThat(Revocations.of(refreshed)).isEmpty();
            assertThat(spec.state.access(cmd.account(), SANDBOX).graceToken().token()).isEqualTo(enable.authToken());

            spec.now = spec.now.plus(Duration.ofMinutes(9));
            assertThat(accepted(spec.when(cmd.endGrace(SANDBOX, enable.authToken().secretId())))).isEmpty();

            spec.now = spec.now.plus(Duration.ofMinutes(1));
            var ended = accepted(spec.when(cmd.endGrace(SANDBOX, enable.authToken().secretId())));
            assertThat(ended).singleElement().isInstanceOf(CredentialEvent.AuthTokenGraceEnded.class);
            assertThat(Revocations.of(ended.getFirst())).singleElement()
                    .satisfies(r -> assertThat(r.reason()).isEqualTo(RevocationReason.TOKEN_REFRESHED));
            assertThat(spec.state.access(cmd.account(), SANDBOX).graceToken()).isNull();
        }

        @Test
        void shouldEndAnEarlierGracePeriodWhenRefreshedAgain() {
            var enable = cmd.enable(SANDBOX);
            spec.given(enable, cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ofHours(1)));

            var events = accepted(spec.when(cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ofHours(1))));

            assertThat(events).hasSize(2);
            assertThat(events.get(0)).isInstanceOfSatisfying(CredentialEvent.AuthTokenGraceEnded.class,
                    e -> assertThat(e.revokedToken()).isEqualTo(enable.authToken()));
            assertThat(events.get(1)).isInstanceOf(CredentialEvent.AuthTokenRefreshed.class);
        }

        @ParameterizedTest
        @ValueSource(longs = {-1, 86_401})
        void shouldRejectAGracePeriodOutsideZeroToTwentyFourHours(long seconds) {
            spec.given(cmd.enable(SANDBOX));

            assertThat(rejected(spec.when(cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ofSeconds(seconds)))))
                    .isEqualTo(RejectionReason.GRACE_PERIOD_NOT_ALLOWED);
        }

        @Test
        void shouldRejectAGracePeriodForACompromisedToken() {
            spec.given(cmd.enable(SANDBOX));

            assertThat(rejected(spec.when(cmd.refresh(SANDBOX, RefreshReason.COMPROMISED, Duration.ofMinutes(5)))))
                    .isEqualTo(RejectionReason.GRACE_PERIOD_NOT_ALLOWED);
        }
    }

    @Nested
    class Plans {

        @Test
        void shouldRejectLiveApiOnTheFreePlan() {
            assertThat(rejected(spec.when(cmd.enable(LIVE)))).isEqualTo(RejectionReason.PLAN_REQUIRED);
        }

        @Test
        void shouldAllowSandboxOnTheFreePlan() {
            accepted(spec.when(cmd.enable(SANDBOX)));
            accepted(spec.when(cmd.create(SANDBOX, "billing-sync")));
        }

        @ParameterizedTest
        @ValueSource(strings = {"PROFESSIONAL", "TEAMS"})
        void shouldAllowLiveApiAndCredentialsOnPaidPlans(String plan) {
            spec.given(cmd.plan(Plan.valueOf(plan)));

            accepted(spec.when(cmd.enable(LIVE)));
            accepted(spec.when(cmd.create(LIVE, "billing-sync")));
        }

        @Test
        void shouldRejectLiveCredentialOnTheFreePlan() {
            assertThat(rejected(spec.when(cmd.create(LIVE, "billing-sync")))).isEqualTo(RejectionReason.PLAN_REQUIRED);
        }

        @Test
        void shouldRejectDowngradeToFreeWhileLiveApiIsEnabled() {
            spec.given(cmd.plan(Plan.TEAMS), cmd.enable(LIVE));

            assertThat(rejected(spec.when(cmd.plan(Plan.FREE)))).isEqualTo(RejectionReason.LIVE_SECRETS_ACTIVE);
        }

        @Test
        void shouldRejectDowngradeToFreeWhileALiveCredentialIsActive() {
            spec.given(cmd.plan(Plan.PROFESSIONAL));
            spec.given(cmd.create(LIVE, "billing-sync"));

            assertThat(rejected(spec.when(cmd.plan(Plan.FREE)))).isEqualTo(RejectionReason.LIVE_SECRETS_ACTIVE);
        }

        @Test
        void shouldAllowDowngradeOnceNoLiveSecretIsActiveAndThenKeepInactiveOnesInactive() {
            spec.given(cmd.plan(Plan.PROFESSIONAL), cmd.enable(LIVE), cmd.disable(LIVE));
            var created = cmd.create(LIVE, "billing-sync");
            spec.given(created, cmd.deactivate(LIVE, created.credentialId()));

            var events = accepted(spec.when(cmd.plan(Plan.FREE)));

            assertThat(events).singleElement().isEqualTo(new CredentialEvent.PlanChanged(
                    events.getFirst().metadata(), Plan.PROFESSIONAL, Plan.FREE));
            assertThat(rejected(spec.when(cmd.reactivate(LIVE, created.credentialId()))))
                    .isEqualTo(RejectionReason.PLAN_REQUIRED);
            accepted(spec.when(cmd.delete(LIVE, created.credentialId())));
        }

        @Test
        void shouldAcceptSettingTheCurrentPlanWithoutAnEvent() {
            assertThat(accepted(spec.when(cmd.plan(Plan.FREE)))).isEmpty();
        }

        @Test
        void planChangeIsAccountWideWithoutEnvironment() {
            var events = accepted(spec.when(cmd.plan(Plan.TEAMS)));

            assertThat(events.getFirst().metadata().environment()).isNull();
        }
    }

    @Nested
    class CredentialNamesRule {

        @ParameterizedTest
        @ValueSource(strings = {"short", "has space", "dots.not.ok", "ünïcode", "", "x1234567890123456789012345678901234567890123456789012345678901234"})
        void shouldRejectInvalidNames(String name) {
            assertThat(rejected(spec.when(cmd.create(SANDBOX, name)))).isEqualTo(RejectionReason.NAME_INVALID);
        }

        @ParameterizedTest
        @ValueSource(strings = {"abcdef", "billing-sync", "Billing_Sync_2", "x12345678901234567890123456789012345678901234567890123456789012"})
        void shouldAcceptValidNames(String name) {
            accepted(spec.when(cmd.create(SANDBOX, name)));
        }

        @Test
        void shouldRejectASecretPastedAsTheName() {
            String secret = new dev.credledger.events.secret.SecretFormat()
                    .issue(dev.credledger.events.model.CredentialKind.CLIENT_SECRET, SANDBOX).plaintext();

            assertThat(rejected(spec.when(cmd.create(SANDBOX, secret)))).isEqualTo(RejectionReason.NAME_INVALID);
        }

        @Test
        void shouldRejectANameTakenByAnActiveOrInactiveCredential() {
            var first = cmd.create(SANDBOX, "billing-sync");
            spec.given(first, cmd.deactivate(SANDBOX, first.credentialId()));

            assertThat(rejected(spec.when(cmd.create(SANDBOX, "billing-sync")))).isEqualTo(RejectionReason.NAME_TAKEN);
        }

        @Test
        void shouldAllowReusingANameAfterDelete() {
            var first = cmd.create(SANDBOX, "billing-sync");
            spec.given(first, cmd.delete(SANDBOX, first.credentialId()));

            accepted(spec.when(cmd.create(SANDBOX, "billing-sync")));
        }

        @Test
        void shouldAllowTheSameNameInTheOtherEnvironment() {
            spec.given(cmd.plan(Plan.TEAMS), cmd.create(SANDBOX, "billing-sync"));

            accepted(spec.when(cmd.create(LIVE, "billing-sync")));
        }
    }

    @Nested
    class DeleteIsFinal {

        private UUID deleted() {
            var created = cmd.create(SANDBOX, "billing-sync");
            spec.given(created, cmd.delete(SANDBOX, created.credentialId()));
            return created.credentialId();
        }

        @Test
        void shouldRejectReactivatingADeletedCredential() {
            assertThat(rejected(spec.when(cmd.reactivate(SANDBOX, deleted())))).isEqualTo(RejectionReason.CREDENTIAL_DELETED);
        }

        @Test
        void shouldRejectDeactivatingADeletedCredential() {
            assertThat(rejected(spec.when(cmd.deactivate(SANDBOX, deleted())))).isEqualTo(RejectionReason.CREDENTIAL_DELETED);
        }

        @Test
        void shouldRejectDeletingADeletedCredential() {
            assertThat(rejected(spec.when(cmd.delete(SANDBOX, deleted())))).isEqualTo(RejectionReason.CREDENTIAL_DELETED);
        }

        @Test
        void shouldRevokeTheSecretOnDeleteAndOnDeactivate() {
            var created = cmd.create(SANDBOX, "billing-sync");
            spec.given(created);

            var deactivated = accepted(spec.when(cmd.deactivate(SANDBOX, created.credentialId()))).getFirst();
            var deletedEvent = accepted(spec.when(cmd.delete(SANDBOX, created.credentialId()))).getFirst();

            assertThat(Revocations.of(deactivated)).singleElement()
                    .satisfies(r -> assertThat(r.reason()).isEqualTo(RevocationReason.CREDENTIAL_DEACTIVATED));
            assertThat(Revocations.of(deletedEvent)).singleElement()
                    .satisfies(r -> assertThat(r.reason()).isEqualTo(RevocationReason.CREDENTIAL_DELETED));
        }

        @Test
        void shouldRejectDeactivatingTwiceAndReactivatingAnActiveCredential() {
            var created = cmd.create(SANDBOX, "billing-sync");
            spec.given(created);

            assertThat(rejected(spec.when(cmd.reactivate(SANDBOX, created.credentialId()))))
                    .isEqualTo(RejectionReason.CREDENTIAL_ALREADY_ACTIVE);
            spec.given(cmd.deactivate(SANDBOX, created.credentialId()));
            assertThat(rejected(spec.when(cmd.deactivate(SANDBOX, created.credentialId()))))
                    .isEqualTo(RejectionReason.CREDENTIAL_ALREADY_INACTIVE);
        }

        @Test
        void shouldRejectAnUnknownCredential() {
            assertThat(rejected(spec.when(cmd.deactivate(SANDBOX, UUID.randomUUID()))))
                    .isEqualTo(RejectionReason.CREDENTIAL_NOT_FOUND);
        }
    }

    @Nested
    class AllowList {

        @Test
        void shouldNormaliseAddressesAndBlocks() {
            spec.given(cmd.enable(SANDBOX));

            spec.given(cmd.allow(SANDBOX, "203.0.113.77/24"), cmd.allow(SANDBOX, " 198.51.100.7 "),
                    cmd.allow(SANDBOX, "2001:DB8:0:0:0:0:0:1"));

            assertThat(spec.state.access(cmd.account(), SANDBOX).allowedIps())
                    .containsExactly("203.0.113.0/24", "198.51.100.7/32", "2001:db8::1/128");
        }

        @ParameterizedTest
        @ValueSource(strings = {"example.com", "256.1.1.1", "10.0.0.1/33", "1.2.3", "::1/129", "010.1.1.1", "1.2.3.4/-1", ""})
        void shouldRejectWhatIsNotAnAddressOrBlock(String cidr) {
            spec.given(cmd.enable(SANDBOX));

            assertThat(rejected(spec.when(cmd.allow(SANDBOX, cidr)))).isEqualTo(RejectionReason.IP_INVALID);
        }

        @Test
        void shouldRejectADuplicateEvenInAnotherNotation() {
            spec.given(cmd.enable(SANDBOX), cmd.allow(SANDBOX, "203.0.113.0/24"));

            assertThat(rejected(spec.when(cmd.allow(SANDBOX, "203.0.113.9/24")))).isEqualTo(RejectionReason.IP_ALREADY_ALLOWED);
        }

        @Test
        void shouldRejectMoreThanTheLimit() {
            spec.given(cmd.enable(SANDBOX));
            for (int i = 0; i < Limits.DEFAULT.maxAllowedIps(); i++) {
                spec.given(cmd.allow(SANDBOX, "10.0." + (i / 250) + "." + (i % 250)));
            }

            assertThat(rejected(spec.when(cmd.allow(SANDBOX, "192.0.2.1")))).isEqualTo(RejectionReason.IP_LIMIT_REACHED);
        }

        @Test
        void shouldRemoveAnEntryGivenInAnyNotationAndRejectRemovingAnAbsentOne() {
            spec.given(cmd.enable(SANDBOX), cmd.allow(SANDBOX, "198.51.100.7"));

            accepted(spec.when(cmd.remove(SANDBOX, "198.51.100.7/32")));
            assertThat(rejected(spec.when(cmd.remove(SANDBOX, "198.51.100.7")))).isEqualTo(RejectionReason.IP_NOT_ALLOWED);
        }

        @Test
        void shouldAllowListAnEnvironmentWhoseApiAccessWasNeverEnabled() {
            spec.given(cmd.allow(SANDBOX, "192.0.2.1"));

            assertThat(spec.state.access(cmd.account(), SANDBOX).allowedIps()).containsExactly("192.0.2.1/32");
            assertThat(spec.state.access(cmd.account(), SANDBOX).enabled()).isFalse();
        }

        @Test
        void shouldKeepTheAllowListAcrossDisableAndEnable() {
            spec.given(cmd.enable(SANDBOX), cmd.allow(SANDBOX, "203.0.113.0/24"), cmd.disable(SANDBOX), cmd.enable(SANDBOX));

            assertThat(spec.state.access(cmd.account(), SANDBOX).allowedIps()).containsExactly("203.0.113.0/24");
        }

        @Test
        void shouldStillRemoveTheEntriesAnApiDisabledEventOfEarlierVersionsNamed() {
            var enable = cmd.enable(SANDBOX);
            var allowed = spec.given(enable, cmd.allow(SANDBOX, "203.0.113.0/24"));
            var m = allowed.getFirst().metadata();
            var old = new dev.credledger.events.model.EventMetadata(java.util.UUID.randomUUID(), m.accountId(), SANDBOX,
                    m.occurredAt(), m.actor(), m.correlationId(), java.util.UUID.randomUUID(), m.sequence() + 1);

            spec.givenEvents(new CredentialEvent.ApiDisabled(old, List.of(enable.authToken(), enable.privateSalt()),
                    List.of("203.0.113.0/24")));

            assertThat(spec.state.access(cmd.account(), SANDBOX).allowedIps()).isEmpty();
        }
    }

    @Nested
    class SandboxAndLiveNeverMix {

        @Test
        void shouldKeepApiAccessPerEnvironment() {
            spec.given(cmd.plan(Plan.TEAMS), cmd.enable(SANDBOX));

            assertThat(spec.state.access(cmd.account(), LIVE).enabled()).isFalse();
            accepted(spec.when(cmd.enable(LIVE)));
            spec.given(cmd.disable(SANDBOX));
            assertThat(spec.state.access(cmd.account(), LIVE).enabled()).isTrue();
        }

        @Test
        void shouldNotFindASandboxCredentialInLive() {
            var created = cmd.create(SANDBOX, "billing-sync");
            spec.given(cmd.plan(Plan.TEAMS), created);

            assertThat(rejected(spec.when(cmd.deactivate(LIVE, created.credentialId()))))
                    .isEqualTo(RejectionReason.CREDENTIAL_NOT_FOUND);
        }

        @Test
        void shouldRejectASandboxSecretInALiveCommand() {
            spec.given(cmd.plan(Plan.TEAMS));
            var sandbox = cmd.enable(SANDBOX);
            var mixed = new Command.EnableApi(cmd.meta(), LIVE, sandbox.authToken(), sandbox.privateSalt());

            assertThat(rejected(spec.when(mixed))).isEqualTo(RejectionReason.INVALID_COMMAND);
        }
    }

    @Nested
    class VersionsAndSequence {

        @Test
        void shouldRejectAStaleExpectedVersionAsConflict() {
            spec.given(cmd.enable(SANDBOX), cmd.allow(SANDBOX, "192.0.2.1"));

            assertThat(rejected(spec.when(cmd.expecting(1).allow(SANDBOX, "192.0.2.2"))))
                    .isEqualTo(RejectionReason.VERSION_CONFLICT);
            accepted(spec.when(cmd.expecting(2).allow(SANDBOX, "192.0.2.2")));
        }

        @Test
        void rejectionsTakeASequenceNumberButDoNotChangeTheStateVersion() {
            spec.given(cmd.enable(SANDBOX));
            rejected(spec.when(cmd.enable(SANDBOX)));

            AccountState account = spec.state.account(cmd.account());
            assertThat(account.sequence()).isEqualTo(2);
            assertThat(account.stateVersion()).isEqualTo(1);
        }

        @Test
        void shouldNumberEventsWithoutGapsAndDeriveTheirIdsFromTheCommand() {
            spec.given(cmd.enable(SANDBOX), cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ofHours(1)));
            var refresh = cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ZERO);
            Slice before = new Slice(spec.state.account(cmd.account()), SANDBOX, spec.state.access(cmd.account(), SANDBOX),
                    null, null);

            List<CredentialEvent> events = accepted(spec.when(refresh));

            assertThat(events).extracting(e -> e.metadata().sequence()).containsExactly(3L, 4L);
            assertThat(events).allSatisfy(e -> assertThat(e.metadata().causationId()).isEqualTo(refresh.metadata().commandId()));
            assertThat(new Decider(Limits.DEFAULT).decide(refresh, before, spec.now).events()).isEqualTo(events);
        }

        @Test
        void eventsNeverGoBackInTimeWithinAnAccount() {
            spec.given(cmd.enable(SANDBOX));
            spec.now = spec.now.minusSeconds(60);

            var events = accepted(spec.when(cmd.allow(SANDBOX, "192.0.2.1")));

            assertThat(events.getFirst().metadata().occurredAt()).isEqualTo(spec.now.plusSeconds(60));
        }
    }

    @Nested
    class LeakReports {

        private dev.credledger.events.model.LeakReport reportOf(CredentialEvent event) {
            return ((CredentialEvent.LeakReported) event).report();
        }

        @Test
        void shouldRevokeALeakedAuthTokenByACompromisedRefreshAndRecordTheReportFirst() {
            var enable = cmd.enable(SANDBOX);
            spec.given(enable);
            var report = cmd.reportLeak(SANDBOX, enable.authToken(), null);

            var events = accepted(spec.when(report));

            assertThat(events).hasSize(2);
            assertThat(events.get(0)).isInstanceOfSatisfying(CredentialEvent.LeakReported.class, e -> {
                assertThat(e.outcome()).isEqualTo(dev.credledger.events.model.LeakOutcome.REVOKED);
                assertThat(e.report().url()).isEqualTo("https://github.com/o/r/blob/abc/.env");
            });
            assertThat(events.get(1)).isEqualTo(new CredentialEvent.AuthTokenRefreshed(events.get(1).metadata(),
                    report.newToken(), enable.authToken(), RefreshReason.COMPROMISED, null));
            assertThat(Revocations.of(events.get(1))).singleElement()
                    .extracting(CredentialRevoked::reason).isEqualTo(RevocationReason.TOKEN_COMPROMISED);
            assertThat(events.get(1).metadata().causationId()).isEqualTo(events.get(0).metadata().causationId());
        }

        @Test
        void shouldEndTheGraceOfALeakedTokenStillInItsGracePeriodAndKeepTheNewToken() {
            var enable = cmd.enable(SANDBOX);
            var refresh = cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ofHours(1));
            spec.given(enable, refresh);

            var events = accepted(spec.when(cmd.reportLeak(SANDBOX, enable.authToken(), null)));

            assertThat(events.get(1)).isEqualTo(new CredentialEvent.AuthTokenGraceEnded(events.get(1).metadata(),
                    enable.authToken(), RefreshReason.COMPROMISED));
            assertThat(spec.state.access(cmd.account(), SANDBOX).token()).isEqualTo(refresh.newToken());
            assertThat(spec.state.access(cmd.account(), SANDBOX).graceToken()).isNull();
        }

        @Test
        void shouldDeactivateALeakedClientSecret() {
            spec.given(cmd.enable(SANDBOX));
            var created = cmd.create(SANDBOX, "billing-sync");
            spec.given(created);

            var events = accepted(spec.when(cmd.reportLeak(SANDBOX, created.clientSecret(), created.credentialId())));

            assertThat(events.get(1)).isEqualTo(new CredentialEvent.CredentialDeactivated(events.get(1).metadata(),
                    created.credentialId(), created.clientSecret()));
        }

        @Test
        void shouldDisableApiAccessWhenThePrivateSaltLeakedBecauseOnlyThatReplacesASalt() {
            var enable = cmd.enable(SANDBOX);
            spec.given(enable);

            var events = accepted(spec.when(cmd.reportLeak(SANDBOX, enable.privateSalt(), null)));

            assertThat(events.get(1)).isInstanceOfSatisfying(CredentialEvent.ApiDisabled.class, e ->
                    assertThat(e.revokedSecrets()).containsExactly(enable.authToken(), enable.privateSalt()));
        }

        @Test
        void shouldOnlyRecordAndRaiseTheReportWhenThePolicyIsNotify() {
            var enable = cmd.enable(SANDBOX);
            spec.given(enable, cmd.leakPolicy(dev.credledger.events.model.LeakMode.NOTIFY));
            long version = spec.state.account(cmd.account()).stateVersion();

            var events = accepted(spec.when(cmd.reportLeak(SANDBOX, enable.authToken(), null)));

            assertThat(events).singleElement().isInstanceOfSatisfying(CredentialEvent.LeakReported.class, e ->
                    assertThat(e.outcome()).isEqualTo(dev.credledger.events.model.LeakOutcome.NOTIFIED));
            assertThat(spec.state.access(cmd.account(), SANDBOX).token()).isEqualTo(enable.authToken());
            assertThat(spec.state.account(cmd.account()).stateVersion()).as("a report changes no state").isEqualTo(version);
        }

        @Test
        void shouldRecordAReportOfARevokedSecretWithoutRevokingAnythingElse() {
            var enable = cmd.enable(SANDBOX);
            var refresh = cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ZERO);
            spec.given(enable, refresh);

            var events = accepted(spec.when(cmd.reportLeak(SANDBOX, enable.authToken(), null)));

            assertThat(events).singleElement().isInstanceOfSatisfying(CredentialEvent.LeakReported.class, e ->
                    assertThat(e.outcome()).isEqualTo(dev.credledger.events.model.LeakOutcome.NOT_ACTIVE));
            assertThat(spec.state.access(cmd.account(), SANDBOX).token()).isEqualTo(refresh.newToken());
        }

        @Test
        void shouldRecordAWebhookChangeForTheAuditTrailWithoutChangingAnyCredentialOrTheVersion() {
            var enable = cmd.enable(SANDBOX);
            spec.given(enable);
            long version = spec.state.account(cmd.account()).stateVersion();
            String id = java.util.UUID.randomUUID().toString();

            var events = accepted(spec.when(new Command.RecordDeliveryChange(cmd.meta(), SANDBOX,
                    CredentialEvent.DeliveryTargetKind.WEBHOOK, id, CredentialEvent.DeliveryChange.SECRET_ROTATED,
                    "https://hooks.example.com", java.util.List.of("credential.revoked"), null, null)));

            assertThat(events).singleElement().isEqualTo(new CredentialEvent.DeliveryTargetChanged(
                    events.getFirst().metadata(), CredentialEvent.DeliveryTargetKind.WEBHOOK, id,
                    CredentialEvent.DeliveryChange.SECRET_ROTATED, "https://hooks.example.com",
                    java.util.List.of("credential.revoked"), null, null));
            assertThat(spec.state.access(cmd.account(), SANDBOX).token()).isEqualTo(enable.authToken());
            assertThat(spec.state.account(cmd.account()).stateVersion()).as("an If-Match still holds").isEqualTo(version);
        }

        @Test
        void shouldChangeThePolicyOnceAndAcceptSettingTheSamePolicyWithoutAnEvent() {
            var events = accepted(spec.when(cmd.leakPolicy(dev.credledger.events.model.LeakMode.NOTIFY)));

            assertThat(events).singleElement().isEqualTo(new CredentialEvent.LeakPolicyChanged(events.getFirst().metadata(),
                    dev.credledger.events.model.LeakMode.REVOKE, dev.credledger.events.model.LeakMode.NOTIFY));
            assertThat(accepted(spec.when(cmd.leakPolicy(dev.credledger.events.model.LeakMode.NOTIFY)))).isEmpty();
        }

        @Test
        void shouldWithholdAReportedFieldThatCarriesASecret() {
            var enable = cmd.enable(SANDBOX);
            spec.given(enable);
            String planted = new dev.credledger.events.secret.SecretFormat()
                    .issue(dev.credledger.events.model.CredentialKind.AUTH_TOKEN, SANDBOX).plaintext();

            var report = new dev.credledger.events.model.LeakReport("k", "https://x.example/?t=" + planted, "content", null);
            String encoded = planted.replace("_", "%5F");
            String zeroWidth = planted.substring(0, 5) + "\u200b" + planted.substring(5);
            String spaced = planted.substring(0, 12) + " " + planted.substring(12);

            assertThat(report.url()).doesNotContain(planted).contains("withheld");
            for (String disguised : new String[] {encoded, zeroWidth, spaced, "\u202e" + planted}) {
                assertThat(new dev.credledger.events.model.LeakReport("k", "https://x.example/" + disguised, null, null).url())
                        .as(disguised).contains("withheld");
            }
            assertThat(new dev.credledger.events.model.LeakReport("k", "https://github.com/o/r/blob/"
                    + "12345600b9cbe38a219f39a9941c9319b600c002/foo%20bar.txt", "content\u202e", null))
                    .as("an ordinary URL with a commit hash is kept; a bidi override is dropped")
                    .satisfies(r -> {
                        assertThat(r.url()).endsWith("/foo%20bar.txt");
                        assertThat(r.source()).isEqualTo("content");
                    });
        }
    }

    @Test
    void replayingTheEventsRebuildsTheSameState() {
        var created = cmd.create(SANDBOX, "billing-sync");
        List<CredentialEvent> all = new java.util.ArrayList<>();
        all.addAll(spec.given(cmd.enable(SANDBOX)));
        all.addAll(spec.given(cmd.allow(SANDBOX, "192.0.2.0/24")));
        all.addAll(spec.given(created));
        all.addAll(spec.given(cmd.deactivate(SANDBOX, created.credentialId())));
        all.addAll(spec.when(cmd.enable(SANDBOX)).events());

        var replay = new LedgerSpec();
        replay.givenEvents(all.toArray(CredentialEvent[]::new));

        assertThat(replay.state.account(cmd.account())).isEqualTo(spec.state.account(cmd.account()));
        assertThat(replay.state.access(cmd.account(), SANDBOX)).isEqualTo(spec.state.access(cmd.account(), SANDBOX));
        assertThat(replay.state.credential(cmd.account(), SANDBOX, created.credentialId()))
                .isEqualTo(spec.state.credential(cmd.account(), SANDBOX, created.credentialId()));
    }
}
