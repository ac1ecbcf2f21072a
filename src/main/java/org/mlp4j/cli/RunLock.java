package org.mlp4j.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.mlp4j.util.UserError;

/**
 * A run directory's {@code train.lock}, locked while a {@code train} writes into the directory, so that a second one
 * (the same command run again, a {@code --resume} of a run still going) is refused instead of mixing its files with the
 * first's. The operating system releases the lock when its process ends however it ends, so a killed run leaves no
 * lock that holds; the file, holding the PID, is deleted when the run ends.
 */
final class RunLock implements AutoCloseable {
    static final String NAME = "train.lock";

    private final Path file;
    /** The open file whose lock this process holds (closing it releases the lock), or null where none could be taken. */
    private final FileChannel channel;

    private RunLock(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /**
     * Locks {@code dir}'s run for this process; a UserError naming the process that holds it where another does. Where the
     * file system cannot lock (some network file systems), the run goes on without.
     */
    static RunLock take(Path dir) {
        Path file = dir.resolve(NAME);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException thisJvm) {
                lock = null;
            }
            if (lock == null) {
                String holder = holder(file);
                close(channel);
                throw new UserError("another mlp4j train" + (holder.isEmpty() ? "" : " (PID " + holder + ")") + " is training into " + dir
                        + ": wait for it to end, or stop it (Ctrl-C) and continue it with --resume " + UserError.shellWord(dir.toString()));
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)));
            return new RunLock(file, channel);
        } catch (IOException cannotLock) {
            close(channel);
            return new RunLock(file, null);
        }
    }

    /** The PID the file holds, or "" where it cannot be read (the refusal stands either way). */
    private static String holder(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        }
    }

    private static void close(FileChannel channel) {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // nothing of the run's is in it
        }
    }

    /** Deletes the file, then releases the lock (with the channel): a run that locks it after that makes a new file. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a lock file left behind holds no lock once this process has closed it
        }
        close(channel);
    }
}
