package dev.credledger.processors.wire;

import dev.credledger.events.avro.command.AllowIp;
import dev.credledger.events.avro.command.ChangePlan;
import dev.credledger.events.avro.command.CreateClientCredential;
import dev.credledger.events.avro.command.CredentialCommand;
import dev.credledger.events.avro.command.DeactivateCredential;
import dev.credledger.events.avro.command.DeleteCredential;
import dev.credledger.events.avro.command.DisableApi;
import dev.credledger.events.avro.command.EnableApi;
import dev.credledger.events.avro.command.ReactivateCredential;
import dev.credledger.events.avro.command.RefreshAuthToken;
import dev.credledger.events.avro.command.RemoveIp;
import dev.credledger.events.mapping.AvroToDomain;
import dev.credledger.events.mapping.DomainToAvro;
import dev.credledger.events.mapping.Enums;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.Plan;
import dev.credledger.events.model.RefreshReason;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.domain.CommandMetadata;
import java.time.Duration;

/** Commands to and from {@code credential-commands}. */
public final class CommandCodec {

    private CommandCodec() {}

    /**
     * The command as the edge sends it. {@link Command.EndGracePeriod}, {@link Command.ExpireSecret} and
     * {@link Command.WarnOfExpiry} never travel: the processor issues them to itself.
     */
    public static CredentialCommand toAvro(Command command) {
        CommandMetadata m = command.metadata();
        Object payload = switch (command) {
            case Command.EnableApi c -> new EnableApi(DomainToAvro.secret(c.authToken()), DomainToAvro.secret(c.privateSalt()),
                    DomainToAvro.sealed(c.sealedSalt()), c.tokenExpiresAt());
            case Command.RefreshAuthToken c -> new RefreshAuthToken(DomainToAvro.secret(c.newToken()),
                    Enums.convert(c.reason(), dev.credledger.events.avro.RefreshReason.class), c.grace().toSeconds(),
                    c.tokenExpiresAt());
            case Command.DisableApi c -> new DisableApi();
            case Command.CreateClientCredential c -> new CreateClientCredential(
                    c.credentialId(), c.name(), c.clientId(), DomainToAvro.secret(c.clientSecret()), c.expiresAt(), c.scopes());
            case Command.DeactivateCredential c -> new DeactivateCredential(c.credentialId());
            case Command.ReactivateCredential c -> new ReactivateCredential(c.credentialId());
            case Command.DeleteCredential c -> new DeleteCredential(c.credentialId());
            case Command.AllowIp c -> new AllowIp(c.cidr());
            case Command.RemoveIp c -> new RemoveIp(c.cidr());
            case Command.ChangePlan c -> new ChangePlan(Enums.convert(c.plan(), dev.credledger.events.avro.Plan.class));
            case Command.ReportLeak c -> new dev.credledger.events.avro.command.ReportLeak(DomainToAvro.secret(c.secret()),
                    c.credentialId(), DomainToAvro.leakReport(c.report()),
                    c.newToken() == null ? null : DomainToAvro.secret(c.newToken()));
            case Command.SetLeakPolicy c -> new dev.credledger.events.avro.command.SetLeakPolicy(
                    Enums.convert(c.mode(), dev.credledger.events.avro.LeakMode.class));
            case Command.RecordDeliveryChange c -> new dev.credledger.events.avro.command.RecordDeliveryChange(
                    Enums.convert(c.targetKind(), dev.credledger.events.avro.DeliveryTargetKind.class), c.targetId(),
                    Enums.convert(c.change(), dev.credledger.events.avro.DeliveryChange.class), c.destination(),
                    c.events(), c.receiver(), c.status());
            case Command.SetCredentialPolicy c -> new dev.credledger.events.avro.command.SetCredentialPolicy(
                    c.policy().maxAgeDays(), c.policy().expiryWarningDays(), c.policy().requireExpiry());
            case Command.SetCredentialScopes c -> new dev.credledger.events.avro.command.SetCredentialScopes(
                    c.credentialId(), c.scopes());
            case Command.EndGracePeriod c -> throw internal(c);
            case Command.ExpireSecret c -> throw internal(c);
            case Command.WarnOfExpiry c -> throw internal(c);
        };
        return CredentialCommand.newBuilder()
                .setCommandId(m.commandId())
                .setAccountId(m.accountId().value())
                .setEnvironment(Enums.convert(command.environment(), dev.credledger.events.avro.Environment.class))
                .setIssuedAt(m.issuedAt())
                .setActor(DomainToAvro.actor(m.actor()))
                .setCorrelationId(m.correlationId())
                .setExpectedVersion(m.expectedVersion())
                .setPayload(payload)
                .build();
    }

    private static IllegalArgumentException internal(Command c) {
        return new IllegalArgumentException(c.type() + " is internal to the processor");
    }

    /**
     * The command a record carries. Throws {@link IllegalArgumentException} (or {@link NullPointerException})
     * when it breaks the command's own invariants — a poison record for the dead-letter topic.
     */
    public static Command fromAvro(CredentialCommand a) {
        CommandMetadata m = new CommandMetadata(a.getCommandId(), new AccountId(a.getAccountId()), a.getIssuedAt(),
                AvroToDomain.actor(a.getActor()), a.getCorrelationId(), a.getExpectedVersion());
        Environment env = Enums.convert(a.getEnvironment(), Environment.class);
        Object payload = a.getPayload();
        if (env == null && !(payload instanceof ChangePlan || payload instanceof dev.credledger.events.avro.command.SetLeakPolicy
                || payload instanceof dev.credledger.events.avro.command.RecordDeliveryChange
                || payload instanceof dev.credledger.events.avro.command.SetCredentialPolicy)) {
            throw new IllegalArgumentException(payload.getClass().getSimpleName() + " needs an environment");
        }
        return switch (payload) {
            case EnableApi p -> new Command.EnableApi(m, env, AvroToDomain.secret(p.getAuthToken()),
                    AvroToDomain.secret(p.getPrivateSalt()), AvroToDomain.sealed(p.getSealedSalt()), p.getTokenExpiresAt());
            case RefreshAuthToken p -> new Command.RefreshAuthToken(m, env, AvroToDomain.secret(p.getNewToken()),
                    Enums.convert(p.getReason(), RefreshReason.class), Duration.ofSeconds(p.getGraceSeconds()),
                    p.getTokenExpiresAt());
            case DisableApi p -> new Command.DisableApi(m, env);
            case CreateClientCredential p -> new Command.CreateClientCredential(m, env, p.getCredentialId(), p.getName(),
                    p.getClientId(), AvroToDomain.secret(p.getClientSecret()), p.getExpiresAt(), p.getScopes());
            case DeactivateCredential p -> new Command.DeactivateCredential(m, env, p.getCredentialId());
            case ReactivateCredential p -> new Command.ReactivateCredential(m, env, p.getCredentialId());
            case DeleteCredential p -> new Command.DeleteCredential(m, env, p.getCredentialId());
            case AllowIp p -> new Command.AllowIp(m, env, p.getCidr());
            case RemoveIp p -> new Command.RemoveIp(m, env, p.getCidr());
            case ChangePlan p -> new Command.ChangePlan(m, Enums.convert(p.getPlan(), Plan.class));
            case dev.credledger.events.avro.command.ReportLeak p -> new Command.ReportLeak(m, env,
                    AvroToDomain.secret(p.getSecret()), p.getCredentialId(), AvroToDomain.leakReport(p.getReport()),
                    p.getNewToken() == null ? null : AvroToDomain.secret(p.getNewToken()));
            case dev.credledger.events.avro.command.SetLeakPolicy p -> new Command.SetLeakPolicy(m,
                    Enums.convert(p.getMode(), dev.credledger.events.model.LeakMode.class));
            case dev.credledger.events.avro.command.RecordDeliveryChange p -> new Command.RecordDeliveryChange(m, env,
                    Enums.convert(p.getTargetKind(), dev.credledger.events.model.CredentialEvent.DeliveryTargetKind.class),
                    p.getTargetId(), Enums.convert(p.getChange(), dev.credledger.events.model.CredentialEvent.DeliveryChange.class),
                    p.getDestination(), p.getEvents(), p.getReceiver(), p.getStatus());
            case dev.credledger.events.avro.command.SetCredentialPolicy p -> new Command.SetCredentialPolicy(m,
                    new dev.credledger.processors.domain.CredentialPolicy(p.getMaxAgeDays(), p.getExpiryWarningDays(),
                            p.getRequireExpiry()));
            case dev.credledger.events.avro.command.SetCredentialScopes p -> new Command.SetCredentialScopes(m, env,
                    p.getCredentialId(), p.getScopes());
            default -> throw new IllegalArgumentException("unknown command " + payload.getClass().getName());
        };
    }
}
