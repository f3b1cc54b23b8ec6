package io.calisto.aeron.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Pins the calling thread to one CPU with libc's sched_setaffinity(2), through FFM: the IO thread and each
 * core-actor own their CPU the way Shenango's IOKernel and kthreads do. The only package of aeron-config that
 * imports java.lang.foreign.
 */
public final class CpuAffinity {
    private static final int CPU_SET_BYTES = 128; // glibc cpu_set_t: 1024 CPUs
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SET = LINKER.downcallHandle(LINKER.defaultLookup().find("sched_setaffinity").orElseThrow(),
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.captureCallState("errno"));
    private static final MethodHandle GET_CPU = LINKER.downcallHandle(LINKER.defaultLookup().find("sched_getcpu").orElseThrow(),
        FunctionDescriptor.of(JAVA_INT));

    private CpuAffinity() {}

    /** Pins the calling thread to {@code cpu}; {@code what} names the setting in the error message. */
    public static void pin(int cpu, String what) {
        if (cpu < 0 || cpu >= CPU_SET_BYTES * 8) throw new IllegalArgumentException(what + " must be a CPU id in 0.." + (CPU_SET_BYTES * 8 - 1) + ", was " + cpu);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(CPU_SET_BYTES);
            mask.set(JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
            int rc = (int) SET.invokeExact(state, 0, (long) CPU_SET_BYTES, mask);
            if (rc != 0) {
                int errno = (int) Linker.Option.captureStateLayout().varHandle(MemoryLayout.PathElement.groupElement("errno")).get(state, 0L);
                throw new IllegalArgumentException(what + " = " + cpu + ": sched_setaffinity failed with errno " + errno
                    + (errno == 22 ? " (no such CPU, or not allowed for this process)" : ""));
            }
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Fails now, with the same one-line message, if {@code cpu} cannot be pinned to (tried on a throwaway thread). */
    public static void check(int cpu, String what) {
        io.calisto.aeron.OnThread.call("calisto-cpu-check", () -> {
            pin(cpu, what);
            return null;
        });
    }

    /** The CPU the calling thread runs on now. */
    public static int currentCpu() {
        try {
            return (int) GET_CPU.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
