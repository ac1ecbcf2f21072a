package org.mlp4j;

import java.util.Locale;

/** The names the command line and files use for the API's enums: lower case, '-' for '_'. */
final class Ids {
    private Ids() {
    }

    static String id(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The constant of {@code values} named {@code id}; otherwise an IllegalArgumentException naming {@code what}. */
    static <E extends Enum<E>> E of(E[] values, String id, String what) {
        for (E e : values) {
            if (id(e).equals(id)) {
                return e;
            }
        }
        throw new IllegalArgumentException("no " + what + " '" + id + "'");
    }
}
