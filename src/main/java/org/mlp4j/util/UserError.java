package org.mlp4j.util;

import java.nio.file.Files;
import java.nio.file.Path;

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

    /** Returns {@code file} if it is a regular file; otherwise an error naming it as {@code what} and saying why. */
    public static Path requireFile(Path file, String what) {
        if (!Files.exists(file)) {
            throw new UserError(file + ": " + what + " not found");
        }
        if (!Files.isRegularFile(file)) {
            throw new UserError(file + ": not a regular file");
        }
        return file;
    }
}
