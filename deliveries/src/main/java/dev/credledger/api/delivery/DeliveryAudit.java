package dev.credledger.api.delivery;

import dev.credledger.api.ClientAddress;
import dev.credledger.api.Problem;
import dev.credledger.api.commands.CommandGateway;
import dev.credledger.events.avro.Outcome;
import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.CredentialEvent.DeliveryChange;
import dev.credledger.events.model.CredentialEvent.DeliveryTargetKind;
import dev.credledger.events.model.Environment;
import dev.credledger.processors.domain.Command;
import dev.credledger.processors.domain.CommandMetadata;
import io.javalin.http.Context;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Puts a change of who receives credential changes — a webhook or a Shared Signals stream created, updated, its
 * secret rotated, deleted — in the audit trail, through the account's single writer like any credential change (a
 * stream's on the transmitter's own account {@link AccountId#SSF_TRANSMITTER}). Recorded before the change is made:
 * a failure in between leaves a record of a change that did not happen, never a change without its record. The
 * command ID derives from what changed, so a retry records it once.
 */
public final class DeliveryAudit {

    private final CommandGateway gateway;
    private final ClientAddress clientAddress;

    public DeliveryAudit(CommandGateway gateway, ClientAddress clientAddress) {
        this.gateway = gateway;
        this.clientAddress = clientAddress;
    }

    /** What changed, and where it delivers: a URL is recorded as its origin only (a path may carry a token). */
    public record Change(AccountId account, Environment environment, DeliveryTargetKind kind, String targetId,
                         DeliveryChange change, String url, List<String> events, String receiver, String status) {}

    /**
     * Records {@code change}; {@code discriminator} tells apart changes of one kind to one target (a rotation's new
     * key), or is {@code null} for a change made once ({@code CREATED}, {@code DELETED}) or every time ({@code
     * UPDATED}: a random ID). 503 if the record is not confirmed in time: then nothing else is done.
     */
    public void record(Context ctx, Change change, String discriminator) {
        UUID commandId = change.change() == DeliveryChange.UPDATED && discriminator == null ? UUID.randomUUID()
                : UUID.nameUUIDFromBytes(("delivery-change|" + change.kind() + "|" + change.targetId() + "|"
                        + change.change() + "|" + (discriminator == null ? "" : discriminator))
                        .getBytes(StandardCharsets.UTF_8));
        CommandMetadata meta = new CommandMetadata(commandId, change.account(), Instant.now(),
                dev.credledger.api.commands.Actors.of(ctx, clientAddress), UUID.randomUUID(),
                null);
        Command command = new Command.RecordDeliveryChange(meta, change.environment(), change.kind(), change.targetId(),
                change.change(), origin(change.url()), change.events(), change.receiver(), change.status());
        try {
            var result = gateway.execute(command);
            if (result.getOutcome() != Outcome.ACCEPTED) {
                throw Problem.unavailable("the change could not be recorded in the audit trail ("
                        + result.getReasonCode() + "), so it was not made");
            }
        } catch (CommandGateway.Timeout e) {
            throw Problem.unavailable("the change's audit record was not confirmed in time, so the change was not made; "
                    + "retry (with the same Idempotency-Key, it is recorded once)").with("commandId", e.commandId());
        }
    }

    /** {@code https://hooks.example.com:8443}, or {@code null}. */
    static String origin(String url) {
        if (url == null) {
            return null;
        }
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }
}
