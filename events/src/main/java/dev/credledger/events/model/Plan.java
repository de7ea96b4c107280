package dev.credledger.events.model;

/** The account's plan. Sandbox works on every plan; live needs a paid one. */
public enum Plan {
    FREE,
    PROFESSIONAL,
    TEAMS;

    /** Whether live (production) API access and credentials are allowed on this plan. */
    public boolean allowsLive() {
        return this != FREE;
    }
}
