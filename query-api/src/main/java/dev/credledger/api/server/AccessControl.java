package dev.credledger.api.server;

import dev.credledger.api.Problem;
import dev.credledger.api.Role;
import dev.credledger.api.leaks.LeakReportKeys;
import io.javalin.http.Context;
import io.javalin.security.RouteRole;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * Bearer keys for five roles. A route names the roles it admits; ADMIN is admitted everywhere. Keys are
 * compared in constant time, every configured key is compared on every request, and no key is logged.
 */
public final class AccessControl {

    private final Map<Role, byte[]> keys = new EnumMap<>(Role.class);
    /** Shared Signals receivers by name: each a distinct receiver with the RECEIVER role. */
    private final Map<String, byte[]> receivers = new java.util.LinkedHashMap<>();

    /** {@code null} keys are not configured: that role cannot be used. */
    public AccessControl(String adminKey, String auditorKey, String verifierKey, String signerKey) {
        this(adminKey, auditorKey, verifierKey, signerKey, null);
    }

    public AccessControl(String adminKey, String auditorKey, String verifierKey, String signerKey, String scannerKey) {
        this(adminKey, auditorKey, verifierKey, signerKey, scannerKey, Map.of());
    }

    public AccessControl(String adminKey, String auditorKey, String verifierKey, String signerKey, String scannerKey,
            Map<String, String> receiverKeys) {
        receiverKeys.forEach((name, key) -> {
            if (key != null && !key.isBlank()) {
                receivers.put(name, key.strip().getBytes(StandardCharsets.UTF_8));
            }
        });
        put(Role.ADMIN, adminKey);
        put(Role.AUDITOR, auditorKey);
        put(Role.VERIFIER, verifierKey);
        put(Role.SIGNER, signerKey);
        put(Role.SCANNER, scannerKey);
    }

    void check(Context ctx) {
        Set<RouteRole> admitted = ctx.routeRoles();
        if (admitted.contains(Role.PUBLIC)) {
            return;
        }
        // A route that names no role (say, one Javalin adds on its own) is the admin's alone: fail closed.
        String authorization = ctx.header("Authorization");
        Role role = roleOf(authorization);
        String receiver = receiverOf(authorization);
        if (role == null && receiver != null) {
            role = Role.RECEIVER;
            ctx.attribute("receiver", receiver);
        }
        if (role == null && admitted.contains(Role.SCANNER)
                && (dev.credledger.api.leaks.LeakRoutes.present(ctx, LeakReportKeys.SIGNATURE_HEADER)
                || dev.credledger.api.leaks.LeakRoutes.present(ctx, LeakReportKeys.KEY_ID_HEADER))) {
            // A scanner's report signed with its own key (GitHub sends no bearer key): the route checks the signature.
            return;
        }
        if (role == null) {
            throw Problem.unauthorized();
        }
        if (role != Role.ADMIN && !admitted.contains(role)) {
            throw Problem.forbidden("the " + role.name().toLowerCase(java.util.Locale.ROOT) + " key may not call this endpoint");
        }
        ctx.attribute("role", role);
    }

    private Role roleOf(String authorization) {
        return holderOf(keys, authorization);
    }

    /** The receiver whose key this is. */
    private String receiverOf(String authorization) {
        return holderOf(receivers, authorization);
    }

    /** Whose bearer key {@code authorization} presents: every key compared, each in constant time. */
    private static <K> K holderOf(Map<K, byte[]> keys, String authorization) {
        if (keys.isEmpty() || authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        byte[] presented = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        K found = null;
        for (Map.Entry<K, byte[]> entry : keys.entrySet()) {
            if (MessageDigest.isEqual(presented, entry.getValue()) && found == null) {
                found = entry.getKey();
            }
        }
        return found;
    }

    private void put(Role role, String key) {
        if (key != null && !key.isBlank()) {
            keys.put(role, key.strip().getBytes(StandardCharsets.UTF_8));
        }
    }
}
