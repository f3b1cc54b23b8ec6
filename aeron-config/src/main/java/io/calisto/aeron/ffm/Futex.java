package io.calisto.aeron.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Linux futex(2) on a 32-bit word in shared memory, through libc's syscall(2) and FFM: the one way a thread in one
 * process can sleep until a thread in another process wakes it (LockSupport works only inside one JVM). Shared
 * futexes (no FUTEX_PRIVATE_FLAG) key on the mapped page, so the two sides may map the word at different addresses.
 */
public final class Futex {
    private static final long SYS_FUTEX = 202; // x86_64
    private static final int FUTEX_WAIT = 0, FUTEX_WAKE = 1;
    private static final Linker LINKER = Linker.nativeLinker();
    // long syscall(long number, ...): everything after the number is variadic
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(LINKER.defaultLookup().find("syscall").orElseThrow(),
        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG),
        Linker.Option.firstVariadicArg(1));

    private Futex() {}

    /**
     * Sleeps while the int at {@code address} holds {@code expected}, for at most {@code timeoutNanos}; returns at
     * once if it already differs. Spurious returns are allowed: callers re-check their condition.
     */
    public static void await(long address, int expected, long timeoutNanos) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment timeout = arena.allocate(16, 8); // struct timespec, relative
            timeout.set(JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
            timeout.set(JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
            long rc = (long) SYSCALL.invokeExact(SYS_FUTEX, MemorySegment.ofAddress(address), (long) FUTEX_WAIT, (long) expected, timeout,
                MemorySegment.NULL, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Wakes up to {@code waiters} threads sleeping on the int at {@code address}, in any process. */
    public static void wake(long address, int waiters) {
        try {
            long rc = (long) SYSCALL.invokeExact(SYS_FUTEX, MemorySegment.ofAddress(address), (long) FUTEX_WAKE, (long) waiters,
                MemorySegment.NULL, MemorySegment.NULL, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
