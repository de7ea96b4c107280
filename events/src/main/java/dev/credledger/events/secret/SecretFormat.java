package dev.credledger.events.secret;

import dev.credledger.events.model.CredentialKind;
import dev.credledger.events.model.Environment;
import dev.credledger.events.model.Fingerprint;
import dev.credledger.events.model.SecretRef;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The format of the ledger's secrets, after GitHub's token format: a secret says what it is, so secret
 * scanners and people can recognise a leaked one, and a mistyped or random string fails the checksum
 * without a lookup.
 *
 * <pre>{@code <kind>_<env>_<32 random base62 chars><6 base62 chars of CRC32 over everything before>}</pre>
 *
 * with kind {@code clat} (auth token), {@code clps} (private salt), {@code clcs} (client secret) and env
 * {@code sbx} or {@code live}. Client IDs are not secrets: {@code clid_<env>_<20 random base62 chars>}.
 */
public final class SecretFormat {

    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int RANDOM_LENGTH = 32;
    private static final int CHECKSUM_LENGTH = 6;
    private static final int CLIENT_ID_LENGTH = 20;
    private static final int PREFIX_RANDOM_CHARS = 4;
    private static final Pattern SECRET_ANYWHERE = Pattern.compile(
            "cl(at|ps|cs)_(sbx|live)_[0-9A-Za-z]{" + (RANDOM_LENGTH + CHECKSUM_LENGTH) + "}");
    private static final Pattern FRAGMENT = Pattern.compile("cl(at|ps|cs)_(sbx|live)_[0-9A-Za-z]");
    private static final Pattern CLIENT_ID = Pattern.compile("clid_(sbx|live)_[0-9A-Za-z]{" + CLIENT_ID_LENGTH + "}");

    private final SecureRandom random;

    public SecretFormat(SecureRandom random) {
        this.random = random;
    }

    public SecretFormat() {
        this(new SecureRandom());
    }

    /** What a well-formed secret says about itself. */
    public record Parsed(CredentialKind kind, Environment environment) {}

    /** A new secret of this kind for this environment, with a new random secret ID. */
    public IssuedSecret issue(CredentialKind kind, Environment environment) {
        String body = kind.marker() + "_" + environment.marker() + "_" + randomBase62(RANDOM_LENGTH);
        String plaintext = body + checksum(body);
        String prefix = body.substring(0, body.length() - RANDOM_LENGTH + PREFIX_RANDOM_CHARS);
        SecretRef ref = new SecretRef(UUID.randomUUID(), kind, prefix, Fingerprint.of(plaintext));
        return new IssuedSecret(plaintext, ref);
    }

    /** A new client ID for this environment. */
    public String newClientId(Environment environment) {
        return "clid_" + environment.marker() + "_" + randomBase62(CLIENT_ID_LENGTH);
    }

    /** Whether this looks like a client ID (no lookup). */
    public static boolean isClientId(String candidate) {
        return candidate != null && CLIENT_ID.matcher(candidate).matches();
    }

    /**
     * The kind and environment of a candidate secret, if it has the format and its checksum holds;
     * empty otherwise. Needs no lookup.
     */
    public static Optional<Parsed> parse(String candidate) {
        // Scanned by hand, not by a regular expression: this runs on every verification (a revocation client's
        // local verify included), and a scan without a Matcher, groups or substrings costs much less.
        if (candidate == null || candidate.length() < 47 || candidate.length() > 48) {
            return Optional.empty();
        }
        CredentialKind kind;
        if (candidate.startsWith("clat_")) {
            kind = CredentialKind.AUTH_TOKEN;
        } else if (candidate.startsWith("clps_")) {
            kind = CredentialKind.PRIVATE_SALT;
        } else if (candidate.startsWith("clcs_")) {
            kind = CredentialKind.CLIENT_SECRET;
        } else {
            return Optional.empty();
        }
        Environment environment;
        if (candidate.length() == 47 && candidate.startsWith("sbx_", 5)) {
            environment = Environment.SANDBOX;
        } else if (candidate.length() == 48 && candidate.startsWith("live_", 5)) {
            environment = Environment.LIVE;
        } else {
            return Optional.empty();
        }
        int bodyEnd = candidate.length() - CHECKSUM_LENGTH;
        byte[] body = new byte[bodyEnd];
        for (int i = 0; i < candidate.length(); i++) {
            char c = candidate.charAt(i);
            if (i >= bodyEnd - RANDOM_LENGTH && !isBase62(c)) {
                return Optional.empty();
            }
            if (i < bodyEnd) {
                body[i] = (byte) c;
            }
        }
        CRC32 crc = new CRC32();
        crc.update(body);
        long value = crc.getValue();
        for (int i = candidate.length() - 1; i >= bodyEnd; i--) {
            if (candidate.charAt(i) != BASE62.charAt((int) (value % 62))) {
                return Optional.empty();
            }
            value /= 62;
        }
        return Optional.of(environment == Environment.LIVE ? LIVE[kind.ordinal()] : SANDBOX[kind.ordinal()]);
    }

    private static final Parsed[] SANDBOX = parsedOf(Environment.SANDBOX);
    private static final Parsed[] LIVE = parsedOf(Environment.LIVE);

    private static Parsed[] parsedOf(Environment environment) {
        Parsed[] out = new Parsed[CredentialKind.values().length];
        for (CredentialKind kind : CredentialKind.values()) {
            out[kind.ordinal()] = new Parsed(kind, environment);
        }
        return out;
    }

    private static boolean isBase62(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    /**
     * Whether {@code text} contains anything that looks like the start of a secret: a kind, an environment and
     * at least one base62 character ({@code clat_sbx_7}). Stricter than {@link #containsSecret}: a truncated or
     * mistyped secret is still mostly secret, so input fields, path segments and user agents refuse fragments.
     */
    public static boolean containsSecretFragment(String text) {
        return text != null && FRAGMENT.matcher(text).find();
    }

    /**
     * A secret found in some text: where ({@code column}, {@code length}), and what it says about itself — never the
     * secret, which {@link #in} cuts from the text it was found in, for the one use that needs it (reporting a leak).
     */
    public record Found(int column, int length, String prefix, CredentialKind kind, Environment environment,
            Fingerprint fingerprint) {

        /** The secret itself, from the text it was found in. */
        public String in(String text) {
            return text.substring(column, column + length);
        }
    }

    /** Every well-formed secret (checksum included) in {@code text}, by its position (0-based column). */
    public static List<Found> findAll(String text) {
        List<Found> out = new ArrayList<>();
        if (text == null || text.length() < 47) {
            return out;
        }
        Matcher m = SECRET_ANYWHERE.matcher(text);
        while (m.find()) {
            String candidate = m.group();
            Optional<Parsed> parsed = parse(candidate);
            if (parsed.isPresent()) {
                String prefix = candidate.substring(0, candidate.indexOf('_', 5) + 1 + PREFIX_RANDOM_CHARS);
                out.add(new Found(m.start(), candidate.length(), prefix, parsed.get().kind(), parsed.get().environment(), Fingerprint.of(candidate)));
            }
        }
        return out;
    }

    /** Whether {@code text} contains, anywhere, a well-formed secret (checksum included). */
    public static boolean containsSecret(String text) {
        if (text == null || text.length() < 46) {
            return false;
        }
        Matcher m = SECRET_ANYWHERE.matcher(text);
        while (m.find()) {
            if (parse(m.group()).isPresent()) {
                return true;
            }
        }
        return false;
    }

    private String randomBase62(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(BASE62.charAt(random.nextInt(BASE62.length())));
        }
        return sb.toString();
    }

    private static String checksum(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.US_ASCII));
        long value = crc.getValue();
        char[] out = new char[CHECKSUM_LENGTH];
        for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
            out[i] = BASE62.charAt((int) (value % 62));
            value /= 62;
        }
        return new String(out);
    }
}
