package dev.credledger.processors.history;

import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.CredentialEvent;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.EventMetadata;
import dev.credledger.events.model.SecretRef;
import dev.credledger.processors.domain.AccountState;
import dev.credledger.processors.domain.ApiAccess;
import dev.credledger.processors.domain.Credential;
import dev.credledger.processors.domain.InMemoryLedgerState;
import dev.credledger.processors.domain.Ledger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * One account's events folded in sequence order: the state the processors would hold after them (by
 * {@link Ledger#replaying}, the same {@code Evolver}), plus, for each fact, the event that made it true.
 * Feed it events oldest first; ask for {@link #state(Instant)} at any point.
 */
public final class AccountReplay {

    /** The event that made a fact true. */
    private record Since(Instant at, UUID eventId) {}

    private final AccountId account;
    private final InMemoryLedgerState state;
    private final Ledger ledger;
    private final Map<String, Since> facts;
    private long events;
    private long sequence;
    private Instant lastAt;

    public AccountReplay(AccountId account) {
        this(account, new InMemoryLedgerState(), new HashMap<>(), 0, 0, null);
    }

    private AccountReplay(AccountId account, InMemoryLedgerState state, Map<String, Since> facts, long events,
            long sequence, Instant lastAt) {
        this.account = account;
        this.state = state;
        this.ledger = Ledger.replaying(state);
        this.facts = facts;
        this.events = events;
        this.sequence = sequence;
        this.lastAt = lastAt;
    }

    /** An independent copy: a snapshot to continue folding from later. */
    public AccountReplay copy() {
        return new AccountReplay(account, state.copy(), new HashMap<>(facts), events, sequence, lastAt);
    }

    /** The sequence number of the last event folded (0: none). */
    public long sequence() {
        return sequence;
    }

    /** When the last event folded happened, or {@code null}. */
    public Instant lastEventAt() {
        return lastAt;
    }

    public AccountId account() {
        return account;
    }

    /** How many events have been folded. */
    public long events() {
        return events;
    }

    /** Folds the next event of this account (sequence order). */
    public void apply(CredentialEvent event) {
        EventMetadata m = event.metadata();
        if (!m.accountId().equals(account)) {
            throw new IllegalArgumentException("an event of " + m.accountId() + " replayed into " + account);
        }
        if (m.sequence() != sequence + 1) {
            // A fold that starts late or skips an event would answer a wrong state: refuse it.
            throw new HistoryIncomplete(account, sequence + 1, m.sequence());
        }
        ledger.apply(event);
        events++;
        sequence = m.sequence();
        lastAt = m.occurredAt();
        Since since = new Since(m.occurredAt(), m.eventId());
        Environment env = m.environment();
        switch (event) {
            case CredentialEvent.ApiEnabled e -> {
                facts.put(secretKey(e.authToken()), since);
                facts.put(secretKey(e.privateSalt()), since);
            }
            case CredentialEvent.AuthTokenRefreshed e -> {
                facts.put(secretKey(e.newToken()), since);
                if (e.graceUntil() != null) {
                    facts.put("grace|" + e.previousToken().secretId(), since);
                }
            }
            case CredentialEvent.IpAllowed e -> facts.put(ipKey(env, e.cidr()), since);
            case CredentialEvent.ClientCredentialCreated e -> facts.put("credential|" + e.credentialId(), since);
            case CredentialEvent.CredentialDeactivated e -> facts.put("credential|" + e.credentialId(), since);
            case CredentialEvent.CredentialReactivated e -> facts.put("credential|" + e.credentialId(), since);
            case CredentialEvent.CredentialDeleted e -> facts.put("credential|" + e.credentialId(), since);
            case CredentialEvent.PlanChanged e -> facts.put("plan", since);
            case CredentialEvent.AuthTokenGraceEnded e -> { }
            case CredentialEvent.ApiDisabled e -> { }
            case CredentialEvent.IpRemoved e -> { }
            case CredentialEvent.LeakPolicyChanged e -> { }
            case CredentialEvent.DeliveryTargetChanged e -> { }
            case CredentialEvent.LeakReported e -> { }
            case CredentialEvent.CommandRejected e -> { }
            case CredentialEvent.CredentialExpired e -> {
                if (e.credentialId() != null) {
                    facts.put("credential|" + e.credentialId(), since);
                }
            }
            case CredentialEvent.CredentialScopesChanged e -> { }
            case CredentialEvent.CredentialExpiring e -> { }
            case CredentialEvent.CredentialPolicyChanged e -> { }
        }
    }

    /**
     * The state document: {@code accountId, asOf, plan, leakPolicy, version, environments{sandbox,live}}, each
     * environment {@code apiEnabled, authToken, graceToken, privateSalt, allowedIps[], credentials[]}; each
     * secret {@code id, prefix, fingerprint, since, eventId} or null. Never a plaintext: the ledger has none.
     */
    public Map<String, Object> state(Instant asOf) {
        AccountState a = state.account(account);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("accountId", account.value());
        out.put("asOf", asOf.toString());
        out.put("plan", a.plan().name());
        out.put("leakPolicy", a.leakMode().name().toLowerCase(java.util.Locale.ROOT));
        Map<String, Object> policy = new LinkedHashMap<>();
        policy.put("maxAgeDays", a.policy().maxAgeDays());
        policy.put("expiryWarningDays", a.policy().expiryWarningDays());
        policy.put("requireExpiry", a.policy().requireExpiry());
        out.put("credentialPolicy", policy);
        out.put("version", a.stateVersion());
        Map<String, Object> environments = new LinkedHashMap<>();
        for (Environment env : Environment.values()) {
            environments.put(env.pathName(), environment(env));
        }
        out.put("environments", environments);
        return out;
    }

    private Map<String, Object> environment(Environment env) {
        ApiAccess access = state.access(account, env);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("apiEnabled", access.enabled());
        Map<String, Object> token = secret(access.token(), facts.get(secretKeyOrNull(access.token())));
        if (token != null) {
            token.put("expiresAt", access.tokenExpiresAt() == null ? null : access.tokenExpiresAt().toString());
            token.put("expired", access.tokenExpired());
        }
        out.put("authToken", token);
        out.put("graceToken", access.graceToken() == null ? null : withGraceUntil(
                secret(access.graceToken().token(), facts.get("grace|" + access.graceToken().token().secretId())),
                access.graceToken().graceUntil()));
        out.put("privateSalt", secret(access.salt(), facts.get(secretKeyOrNull(access.salt()))));
        List<Map<String, Object>> ips = new ArrayList<>();
        for (String cidr : access.allowedIps()) {
            Map<String, Object> ip = new LinkedHashMap<>();
            ip.put("cidr", cidr);
            putSince(ip, facts.get(ipKey(env, cidr)));
            ips.add(ip);
        }
        out.put("allowedIps", ips);
        List<Map<String, Object>> credentials = new ArrayList<>();
        for (Credential c : state.credentials(account, env).stream()
                .sorted(Comparator.comparing(Credential::createdAt).thenComparing(Credential::credentialId)).toList()) {
            Map<String, Object> cred = new LinkedHashMap<>();
            cred.put("credentialId", c.credentialId());
            cred.put("name", c.name());
            cred.put("clientId", c.clientId());
            cred.put("status", c.status().name());
            cred.put("secretPrefix", c.secret().prefix());
            cred.put("expiresAt", c.expiresAt() == null ? null : c.expiresAt().toString());
            cred.put("scopes", c.scopes());
            putSince(cred, facts.get("credential|" + c.credentialId()));
            credentials.add(cred);
        }
        out.put("credentials", credentials);
        return out;
    }

    private static Map<String, Object> withGraceUntil(Map<String, Object> secret, Instant graceUntil) {
        secret.put("graceUntil", graceUntil.toString());
        return secret;
    }

    private static Map<String, Object> secret(SecretRef ref, Since since) {
        if (ref == null) {
            return null;
        }
        Map<String, Object> out = Timeline.secret(ref);
        putSince(out, since);
        return out;
    }

    private static void putSince(Map<String, Object> out, Since since) {
        out.put("since", since == null ? null : since.at().toString());
        out.put("eventId", since == null ? null : since.eventId());
    }

    private static String secretKey(SecretRef ref) {
        return "secret|" + ref.secretId();
    }

    private static String secretKeyOrNull(SecretRef ref) {
        return ref == null ? "" : secretKey(ref);
    }

    private static String ipKey(Environment env, String cidr) {
        return "ip|" + env.name().toLowerCase(Locale.ROOT) + "|" + cidr;
    }
}
