package org.mlp4j.backend.opencl;

import static org.lwjgl.opencl.CL10.*;
import static org.lwjgl.opencl.KHRCommandBuffer.*;

import java.util.ArrayList;
import java.util.List;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.mlp4j.backend.Backend.Program;

/**
 * OpenCL's recorded programs ({@link OpenClBackend#capture}): the commands captured, replayed either by the host
 * enqueueing each, or as one command buffer (cl_khr_command_buffer) that a single call enqueues. A driver may
 * take the host several microseconds to enqueue a kernel, more than a small kernel runs, so a program of small
 * kernels runs at the host's pace; a command buffer is issued once. Both run the same kernels, with the same
 * arguments, in the same order on one in-order queue: the same bits.
 */
final class Programs {
    /**
     * One captured command: enqueued on the queue now, or appended to a command buffer being recorded. Only kernels
     * are appended: the extension's other commands changed their parameters between its versions (a fill gained
     * one), a kernel's did not.
     */
    interface Command {
        void enqueue(long queue);

        /** Whether it is a kernel, which {@link #append} can append. */
        default boolean kernel() {
            return false;
        }

        default void append(long commandBuffer) {
            throw new UnsupportedOperationException("only kernels are appended");
        }
    }

    private final long queue;
    /** The command buffers made, released on close. */
    private final List<Long> commandBuffers = new ArrayList<>();
    /** The events of their last replays, where one was made. */
    private final List<PointerBuffer> events = new ArrayList<>();

    Programs(long queue) {
        this.queue = queue;
    }

    /** Each command enqueued in turn, flushed as {@link #issue(List, Runnable)} says. */
    Program enqueued(List<Command> commands) {
        List<Runnable> parts = commands.stream().<Runnable>map(c -> () -> c.enqueue(queue)).toList();
        return () -> issue(parts, this::flush);
    }

    /**
     * Runs a replay's parts in order, with a clFlush after the 1st, 2nd, 4th, 8th, ... part and after the last. OpenCL
     * need not issue queued work before a flush or a blocking call, and some drivers hold it until then, so a flush
     * at the end alone would leave the device idle while the host enqueues the whole program (a trainer's segment: a
     * few hundred kernels). Flushed by doublings, the device starts on the first part and each flush hands it as
     * much again, for about log2(n) flushes. The last flush lets the trainer do host work (the next epoch's order,
     * the next segment's enqueues) while the program runs.
     */
    static void issue(List<Runnable> parts, Runnable flush) {
        for (int i = 1; i <= parts.size(); i++) {
            parts.get(i - 1).run();
            if (i == parts.size() || Integer.bitCount(i) == 1) {
                flush.run();
            }
        }
    }

    private void flush() {
        OpenCl.check(clFlush(queue), "clFlush");
    }

    /**
     * Each run of kernels among the commands appended to a command buffer of this queue, finalized; a replay
     * enqueues the command buffers and the other commands between them in order, flushed as
     * {@link #issue(List, Runnable)} says. An implementation may refuse to enqueue a command buffer whose last
     * replay is still pending (the extension allowed that before its version 0.9.5), so each first waits for its
     * last replay, which the trainer's programs (each runs once an epoch) have long finished.
     */
    Program buffered(List<Command> commands) {
        List<Runnable> replay = new ArrayList<>();
        long buffer = 0; // the command buffer being recorded, if any
        for (Command c : commands) {
            if (c.kernel()) {
                buffer = buffer == 0 ? create() : buffer;
                c.append(buffer);
            } else {
                if (buffer != 0) {
                    replay.add(replay(buffer));
                    buffer = 0;
                }
                replay.add(() -> c.enqueue(queue));
            }
        }
        if (buffer != 0) {
            replay.add(replay(buffer));
        }
        return () -> issue(replay, this::flush);
    }

    private long create() {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            java.nio.IntBuffer err = stack.mallocInt(1);
            long buffer = clCreateCommandBufferKHR(stack.pointers(queue), null, err);
            OpenCl.check(err.get(0), "clCreateCommandBufferKHR");
            commandBuffers.add(buffer);
            return buffer;
        }
    }

    /** Finalizes {@code buffer}; the replay of it, which waits for its last. */
    private Runnable replay(long buffer) {
        OpenCl.check(clFinalizeCommandBufferKHR(buffer), "clFinalizeCommandBufferKHR");
        PointerBuffer last = org.lwjgl.system.MemoryUtil.memCallocPointer(1);
        events.add(last);
        return () -> {
            if (last.get(0) != 0) {
                OpenCl.check(clWaitForEvents(last), "clWaitForEvents");
                clReleaseEvent(last.get(0));
                last.put(0, 0L);
            }
            OpenCl.check(clEnqueueCommandBufferKHR(null, buffer, null, last), "clEnqueueCommandBufferKHR");
        };
    }

    /** Releases the command buffers made so far (the queue must be finished). */
    void release() {
        commandBuffers.forEach(b -> clReleaseCommandBufferKHR(b));
        commandBuffers.clear();
        events.forEach(e -> {
            if (e.get(0) != 0) {
                clReleaseEvent(e.get(0));
            }
            org.lwjgl.system.MemoryUtil.memFree(e);
        });
        events.clear();
    }
}
