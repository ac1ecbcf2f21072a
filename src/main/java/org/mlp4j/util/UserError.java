package org.mlp4j.util;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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

    /**
     * {@code word} as a POSIX shell reads it back: as it is where it has no character the shell treats specially, else
     * quoted; for the paths, names and options in the commands that messages suggest.
     */
    public static String shellWord(String word) {
        return word.matches("[A-Za-z0-9_./:=@%+,-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    /**
     * What went wrong in {@code e}, as "PATH: reason", for a message: a message of NIO's exceptions is often the
     * path alone (an {@link AccessDeniedException}'s is). A {@link FileAlreadyExistsException} is read as {@link
     * Files#createDirectories} throws it, the only call here that does: a path there that is not a directory.
     */
    public static String why(IOException e) {
        if (!(e instanceof FileSystemException f) || f.getFile() == null) {
            return e.getMessage() != null ? e.getMessage() : e.toString();
        }
        String reason = f instanceof AccessDeniedException ? "Permission denied"
                : f instanceof NoSuchFileException ? "No such file or directory"
                : f instanceof FileAlreadyExistsException ? "Not a directory"
                : f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
        return f.getFile() + ": " + reason;
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
