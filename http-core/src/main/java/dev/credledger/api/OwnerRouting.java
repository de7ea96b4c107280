package dev.credledger.api;

import dev.credledger.events.model.AccountId;
import io.javalin.http.Context;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Answers a read of an account's view on the instance that owns the account: here, from the local store,
 * or by forwarding the request once; while the account moves between instances, 503 with
 * {@code Retry-After} rather than a wrong answer.
 */
public final class OwnerRouting {

    private final StoreLocator locator;
    private final Forwarder forwarder;

    public OwnerRouting(StoreLocator locator, Forwarder forwarder) {
        this.locator = locator;
        this.forwarder = forwarder;
    }

    public <V> void answer(Context ctx, String storeName, AccountId account,
            BiConsumer<ReadOnlyKeyValueStore<String, V>, Context> answer) {
        String query = ctx.queryString();
        answer(ctx, storeName, account, ctx.path() + (query == null ? "" : "?" + query), answer);
    }

    /** As above; a remote owner is asked by a GET of {@code forwardAs}. */
    public <V> void answer(Context ctx, String storeName, AccountId account, String forwardAs,
            BiConsumer<ReadOnlyKeyValueStore<String, V>, Context> answer) {
        StoreLocator.Location<V> location = locator.locate(storeName, account.value());
        switch (location) {
            case StoreLocator.Location.Local<V> local -> answer.accept(local.store(), ctx);
            case StoreLocator.Location.Remote<V> remote -> {
                if (forwarder.alreadyForwarded(ctx)) {
                    throw Problem.unavailable("the account's view is moving between instances; retry");
                }
                forwarder.forward(ctx, remote.host(), forwardAs);
            }
            case StoreLocator.Location.Unavailable<V> unavailable -> throw Problem.unavailable(unavailable.why());
        }
    }

    /**
     * Runs a change on the instance that owns the account — here with the local store, or by forwarding the whole
     * request (method, body, the headers that say who and how) there once.
     */
    public <V> void change(Context ctx, String storeName, AccountId account,
            BiConsumer<ReadOnlyKeyValueStore<String, V>, Context> change) {
        StoreLocator.Location<V> location = locator.locate(storeName, account.value());
        switch (location) {
            case StoreLocator.Location.Local<V> local -> change.accept(local.store(), ctx);
            case StoreLocator.Location.Remote<V> remote -> {
                if (forwarder.alreadyForwarded(ctx)) {
                    throw Problem.unavailable("the account is moving between instances; retry");
                }
                // As long as the owner may take: its lock (15 s), the audit record (the command timeout), its writes.
                forwarder.forwardChange(ctx, remote.host(), java.time.Duration.ofSeconds(90));
            }
            case StoreLocator.Location.Unavailable<V> unavailable -> throw Problem.unavailable(unavailable.why());
        }
    }

    /** 200 with a JSON body. */
    public static void respond(Context ctx, Object body) {
        ctx.status(200).contentType("application/json").result(Json.write(body));
    }
}
