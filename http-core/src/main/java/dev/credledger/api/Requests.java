package dev.credledger.api;

import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Environment;
import io.javalin.http.Context;
import java.util.UUID;

/** Path parameters, checked before anything else happens. */
public final class Requests {

    private Requests() {}

    public static AccountId account(Context ctx) {
        String value = ctx.pathParam("account");
        if (!AccountId.isValid(value)) {
            throw Problem.invalidParameter("account", "an account ID is 1-64 characters of A-Z a-z 0-9 _ -");
        }
        return new AccountId(value);
    }

    public static Environment environment(Context ctx) {
        return environment("env", ctx.pathParam("env"));
    }

    public static Environment environment(String parameter, String value) {
        if ("sandbox".equals(value)) {
            return Environment.SANDBOX;
        }
        if ("live".equals(value)) {
            return Environment.LIVE;
        }
        throw Problem.invalidParameter(parameter, "the environment is 'sandbox' or 'live'");
    }

    public static UUID credentialId(Context ctx) {
        return uuid("credentialId", ctx.pathParam("credentialId"));
    }

    public static UUID uuid(String parameter, String value) {
        try {
            UUID id = UUID.fromString(value);
            if (!id.toString().equalsIgnoreCase(value)) {
                throw new IllegalArgumentException();
            }
            return id;
        } catch (IllegalArgumentException e) {
            throw Problem.invalidParameter(parameter, parameter + " must be a UUID");
        }
    }
}
