package dev.credledger.events.model;

import java.util.Locale;

/** Sandbox and live never mix: each has its own secrets, credentials and settings. */
public enum Environment {
    SANDBOX("sbx"),
    LIVE("live");

    private final String marker;

    Environment(String marker) {
        this.marker = marker;
    }

    /** The marker that secrets and client IDs of this environment carry: {@code sbx} or {@code live}. */
    public String marker() {
        return marker;
    }

    /** The lower-case name used in URLs: {@code sandbox} or {@code live}. */
    public String pathName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code sandbox} or {@code live}, any case. */
    public static Environment fromPathName(String name) {
        for (Environment e : values()) {
            if (e.pathName().equalsIgnoreCase(name)) {
                return e;
            }
        }
        throw new IllegalArgumentException("environment must be 'sandbox' or 'live', was '" + name + "'");
    }

    /** The environment whose marker this is, or {@code null}. */
    static Environment fromMarker(String marker) {
        for (Environment e : values()) {
            if (e.marker.equals(marker)) {
                return e;
            }
        }
        return null;
    }
}
