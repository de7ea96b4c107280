package dev.credledger.events.mapping;

/** Domain and Avro enums share their symbols; converts by name. */
final class Enums {

    private Enums() {}

    static <E extends Enum<E>> E convert(Enum<?> from, Class<E> to) {
        return from == null ? null : Enum.valueOf(to, from.name());
    }
}
