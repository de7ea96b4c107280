package dev.credledger.api.signals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credledger.api.Problem;
import dev.credledger.api.delivery.SafeAddresses;
import dev.credledger.events.avro.DeliveryTarget;
import java.util.ArrayList;
import java.util.List;

/**
 * The receiver-supplied properties of a stream configuration (SSF §8.1.1), checked: {@code events_requested},
 * {@code description}, {@code delivery} (its {@code method}; for push its {@code endpoint_url} and
 * {@code authorization_header}), and credledger's {@code change_types}. Against a {@code base} (a PATCH) what the body
 * leaves out stays; without one (create, PUT) it takes its default: poll delivery, the credential-change event,
 * revocations only.
 *
 * @param authorization a push authorization header given now (to be sealed), or {@code null}
 */
record Requested(List<String> eventsRequested, String description, String method, String endpointUrl,
                 String authorization, List<String> changeTypes) {

    static Requested of(JsonNode body, DeliveryTarget base, SafeAddresses addresses) {
        StreamConfig old = base == null ? null : StreamConfig.parse(base.getConfig());
        List<String> events = body.has("events_requested") ? strings(body, "events_requested")
                : old != null ? old.eventsRequested() : List.of(CaepEvents.CREDENTIAL_CHANGE);
        String description = body.has("description") ? SsfRoutes.text(body, "description", false)
                : old != null ? old.description() : null;
        if (description != null && description.length() > 256) {
            description = description.substring(0, 256);
        }
        List<String> changeTypes = body.has("change_types") ? strings(body, "change_types")
                : old != null ? old.changeTypes() : List.of("revoke");
        if (changeTypes.isEmpty() || !StreamConfig.CHANGE_TYPES.containsAll(changeTypes)) {
            throw Problem.badRequest("change_types holds one or more of " + String.join(", ", StreamConfig.CHANGE_TYPES));
        }
        String method = old != null ? old.deliveryMethod() : StreamConfig.POLL;
        String endpoint = base == null ? null : base.getUrl();
        String authorization = null;
        JsonNode delivery = body.get("delivery");
        if (delivery != null && !delivery.isNull()) {
            if (!delivery.isObject()) {
                throw Problem.badRequest("delivery must be an object");
            }
            method = SsfRoutes.text(delivery, "method", true);
            if (StreamConfig.PUSH.equals(method)) {
                endpoint = SsfRoutes.text(delivery, "endpoint_url", true);
                try {
                    addresses.checkUrl(endpoint);
                } catch (SafeAddresses.Refused e) {
                    throw new Problem(400, "push-endpoint-refused", "Push endpoint refused", e.getMessage())
                            .with("code", "PUSH_ENDPOINT_REFUSED");
                }
                authorization = SsfRoutes.text(delivery, "authorization_header", false);
            } else if (StreamConfig.POLL.equals(method)) {
                endpoint = null; // the transmitter supplies a poll stream's endpoint
            } else {
                throw Problem.badRequest("delivery.method is " + StreamConfig.PUSH + " (push) or " + StreamConfig.POLL + " (poll)");
            }
        } else if (base == null) {
            method = StreamConfig.POLL; // SSF §8.1.1.1: no delivery, poll
            endpoint = null;
        }
        return new Requested(events, description, method, endpoint, authorization, changeTypes);
    }

    private static List<String> strings(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isArray() || value.size() > 32) {
            throw Problem.badRequest("field '" + field + "' must be an array of at most 32 strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual() || item.asText().length() > 256) {
                throw Problem.badRequest("field '" + field + "' must be an array of strings");
            }
            if (!out.contains(item.asText())) {
                out.add(item.asText());
            }
        }
        return out;
    }
}
