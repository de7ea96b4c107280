package dev.credledger.processors.domain;

import static dev.credledger.events.model.Environment.LIVE;
import static dev.credledger.events.model.Environment.SANDBOX;
import static org.assertj.core.api.Assertions.assertThat;

import dev.credledger.events.model.Environment;
import dev.credledger.events.model.Plan;
import dev.credledger.events.model.RefreshReason;
import dev.credledger.events.model.SecretRef;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The invariant behind the allow-list model: no command ever makes an existing secret valid from more
 * places than before, unless widening is the command's purpose (adding or removing an allow-list entry,
 * reactivating that very credential). "Where a secret works" is nowhere (inactive, revoked) or the
 * allow-list of its environment, where an empty list means everywhere.
 */
class AccessNeverWidensTest {

    /** The fixed scenario every command is tried on, rebuilt for each command. */
    private static final class Scenario {
        final LedgerSpec spec = new LedgerSpec();
        final Commands cmd = new Commands("widen");
        UUID sandboxActive;
        UUID sandboxInactive;
        UUID liveActive;
        UUID sandboxToken;
        SecretRef graceToken;
        SecretRef currentToken;
        SecretRef revokedToken;
        SecretRef salt;
        /** Every secret ever issued to the account, the revoked ones too: none of them may come back to life. */
        final Set<UUID> issued = new java.util.HashSet<>();

        Scenario() {
            spec.given(cmd.plan(Plan.TEAMS));
            var enable = cmd.enable(SANDBOX);
            var compromised = cmd.refresh(SANDBOX, RefreshReason.COMPROMISED, Duration.ZERO);
            var refresh = cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ofHours(1));
            spec.given(enable, cmd.allow(SANDBOX, "203.0.113.0/24"), compromised, refresh);
            revokedToken = enable.authToken();
            sandboxToken = compromised.newToken().secretId();
            graceToken = compromised.newToken();
            currentToken = refresh.newToken();
            salt = enable.privateSalt();
            var a = cmd.create(SANDBOX, "sandbox-active");
            var b = cmd.create(SANDBOX, "sandbox-inactive");
            var d = cmd.create(SANDBOX, "sandbox-deleted");
            spec.given(a, b, cmd.deactivate(SANDBOX, b.credentialId()), d, cmd.delete(SANDBOX, d.credentialId()));
            sandboxActive = a.credentialId();
            sandboxInactive = b.credentialId();
            java.util.stream.Stream.of(enable.authToken(), compromised.newToken(), refresh.newToken(), enable.privateSalt(),
                    a.clientSecret(), b.clientSecret(), d.clientSecret()).forEach(x -> issued.add(x.secretId()));
            // Live: API access never enabled, yet a credential exists and the environment is allow-listed.
            var c = cmd.create(LIVE, "live-active");
            spec.given(c, cmd.allow(LIVE, "198.51.100.0/24"));
            liveActive = c.credentialId();
            issued.add(c.clientSecret().secretId());
        }

        /** Where each secret works, by secret ID: {@code null} nowhere, an empty set everywhere. */
        Map<UUID, Set<String>> reach() {
            Map<UUID, Set<String>> out = new HashMap<>();
            issued.forEach(secret -> out.put(secret, null)); // nowhere, unless found live below
            for (Environment env : Environment.values()) {
                ApiAccess access = spec.state.access(cmd.account(), env);
                Set<String> places = Set.copyOf(access.allowedIps());
                if (access.token() != null) {
                    out.put(access.token().secretId(), places);
                }
                if (access.graceToken() != null) {
                    out.put(access.graceToken().token().secretId(), places);
                }
                for (Credential credential : spec.state.credentials(cmd.account(), env)) {
                    SecretRef secret = credential.secret();
                    out.put(secret.secretId(), credential.status() == CredentialStatus.ACTIVE ? places : null);
                }
            }
            return out;
        }

        UUID secretOf(Environment env, UUID credentialId) {
            return spec.state.credential(cmd.account(), env, credentialId).secret().secretId();
        }
    }

    private record Case(String name, Function<Scenario, Command> command, Function<Scenario, Set<UUID>> mayWiden) {}

    private static final Function<Scenario, Set<UUID>> NONE = s -> Set.of();
    private static final Function<Scenario, Set<UUID>> ALL = s -> s.reach().keySet();

    private static final List<Case> CASES = List.of(
            new Case("enable live", s -> s.cmd.enable(LIVE), NONE),
            new Case("refresh routine with grace", s -> s.cmd.refresh(SANDBOX, RefreshReason.ROUTINE, Duration.ofMinutes(5)), NONE),
            new Case("refresh compromised", s -> s.cmd.refresh(SANDBOX, RefreshReason.COMPROMISED, Duration.ZERO), NONE),
            new Case("disable sandbox", s -> s.cmd.disable(SANDBOX), NONE),
            new Case("create sandbox", s -> s.cmd.create(SANDBOX, "sandbox-new"), NONE),
            new Case("deactivate", s -> s.cmd.deactivate(SANDBOX, s.sandboxActive), NONE),
            new Case("reactivate", s -> s.cmd.reactivate(SANDBOX, s.sandboxInactive),
                    s -> Set.of(s.secretOf(SANDBOX, s.sandboxInactive))),
            new Case("delete active", s -> s.cmd.delete(SANDBOX, s.sandboxActive), NONE),
            new Case("delete inactive", s -> s.cmd.delete(SANDBOX, s.sandboxInactive), NONE),
            new Case("delete live", s -> s.cmd.delete(LIVE, s.liveActive), NONE),
            new Case("allow another block", s -> s.cmd.allow(SANDBOX, "192.0.2.0/24"), ALL),
            new Case("remove the only entry", s -> s.cmd.remove(LIVE, "198.51.100.0/24"), ALL),
            new Case("downgrade to free", s -> s.cmd.plan(Plan.FREE), NONE),
            new Case("change to professional", s -> s.cmd.plan(Plan.PROFESSIONAL), NONE),
            new Case("leak of the current token", s -> s.cmd.reportLeak(SANDBOX, s.currentToken, null), NONE),
            new Case("leak of the grace token", s -> s.cmd.reportLeak(SANDBOX, s.graceToken, null), NONE),
            new Case("leak of the salt", s -> s.cmd.reportLeak(SANDBOX, s.salt, null), NONE),
            new Case("leak of a revoked token", s -> s.cmd.reportLeak(SANDBOX, s.revokedToken, null), NONE),
            new Case("leak of an inactive client secret", s -> s.cmd.reportLeak(SANDBOX,
                    s.spec.state.credential(s.cmd.account(), SANDBOX, s.sandboxInactive).secret(), s.sandboxInactive), NONE),
            new Case("leak of an active client secret", s -> s.cmd.reportLeak(SANDBOX,
                    s.spec.state.credential(s.cmd.account(), SANDBOX, s.sandboxActive).secret(), s.sandboxActive), NONE),
            new Case("leak policy notify", s -> s.cmd.leakPolicy(dev.credledger.events.model.LeakMode.NOTIFY), NONE),
            new Case("a webhook created", s -> new Command.RecordDeliveryChange(s.cmd.meta(), SANDBOX,
                    dev.credledger.events.model.CredentialEvent.DeliveryTargetKind.WEBHOOK, UUID.randomUUID().toString(),
                    dev.credledger.events.model.CredentialEvent.DeliveryChange.CREATED, "https://hooks.example.com",
                    java.util.List.of("credential.revoked"), null, null), NONE),
            new Case("credential policy with a maximum age", s -> s.cmd.policy(30, 7, true), NONE),
            new Case("scopes widened to unrestricted", s -> s.cmd.scopes(SANDBOX, s.sandboxInactive, null), NONE),
            new Case("expiry of the current token, due", s -> {
                s.spec.now = s.spec.now.plus(Duration.ofDays(1));
                return s.cmd.expire(SANDBOX, s.currentToken.secretId(), null, s.spec.now);
            }, NONE),
            new Case("rotation notice", s -> s.cmd.warn(SANDBOX, s.secretOf(SANDBOX, s.sandboxActive), s.sandboxActive,
                    s.spec.now.plus(Duration.ofDays(3))), NONE),
            new Case("end grace period", s -> {
                s.spec.now = s.spec.now.plus(Duration.ofHours(2));
                return s.cmd.endGrace(SANDBOX, s.sandboxToken);
            }, NONE));

    @Test
    void noCommandMakesAnExistingSecretValidFromMorePlacesUnlessThatIsItsPurpose() {
        for (Case c : CASES) {
            Scenario s = new Scenario();
            Map<UUID, Set<String>> before = s.reach();
            Set<UUID> exempt = c.mayWiden().apply(s);

            s.spec.when(c.command().apply(s));

            Map<UUID, Set<String>> after = s.reach();
            before.forEach((secret, was) -> {
                if (!exempt.contains(secret)) {
                    assertThat(widens(was, after.get(secret)))
                            .as("%s: secret %s worked from %s, now from %s", c.name(), secret, describe(was), describe(after.get(secret)))
                            .isFalse();
                }
            });
        }
    }

    @Test
    void everyCommandTypeIsTried() {
        Scenario s = new Scenario();
        Set<Class<?>> tried = CASES.stream().map(c -> c.command().apply(s).getClass()).collect(Collectors.toSet());

        assertThat(tried).containsExactlyInAnyOrderElementsOf(Arrays.asList(Command.class.getPermittedSubclasses()));
    }

    @Test
    void disablingApiAccessKeepsTheEnvironmentsClientCredentialsBehindItsAllowList() {
        Scenario s = new Scenario();
        UUID secret = s.secretOf(SANDBOX, s.sandboxActive);

        s.spec.given(s.cmd.disable(SANDBOX));

        assertThat(s.reach().get(secret)).containsExactly("203.0.113.0/24");
    }

    private static boolean widens(Set<String> before, Set<String> after) {
        if (after == null) {
            return false;
        }
        if (before == null) {
            return true;
        }
        return (after.isEmpty() && !before.isEmpty()) || !before.containsAll(after);
    }

    private static String describe(Set<String> places) {
        return places == null ? "nowhere" : places.isEmpty() ? "everywhere" : places.toString();
    }
}
