package dev.credledger.processors.topology;

import dev.credledger.events.model.AccountId;
import dev.credledger.events.model.Environment;
import dev.credledger.processors.wire.FixedWidth;
import java.time.Instant;
import java.util.UUID;

/**
 * Store keys. Parts are joined with {@code |}, which no account ID, environment, UUID or credential
 * name can contain, and numbers are zero-padded so that byte order is numeric order for range scans.
 */
public final class Keys {

    private Keys() {}

    public static String access(AccountId account, Environment environment) {
        return account.value() + "|" + environment.name();
    }

    /** A wrapped data key in {@code credential-data-keys}. */
    public static String dataKey(AccountId account, Environment environment, UUID dataKeyId) {
        return access(account, environment) + "|" + dataKeyId;
    }

    /** The prefix under which all credentials of one account+environment sort together. */
    public static String credentialPrefix(AccountId account, Environment environment) {
        return access(account, environment) + "|";
    }

    public static String credential(AccountId account, Environment environment, UUID credentialId) {
        return credentialPrefix(account, environment) + credentialId;
    }

    public static String name(AccountId account, Environment environment, String name) {
        return credentialPrefix(account, environment) + name;
    }

    /** Audit records of an account in time order, then sequence order. */
    public static String audit(String account, Instant occurredAt, long sequence) {
        return auditPrefix(account) + FixedWidth.digits(occurredAt.toEpochMilli(), 13) + "|" + FixedWidth.digits(sequence, 20);
    }

    /**
     * The time part of audit keys for a query bound: epoch millis as 13 digits, clamped to what 13 digits
     * hold (1970 to 2286), so that a bound beyond them still sorts after (or before) every record.
     */
    public static String auditTime(Instant bound) {
        long millis = bound.isBefore(Instant.EPOCH) ? 0 : bound.isAfter(LAST_AUDIT_TIME) ? LAST_AUDIT_TIME.toEpochMilli()
                : bound.toEpochMilli();
        return FixedWidth.digits(millis, 13);
    }

    private static final Instant LAST_AUDIT_TIME = Instant.ofEpochMilli(9_999_999_999_999L);

    /** An account's events in sequence order. */
    public static String accountEvent(String account, long sequence) {
        return auditPrefix(account) + FixedWidth.digits(sequence, 20);
    }

    /**
     * The index of audit records by who acted: {@code actor|<id>|<13-digit millis>|<account>|<20-digit sequence>},
     * the ID URL-encoded so that no {@code |} inside it can make one actor's prefix another's.
     */
    public static String byActor(String actorId, Instant occurredAt, String account, long sequence) {
        return actorPrefix(actorId) + partyRest(occurredAt, account, sequence);
    }

    /** The index of audit records by where from: as {@link #byActor}, under {@code ip|<canonical address>|}. */
    public static String bySourceIp(String canonicalAddress, Instant occurredAt, String account, long sequence) {
        return sourceIpPrefix(canonicalAddress) + partyRest(occurredAt, account, sequence);
    }

    /** The key in {@code view-audit} of the record an index key ({@link #byActor}, {@link #bySourceIp}) names. */
    public static String auditKeyOfParty(String partyKey) {
        int seq = partyKey.lastIndexOf('|');
        int account = partyKey.lastIndexOf('|', seq - 1);
        int time = partyKey.lastIndexOf('|', account - 1);
        return partyKey.substring(account + 1, seq) + "|" + partyKey.substring(time + 1, account) + partyKey.substring(seq);
    }

    public static String actorPrefix(String actorId) {
        return "actor|" + java.net.URLEncoder.encode(actorId, java.nio.charset.StandardCharsets.UTF_8) + "|";
    }

    public static String sourceIpPrefix(String canonicalAddress) {
        return "ip|" + java.net.URLEncoder.encode(canonicalAddress, java.nio.charset.StandardCharsets.UTF_8) + "|";
    }

    private static String partyRest(Instant occurredAt, String account, long sequence) {
        return auditTime(occurredAt) + "|" + account + "|" + FixedWidth.digits(sequence, 20);
    }

    public static String auditPrefix(String account) {
        return account + "|";
    }

    /** Grace deadlines in time order, for a range scan up to now. */
    static String graceDeadline(Instant until, AccountId account, Environment environment, UUID tokenId) {
        return FixedWidth.digits(until.toEpochMilli(), 13) + "|" + account.value() + "|" + environment.name() + "|" + tokenId;
    }

    static String graceDeadlineUpTo(Instant now) {
        return FixedWidth.digits(now.toEpochMilli(), 13) + "|~";
    }
}
