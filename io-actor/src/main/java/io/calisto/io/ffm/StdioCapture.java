package io.calisto.io.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Points the process's stdout and stderr (file descriptors 1 and 2) at a private file for a while and gives back what
 * was written there: EAL writes its usage, getopt's complaints and its log lines straight to those descriptors, so a
 * failing {@code rte_eal_init} would otherwise print 6-100 lines before ours. Process-wide: used only around EAL init,
 * before the dataplane's other threads start.
 */
final class StdioCapture implements AutoCloseable {
    private static final Linker LIBC = Linker.nativeLinker();
    private static final MethodHandle DUP = fn("dup", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle DUP2 = fn("dup2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CREAT = fn("creat", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** fflush(NULL): C's stdout is fully buffered while it is a file; what EAL printed must reach the file before we read it. */
    private static final MethodHandle FFLUSH = fn("fflush", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    private final Path file;
    private final int savedOut, savedErr;
    private String captured;

    private StdioCapture(Path file, int savedOut, int savedErr) {
        this.file = file;
        this.savedOut = savedOut;
        this.savedErr = savedErr;
    }

    /** From now until {@link #close}, whatever the process writes to fd 1 or 2 goes to a private temporary file. */
    static StdioCapture start() {
        System.out.flush();
        System.err.flush();
        try (Arena arena = Arena.ofConfined()) {
            Path file = Files.createTempFile("calisto-eal-", ".log");
            int fd = (int) CREAT.invokeExact(arena.allocateFrom(file.toString()), 0600);
            if (fd < 0) {
                Files.deleteIfExists(file);
                throw new IllegalStateException("cannot open " + file + " to capture EAL's output");
            }
            int out = (int) DUP.invokeExact(1), err = (int) DUP.invokeExact(2);
            int ignored = (int) FFLUSH.invokeExact(MemorySegment.NULL);
            ignored = (int) DUP2.invokeExact(fd, 1);
            ignored = (int) DUP2.invokeExact(fd, 2);
            ignored = (int) CLOSE.invokeExact(fd);
            return new StdioCapture(file, out, err);
        } catch (IOException e) {
            throw new IllegalStateException("cannot capture EAL's output: " + e.getMessage(), e);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Restores fd 1 and 2 (once) and returns what was written meanwhile. */
    @Override
    public void close() {
        if (captured != null) return;
        System.out.flush();
        System.err.flush();
        try {
            int ignored = (int) FFLUSH.invokeExact(MemorySegment.NULL);
            ignored = (int) DUP2.invokeExact(savedOut, 1);
            ignored = (int) DUP2.invokeExact(savedErr, 2);
            ignored = (int) CLOSE.invokeExact(savedOut);
            ignored = (int) CLOSE.invokeExact(savedErr);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        try {
            captured = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            Files.deleteIfExists(file);
        } catch (IOException e) {
            captured = "";
        }
    }

    /** What was written while captured (after {@link #close}). */
    String text() {
        close();
        return captured;
    }

    private static MethodHandle fn(String name, FunctionDescriptor d) {
        return LIBC.downcallHandle(LIBC.defaultLookup().find(name).orElseThrow(), d);
    }
}
