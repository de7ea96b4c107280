package dev.credledger.events.mapping;

/** Domain and Avro enums share their symbols; converts by name. */
public final class Enums {

    private Enums() {}

    public static <E extends Enum<E>> E convert(Enum<?> from, Class<E> to) {
        return from == null ? null : Enum.valueOf(to, from.name());
    }
}
