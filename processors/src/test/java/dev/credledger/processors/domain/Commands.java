package dev.credledger.processors.domain;

import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Actor;
import dev.credledger.events.model.Channel;
import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.Plan;
import dev.credledger.events.model.RefreshReason;
import dev.credledger.events.secret.IssuedSecret;
import dev.credledger.events.secret.SecretFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Builds commands as the edge would, generating secrets and remembering their plaintexts for leak checks. */
public final class Commands {

    private static final Actor ALICE = new Actor("alice@example.com", "198.51.100.23", "curl/8.5.0", Channel.HTTP_API);

    private final SecretFormat secrets = new SecretFormat();
    private final List<String> issuedPlaintexts = new ArrayList<>();
    private final AccountId account;
    private Long expectedVersion;

    public Commands(String account) {
        this.account = new AccountId(account);
    }

    public AccountId account() {
        return account;
    }

    /** Every plaintext secret these commands were built with: none may appear anywhere the ledger writes. */
    public List<String> issuedPlaintexts() {
        return List.copyOf(issuedPlaintexts);
    }

    /** The next command carries this expected version. */
    public Commands expecting(long version) {
        this.expectedVersion = version;
        return this;
    }

    public CommandMetadata meta() {
        Long expected = expectedVersion;
        expectedVersion = null;
        return new CommandMetadata(UUID.randomUUID(), account, Instant.now(), ALICE, UUID.randomUUID(), expected);
    }

    public Command.EnableApi enable(Environment env) {
        return new Command.EnableApi(meta(), env, issue(CredentialKind.AUTH_TOKEN, env), issue(CredentialKind.PRIVATE_SALT, env));
    }

    public Command.RefreshAuthToken refresh(Environment env, RefreshReason reason, Duration grace) {
        return new Command.RefreshAuthToken(meta(), env, issue(CredentialKind.AUTH_TOKEN, env), reason, grace);
    }

    public Command.DisableApi disable(Environment env) {
        return new Command.DisableApi(meta(), env);
    }

    public Command.CreateClientCredential create(Environment env, String name) {
        return new Command.CreateClientCredential(meta(), env, UUID.randomUUID(), name, secrets.newClientId(env),
                issue(CredentialKind.CLIENT_SECRET, env));
    }

    /** A credential with the expiry and scopes asked for ({@code null}: none asked, unrestricted). */
    public Command.CreateClientCredential create(Environment env, String name, Instant expiresAt, List<String> scopes) {
        return new Command.CreateClientCredential(meta(), env, UUID.randomUUID(), name, secrets.newClientId(env),
                issue(CredentialKind.CLIENT_SECRET, env), expiresAt, scopes);
    }

    public Command.EnableApi enable(Environment env, Instant tokenExpiresAt) {
        return new Command.EnableApi(meta(), env, issue(CredentialKind.AUTH_TOKEN, env), issue(CredentialKind.PRIVATE_SALT, env),
                null, tokenExpiresAt);
    }

    public Command.RefreshAuthToken refresh(Environment env, Duration grace, Instant tokenExpiresAt) {
        return new Command.RefreshAuthToken(meta(), env, issue(CredentialKind.AUTH_TOKEN, env), RefreshReason.ROUTINE, grace,
                tokenExpiresAt);
    }

    public Command.SetCredentialPolicy policy(Integer maxAgeDays, int warningDays, boolean requireExpiry) {
        return new Command.SetCredentialPolicy(meta(), new CredentialPolicy(maxAgeDays, warningDays, requireExpiry));
    }

    public Command.SetCredentialScopes scopes(Environment env, UUID id, List<String> scopes) {
        return new Command.SetCredentialScopes(meta(), env, id, scopes);
    }

    public Command.ExpireSecret expire(Environment env, UUID secretId, UUID credentialId, Instant expiresAt) {
        return new Command.ExpireSecret(meta(), env, secretId, credentialId, expiresAt);
    }

    public Command.WarnOfExpiry warn(Environment env, UUID secretId, UUID credentialId, Instant expiresAt) {
        return new Command.WarnOfExpiry(meta(), env, secretId, credentialId, expiresAt);
    }

    public Command.DeactivateCredential deactivate(Environment env, UUID id) {
        return new Command.DeactivateCredential(meta(), env, id);
    }

    public Command.ReactivateCredential reactivate(Environment env, UUID id) {
        return new Command.ReactivateCredential(meta(), env, id);
    }

    /** A scanner's report of {@code secret}; for an auth token with the replacement the edge generates. */
    public Command.ReportLeak reportLeak(Environment env, dev.credledger.events.model.SecretRef secret, UUID credentialId) {
        return new Command.ReportLeak(meta(), env, secret, credentialId,
                new dev.credledger.events.model.LeakReport("github-key-1", "https://github.com/o/r/blob/abc/.env", "content",
                        "credledger_auth_token"),
                secret.kind() == CredentialKind.AUTH_TOKEN ? issue(CredentialKind.AUTH_TOKEN, env) : null);
    }

    public Command.SetLeakPolicy leakPolicy(dev.credledger.events.model.LeakMode mode) {
        return new Command.SetLeakPolicy(meta(), mode);
    }

    public Command.DeleteCredential delete(Environment env, UUID id) {
        return new Command.DeleteCredential(meta(), env, id);
    }

    public Command.AllowIp allow(Environment env, String cidr) {
        return new Command.AllowIp(meta(), env, cidr);
    }

    public Command.RemoveIp remove(Environment env, String cidr) {
        return new Command.RemoveIp(meta(), env, cidr);
    }

    public Command.ChangePlan plan(Plan plan) {
        return new Command.ChangePlan(meta(), plan);
    }

    public Command.EndGracePeriod endGrace(Environment env, UUID tokenId) {
        return new Command.EndGracePeriod(meta(), env, tokenId);
    }

    private dev.credledger.events.model.SecretRef issue(CredentialKind kind, Environment env) {
        IssuedSecret secret = secrets.issue(kind, env);
        issuedPlaintexts.add(secret.plaintext());
        return secret.ref();
    }
}
