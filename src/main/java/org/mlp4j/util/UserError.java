package org.mlp4j.util;

/**
 * A problem the user can fix (a bad file, a bad flag, an unusable device): the CLI prints its message
 * as one line on stderr and exits with code 2, without a stack trace unless {@code --debug}.
 */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
