package dev.credledger.processors.domain;

import static dev.credledger.events.model.Environment.LIVE;
import static dev.credledger.events.model.Environment.SANDBOX;
import static dev.credledger.processors.domain.LedgerSpec.accepted;
import static dev.credledger.processors.domain.LedgerSpec.rejected;
import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.CredentialRevoked;
import dev.credledger.events.model.Plan;
import dev.credledger.events.model.RevocationReason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Expiry, maximum age, rotation notices and scopes: the rules, as given / when / then. */
class CredentialPolicyTest {

    private final LedgerSpec spec = new LedgerSpec();
    private final Commands cmd = new Commands("acme");

    private static final Instant START = Instant.parse("2026-11-26T12:00:00Z");

    /** A time relative to the start of each test (the spec's clock moves on in some of them). */
    private static Instant inDays(long days) {
        return START.plus(Duration.ofDays(days));
    }

    @Nested
    class Expiry {

        @Test
        void shouldRecordTheExpiryAskedForInTheCreateEvent() {
            var create = cmd.create(SANDBOX, "billing-sync", inDays(30), null);

            var created = (CredentialEvent.ClientCredentialCreated) accepted(spec.when(create)).getFirst();

            assertThat(created.expiresAt()).isEqualTo(inDays(30));
            assertThat(spec.state.credential(cmd.account(), SANDBOX, create.credentialId()).expiresAt()).isEqualTo(inDays(30));
        }

        @Test
        void shouldRefuseAnExpiryThatIsNotInTheFuture() {
            assertThat(rejected(spec.when(cmd.create(SANDBOX, "billing-sync", spec.now, null))))
                    .isEqualTo(RejectionReason.INVALID_COMMAND);
        }

        @Test
        void shouldExpireAnActiveCredentialOnceItsExpiryIsDueAndRevokeItAsExpired() {
            var create = cmd.create(SANDBOX, "billing-sync", inDays(1), null);
            spec.given(create);
            spec.now = inDays(1);

            var events = accepted(spec.when(cmd.expire(SANDBOX, create.clientSecret().secretId(), create.credentialId(), inDays(1))));

            assertThat(events).singleElement().isInstanceOfSatisfying(CredentialEvent.CredentialExpired.class,
                    e -> assertThat(e.revoked()).isTrue());
            assertThat(dev.credledger.processors.domain.Revocations.of(events.getFirst()))
                    .extracting(CredentialRevoked::reason).containsExactly(RevocationReason.EXPIRED);
            assertThat(spec.state.credential(cmd.account(), SANDBOX, create.credentialId()).status())
                    .isEqualTo(CredentialStatus.EXPIRED);
        }

        @Test
        void shouldRecordAnExpiryOnlyOnceAndNotBeforeItIsDue() {
            var create = cmd.create(SANDBOX, "billing-sync", inDays(1), null);
            spec.given(create);
            var expire = cmd.expire(SANDBOX, create.clientSecret().secretId(), create.credentialId(), inDays(1));

            assertThat(accepted(spec.when(expire))).as("not yet due").isEmpty();
            spec.now = inDays(2);
            assertThat(accepted(spec.when(expire))).hasSize(1);
            assertThat(accepted(spec.when(expire))).as("already recorded").isEmpty();
        }

        @Test
        void shouldExpireAnInactiveCredentialWithoutRevokingItAgainAndRefuseItsReactivation() {
            var create = cmd.create(SANDBOX, "billing-sync", inDays(1), null);
            spec.given(create, cmd.deactivate(SANDBOX, create.credentialId()));
            spec.now = inDays(1);

            var expired = (CredentialEvent.CredentialExpired) accepted(spec.when(
                    cmd.expire(SANDBOX, create.clientSecret().secretId(), create.credentialId(), inDays(1)))).getFirst();

            assertThat(expired.revoked()).isFalse();
            assertThat(dev.credledger.processors.domain.Revocations.of(expired)).isEmpty();
            assertThat(rejected(spec.when(cmd.reactivate(SANDBOX, create.credentialId()))))
                    .isEqualTo(RejectionReason.CREDENTIAL_EXPIRED);
        }

        @Test
        void shouldRefuseReactivationOnceTheExpiryHasPassedEvenBeforeItIsRecorded() {
            var create = cmd.create(SANDBOX, "billing-sync", inDays(1), null);
            spec.given(create, cmd.deactivate(SANDBOX, create.credentialId()));
            spec.now = inDays(2);

            assertThat(rejected(spec.when(cmd.reactivate(SANDBOX, create.credentialId()))))
                    .isEqualTo(RejectionReason.CREDENTIAL_EXPIRED);
        }

        @Test
        void shouldLetAnExpiredCredentialBeDeletedAndFreeItsName() {
            var create = cmd.create(SANDBOX, "billing-sync", inDays(1), null);
            spec.given(create);
            spec.now = inDays(1);
            spec.given(cmd.expire(SANDBOX, create.clientSecret().secretId(), create.credentialId(), inDays(1)),
                    cmd.delete(SANDBOX, create.credentialId()));

            assertThat(spec.when(cmd.create(SANDBOX, "billing-sync"))).isInstanceOf(Decision.Accepted.class);
        }

        @Test
        void shouldIgnoreTheExpiryOfADeletedCredential() {
            var create = cmd.create(SANDBOX, "billing-sync", inDays(1), null);
            spec.given(create, cmd.delete(SANDBOX, create.credentialId()));
            spec.now = inDays(1);

            assertThat(accepted(spec.when(cmd.expire(SANDBOX, create.clientSecret().secretId(), create.credentialId(),
                    inDays(1))))).isEmpty();
        }

        @Test
        void shouldCountAnExpiredLiveCredentialAsNoLongerActiveForAPlanDowngrade() {
            spec.given(cmd.plan(Plan.PROFESSIONAL));
            var create = cmd.create(LIVE, "billing-sync", inDays(1), null);
            spec.given(create);
            spec.now = inDays(1);
            spec.given(cmd.expire(LIVE, create.clientSecret().secretId(), create.credentialId(), inDays(1)));

            assertThat(spec.when(cmd.plan(Plan.FREE))).isInstanceOf(Decision.Accepted.class);
        }

        @Test
        void shouldExpireTheCurrentAuthTokenAndLetARefreshReplaceItWithoutRevokingItTwice() {
            var enable = cmd.enable(SANDBOX, inDays(1));
            spec.given(enable);
            spec.now = inDays(1);
            spec.given(cmd.expire(SANDBOX, enable.authToken().secretId(), null, inDays(1)));
            assertThat(spec.state.access(cmd.account(), SANDBOX).tokenExpired()).isTrue();

            var refreshed = (CredentialEvent.AuthTokenRefreshed) accepted(spec.when(cmd.refresh(SANDBOX, Duration.ZERO, null)))
                    .getFirst();

            assertThat(refreshed.previousExpired()).isTrue();
            assertThat(dev.credledger.processors.domain.Revocations.of(refreshed)).isEmpty();
            assertThat(spec.state.access(cmd.account(), SANDBOX).tokenExpired()).isFalse();
        }

        @Test
        void shouldNotRevokeAnExpiredTokenAgainWhenApiAccessIsDisabled() {
            var enable = cmd.enable(SANDBOX, inDays(1));
            spec.given(enable);
            spec.now = inDays(1);
            spec.given(cmd.expire(SANDBOX, enable.authToken().secretId(), null, inDays(1)));

            var disabled = (CredentialEvent.ApiDisabled) accepted(spec.when(cmd.disable(SANDBOX))).getFirst();

            assertThat(disabled.revokedSecrets()).containsExactly(enable.privateSalt());
        }

        @Test
        void shouldNotExpireATokenThatWasRefreshedAway() {
            var enable = cmd.enable(SANDBOX, inDays(1));
            spec.given(enable, cmd.refresh(SANDBOX, Duration.ZERO, null));
            spec.now = inDays(1);

            assertThat(accepted(spec.when(cmd.expire(SANDBOX, enable.authToken().secretId(), null, inDays(1))))).isEmpty();
        }

        @Test
        void shouldEndAGracePeriodNoLaterThanTheRefreshedTokensOwnExpiry() {
            spec.given(cmd.enable(SANDBOX, START.plus(Duration.ofMinutes(10))));

            var refreshed = (CredentialEvent.AuthTokenRefreshed) accepted(spec.when(
                    cmd.refresh(SANDBOX, Duration.ofHours(1), null))).getFirst();

            assertThat(refreshed.graceUntil()).isEqualTo(START.plus(Duration.ofMinutes(10)));
        }
    }

    @Nested
    class MaximumAge {

        @Test
        void shouldGiveNewCredentialsTheMaximumAgeAsTheirExpiry() {
            spec.given(cmd.policy(90, 14, false));

            var created = (CredentialEvent.ClientCredentialCreated) accepted(spec.when(cmd.create(SANDBOX, "billing-sync")))
                    .getFirst();

            assertThat(created.expiresAt()).isEqualTo(inDays(90));
        }

        @Test
        void shouldKeepAShorterExpiryAskedFor() {
            spec.given(cmd.policy(90, 14, false));

            var created = (CredentialEvent.ClientCredentialCreated) accepted(spec.when(
                    cmd.create(SANDBOX, "billing-sync", inDays(30), null))).getFirst();

            assertThat(created.expiresAt()).isEqualTo(inDays(30));
        }

        @Test
        void shouldRefuseAnExpiryBeyondTheMaximumAge() {
            spec.given(cmd.policy(90, 14, false));

            assertThat(rejected(spec.when(cmd.create(SANDBOX, "billing-sync", inDays(91), null))))
                    .isEqualTo(RejectionReason.EXPIRY_BEYOND_POLICY);
            assertThat(rejected(spec.when(cmd.enable(SANDBOX, inDays(91))))).isEqualTo(RejectionReason.EXPIRY_BEYOND_POLICY);
        }

        @Test
        void shouldRefuseACredentialWithoutExpiryWhenThePolicyRequiresOne() {
            spec.given(cmd.policy(null, 7, true));

            assertThat(rejected(spec.when(cmd.create(SANDBOX, "billing-sync")))).isEqualTo(RejectionReason.EXPIRY_REQUIRED);
            assertThat(spec.when(cmd.create(SANDBOX, "billing-sync", inDays(5), null))).isInstanceOf(Decision.Accepted.class);
        }

        @Test
        void shouldGiveTheTokenThatReplacesALeakedOneTheMaximumAgeToo() {
            spec.given(cmd.policy(90, 14, false));
            var enable = cmd.enable(SANDBOX);
            spec.given(enable);

            var refreshed = accepted(spec.when(cmd.reportLeak(SANDBOX, enable.authToken(), null))).stream()
                    .filter(CredentialEvent.AuthTokenRefreshed.class::isInstance)
                    .map(CredentialEvent.AuthTokenRefreshed.class::cast).findFirst().orElseThrow();

            assertThat(refreshed.newTokenExpiresAt()).isEqualTo(inDays(90));
            assertThat(spec.state.access(cmd.account(), SANDBOX).tokenExpiresAt()).isEqualTo(inDays(90));
        }

        @Test
        void shouldRecordNothingWhenTheSamePolicyIsSetAgain() {
            spec.given(cmd.policy(90, 14, false));

            assertThat(accepted(spec.when(cmd.policy(90, 14, false)))).isEmpty();
        }

        @Test
        void shouldNotifyOfAnExpiryOnlyWhileTheSecretIsStillActiveWithThatExpiry() {
            var create = cmd.create(SANDBOX, "billing-sync", inDays(30), null);
            spec.given(create);
            var warn = cmd.warn(SANDBOX, create.clientSecret().secretId(), create.credentialId(), inDays(30));
            spec.now = inDays(23);

            assertThat(accepted(spec.when(warn))).singleElement().isInstanceOf(CredentialEvent.CredentialExpiring.class);

            spec.given(cmd.delete(SANDBOX, create.credentialId()));
            assertThat(accepted(spec.when(warn))).as("rotated away: no notice").isEmpty();
        }

        @Test
        void shouldNotNotifyOfTheExpiryOfATokenReplacedByARefresh() {
            var enable = cmd.enable(SANDBOX, inDays(30));
            spec.given(enable, cmd.refresh(SANDBOX, Duration.ZERO, null));
            spec.now = inDays(23);

            assertThat(accepted(spec.when(cmd.warn(SANDBOX, enable.authToken().secretId(), null, inDays(30))))).isEmpty();
        }
    }

    @Nested
    class Scopes {

        @Test
        void shouldKeepTheScopesOfANewCredential() {
            var create = cmd.create(SANDBOX, "billing-sync", null, List.of("payments:read", "refunds:write"));
            spec.given(create);

            assertThat(spec.state.credential(cmd.account(), SANDBOX, create.credentialId()).scopes())
                    .containsExactly("payments:read", "refunds:write");
        }

        @Test
        void shouldRecordAScopeChangeWithWhatItWasAndNothingWhenUnchanged() {
            var create = cmd.create(SANDBOX, "billing-sync", null, List.of("payments:read", "refunds:write"));
            spec.given(create);

            var changed = (CredentialEvent.CredentialScopesChanged) accepted(spec.when(
                    cmd.scopes(SANDBOX, create.credentialId(), List.of("payments:read")))).getFirst();

            assertThat(changed.previousScopes()).containsExactly("payments:read", "refunds:write");
            assertThat(changed.scopes()).containsExactly("payments:read");
            assertThat(accepted(spec.when(cmd.scopes(SANDBOX, create.credentialId(), List.of("payments:read"))))).isEmpty();
        }

        @Test
        void shouldRefuseScopesForAnUnknownOrDeletedCredential() {
            var create = cmd.create(SANDBOX, "billing-sync");
            spec.given(create, cmd.delete(SANDBOX, create.credentialId()));

            assertThat(rejected(spec.when(cmd.scopes(SANDBOX, create.credentialId(), List.of("a")))))
                    .isEqualTo(RejectionReason.CREDENTIAL_DELETED);
            assertThat(rejected(spec.when(cmd.scopes(SANDBOX, java.util.UUID.randomUUID(), List.of("a")))))
                    .isEqualTo(RejectionReason.CREDENTIAL_NOT_FOUND);
        }
    }
}
