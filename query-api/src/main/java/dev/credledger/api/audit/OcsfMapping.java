package dev.credledger.api.audit;

import dev.credledger.events.avro.AuditRecord;
import dev.credledger.events.avro.Outcome;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An audit record as an OCSF 1.1 event of the Identity &amp; Access Management category (3), class Account
 * Change (3001): the "account" is the API credential (an auth token, a private salt, a client credential)
 * of a customer account and environment. {@code type_uid = 300100 + activity_id}. Refused commands keep the
 * activity they attempted, with {@code status_id} 2 (Failure) and the reason in {@code status_detail}.
 * What OCSF has no field for (the hash chain, the ledger's own event type) goes under {@code unmapped}.
 */
final class OcsfMapping {

    static final String OCSF_VERSION = "1.1.0";

    private OcsfMapping() {}

    /** activity_id by ledger event type (and, for rejections, by the command attempted). */
    static int activity(String type) {
        return switch (type) {
            case "ClientCredentialCreated", "CreateClientCredential" -> 1; // Create
            case "ApiEnabled", "EnableApi", "CredentialReactivated", "ReactivateCredential" -> 2; // Enable
            case "AuthTokenRefreshed", "RefreshAuthToken" -> 3; // Password Change: the secret was replaced
            case "ApiDisabled", "DisableApi", "CredentialDeactivated", "DeactivateCredential", "AuthTokenGraceEnded",
                    "CredentialExpired" -> 5; // Disable: an expiry disables the secret for good
            case "CredentialDeleted", "DeleteCredential" -> 6; // Delete
            case "IpAllowed", "AllowIp" -> 7; // Attach Policy: a network policy now governs the credentials
            case "IpRemoved", "RemoveIp" -> 8; // Detach Policy
            default -> 99; // Other: plan, leak and credential policy changes, scope changes, rotation notices
        };
    }

    private static String activityName(int id) {
        return switch (id) {
            case 1 -> "Create";
            case 2 -> "Enable";
            case 3 -> "Password Change";
            case 5 -> "Disable";
            case 6 -> "Delete";
            case 7 -> "Attach Policy";
            case 8 -> "Detach Policy";
            default -> "Other";
        };
    }

    static Map<String, Object> event(AuditRecord r) {
        boolean rejected = r.getOutcome() == Outcome.REJECTED;
        String attempted = rejected && r.getDetail() != null && r.getDetail().contains(":")
                ? r.getDetail().substring(0, r.getDetail().indexOf(':')) : r.getType();
        int activity = activity(attempted);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("activity_id", activity);
        e.put("activity_name", activityName(activity));
        e.put("category_uid", 3);
        e.put("category_name", "Identity & Access Management");
        e.put("class_uid", 3001);
        e.put("class_name", "Account Change");
        e.put("type_uid", 300100 + activity);
        e.put("type_name", "Account Change: " + activityName(activity));
        e.put("severity_id", 1);
        e.put("severity", "Informational");
        e.put("status_id", rejected ? 2 : 1);
        e.put("status", rejected ? "Failure" : "Success");
        if (rejected) {
            e.put("status_code", r.getReasonCode());
            e.put("status_detail", r.getDetail());
        } else if (r.getDetail() != null) {
            e.put("message", r.getDetail());
        }
        e.put("time", r.getOccurredAt().toEpochMilli());
        Map<String, Object> product = new LinkedHashMap<>();
        product.put("name", "credledger");
        product.put("vendor_name", "credledger");
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("version", OCSF_VERSION);
        metadata.put("product", product);
        metadata.put("uid", r.getEventId().toString());
        metadata.put("correlation_uid", r.getCorrelationId() == null ? null : r.getCorrelationId().toString());
        metadata.put("log_name", "credential-audit");
        metadata.put("sequence", r.getSequence());
        e.put("metadata", metadata);
        Map<String, Object> actorUser = new LinkedHashMap<>();
        actorUser.put("name", r.getActor().getActorId());
        actorUser.put("uid", r.getActor().getActorId());
        e.put("actor", Map.of("user", actorUser));
        if (r.getActor().getSourceIp() != null) {
            e.put("src_endpoint", Map.of("ip", r.getActor().getSourceIp()));
        }
        if (r.getActor().getUserAgent() != null) {
            e.put("http_request", Map.of("user_agent", r.getActor().getUserAgent()));
        }
        String env = r.getEnvironment() == null ? null : r.getEnvironment().name().toLowerCase(Locale.ROOT);
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("uid", r.getSubjectId() != null ? r.getSubjectId().toString() : r.getAccountId() + (env == null ? "" : "/" + env));
        user.put("name", r.getAccountId() + (env == null ? "" : "/" + env));
        user.put("type_id", 99);
        user.put("type", "API credential");
        user.put("account", Map.of("uid", r.getAccountId(), "name", r.getAccountId()));
        e.put("user", user);
        Map<String, Object> unmapped = new LinkedHashMap<>();
        unmapped.put("credledger_type", r.getType());
        unmapped.put("credledger_environment", env);
        unmapped.put("credledger_command_uid", r.getCommandId() == null ? null : r.getCommandId().toString());
        unmapped.put("credledger_prev_hash", r.getPrevHash());
        unmapped.put("credledger_hash", r.getHash());
        e.put("unmapped", unmapped);
        return e;
    }
}
