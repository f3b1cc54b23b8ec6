package io.calisto.aeron.ffm;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/**
 * The process's file-mode creation mask, libc's umask(2) through FFM. Aeron creates its files (cnc.dat, log buffers,
 * the loss report) with plain {@code FileChannel.open}, so their mode is 0666 minus the umask, and Aeron has no
 * setting for it; the JDK has no umask call either. The mask is per process: every thread's new files get it.
 */
public final class Umask {
    private static final Linker LINKER = Linker.nativeLinker();
    // mode_t umask(mode_t mask): always succeeds, returns the previous mask
    private static final MethodHandle UMASK = LINKER.downcallHandle(LINKER.defaultLookup().find("umask").orElseThrow(),
        FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private Umask() {}

    /** Sets the mask to {@code mask} (e.g. 077) and returns the previous one. */
    public static int set(int mask) {
        try {
            return (int) UMASK.invokeExact(mask & 0777);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The current mask (umask has no read-only form: set and put back). */
    public static int get() {
        int mask = set(077);
        set(mask);
        return mask;
    }
}
