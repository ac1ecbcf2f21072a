package org.mlp4j;

import java.util.Locale;

/** The names the command line and files use for the API's enums: lower case, '-' for '_'. */
final class Ids {
    private Ids() {
    }

    static String id(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The constant of {@code values} named {@code id} in any case, '_' taken for '-' (as "ReLU", "Adam" and the constants'
     * own names are written elsewhere); otherwise an IllegalArgumentException naming {@code what}.
     */
    static <E extends Enum<E>> E of(E[] values, String id, String what) {
        for (E e : values) {
            if (id(e).equalsIgnoreCase(id.replace('_', '-'))) {
                return e;
            }
        }
        throw new IllegalArgumentException("no " + what + " '" + id + "'");
    }
}
