package dev.credledger.api.commands;

import dev.credledger.api.ClientAddress;
import dev.credledger.api.Problem;
import dev.credledger.api.SecretInput;
import dev.credledger.events.model.Actor;
import dev.credledger.events.model.Channel;
import io.javalin.http.Context;
import java.util.Locale;

/** Who made a request, as the audit trail records it: {@code X-Actor}, else the key's role or receiver. */
public final class Actors {

    private Actors() {}

    public static Actor of(Context ctx, ClientAddress clientAddress) {
        String actor = ctx.header("X-Actor");
        if (actor == null || actor.isBlank()) {
            Object receiver = ctx.attribute("receiver");
            Object role = ctx.attribute("role");
            actor = receiver != null ? "receiver:" + receiver
                    : role == null ? "unknown" : role.toString().toLowerCase(Locale.ROOT);
        } else if (actor.length() > 128 || !actor.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw Problem.invalidParameter("X-Actor", "X-Actor is at most 128 printable ASCII characters");
        }
        SecretInput.refuse("X-Actor", actor);
        return new Actor(actor, clientAddress.of(ctx), SecretInput.userAgent(ctx.userAgent(), 256), Channel.HTTP_API);
    }
}
