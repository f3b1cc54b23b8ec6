package io.calisto.aeron.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Puts the calling thread in SCHED_FIFO at a real-time priority with libc's sched_setscheduler(2), through FFM.
 * A woken core-actor then preempts whatever ordinary thread holds its CPU (the JIT, GC, Pekko, the media driver)
 * at once, instead of waiting for the fair scheduler to give it a turn, which took up to milliseconds on a CPU
 * shared with them (bench grant, traced with sched_switch). Shenango's kthreads get the same by owning their core.
 */
public final class RealtimePriority {
    /** Highest SCHED_FIFO priority Linux accepts. */
    public static final int MAX = 99;
    static final int SCHED_OTHER = 0, SCHED_FIFO = 1;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SET = LINKER.downcallHandle(LINKER.defaultLookup().find("sched_setscheduler").orElseThrow(),
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), Linker.Option.captureCallState("errno"));
    private static final MethodHandle GET = LINKER.downcallHandle(LINKER.defaultLookup().find("sched_getscheduler").orElseThrow(),
        FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private RealtimePriority() {}

    /**
     * Makes the calling thread SCHED_FIFO at {@code priority} (1..{@link #MAX}), or an ordinary SCHED_OTHER thread
     * for 0; {@code what} names the setting in the one-line error.
     */
    public static void set(int priority, String what) {
        if (priority < 0 || priority > MAX) throw new IllegalArgumentException(what + " must be in 0.." + MAX + " (0: off), was " + priority);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment param = arena.allocate(JAVA_INT); // struct sched_param { int sched_priority; }
            param.set(JAVA_INT, 0, priority);
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            int rc = (int) SET.invokeExact(state, 0, priority == 0 ? SCHED_OTHER : SCHED_FIFO, param);
            if (rc != 0) {
                int errno = (int) Linker.Option.captureStateLayout().varHandle(MemoryLayout.PathElement.groupElement("errno")).get(state, 0L);
                throw new IllegalArgumentException(what + " = " + priority + ": sched_setscheduler(SCHED_FIFO) failed with errno " + errno
                    + (errno == 1 ? " (not permitted: it needs root, CAP_SYS_NICE or an RLIMIT_RTPRIO of at least " + priority + ", ulimit -r; 0 turns it off)" : ""));
            }
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Fails now, with the same one-line message, if {@code priority} cannot be had (tried on a throwaway thread). */
    public static void check(int priority, String what) {
        io.calisto.aeron.OnThread.call("calisto-priority-check", () -> {
            set(priority, what);
            return null;
        });
    }

    /** True when this process may make a thread SCHED_FIFO at {@code priority} (tried on a throwaway thread). */
    public static boolean permitted(int priority) {
        try {
            check(priority, "probe");
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** True when the calling thread is SCHED_FIFO. */
    public static boolean isFifo() {
        try {
            return (int) GET.invokeExact(0) == SCHED_FIFO;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
