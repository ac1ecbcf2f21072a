package org.mlp4j.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/**
 * The terminal's width in columns, as {@code stty size} reads it from /dev/tty (Java has no call for it), asked again
 * every few seconds so that a window made narrower is followed; {@code COLUMNS}, or 80, where it cannot tell. A line
 * wider than the terminal wraps, and a carriage return then goes back only to the start of its last row.
 */
final class Terminal implements IntSupplier {
    static final int DEFAULT = 80;
    private static final long ASK_EVERY_NANOS = 5_000_000_000L;

    private long asked;
    private int columns;

    /**
     * Whether standard input and output are a terminal. JDK 22 gives a console also where they are redirected, and
     * says whether they are a terminal by {@code Console.isTerminal} (JDK 22 on), which an older JDK lacks.
     */
    static boolean attached() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;  // before JDK 22, a console is a terminal
        }
    }

    @Override
    public int getAsInt() {
        long now = System.nanoTime();
        if (columns == 0 || now - asked >= ASK_EVERY_NANOS) {
            asked = now;
            columns = ask();
        }
        return columns;
    }

    private static int ask() {
        try {
            Process stty = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String[] rowsColumns = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
            if (stty.waitFor() == 0 && rowsColumns.length == 2) {
                int c = parse(rowsColumns[1]);
                if (c > 0) {
                    return c;
                }
            }
        } catch (IOException e) {
            // no stty, or no terminal to ask: as below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int c = parse(System.getenv("COLUMNS"));
        return c > 0 ? c : DEFAULT;
    }

    private static int parse(String s) {
        try {
            return s == null ? 0 : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
