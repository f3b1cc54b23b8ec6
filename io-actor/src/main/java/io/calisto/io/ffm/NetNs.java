package io.calisto.io.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/**
 * Moves the calling thread into a named network namespace ({@code ip netns add NAME}) with libc's setns(2).
 * Namespaces are per thread, so a JVM can open a DPDK af_packet port (or a plain socket) inside a namespace from one
 * thread while the rest of the process stays where it is.
 */
public final class NetNs {
    private static final int O_RDONLY = 0, CLONE_NEWNET = 0x40000000;
    private static final Linker LIBC = Linker.nativeLinker();
    private static final MethodHandle OPEN = LIBC.downcallHandle(LIBC.defaultLookup().find("open").orElseThrow(),
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.captureCallState("errno"));
    private static final MethodHandle SETNS = LIBC.downcallHandle(LIBC.defaultLookup().find("setns").orElseThrow(),
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.captureCallState("errno"));
    private static final MethodHandle CLOSE = LIBC.downcallHandle(LIBC.defaultLookup().find("close").orElseThrow(),
        FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private NetNs() {}

    /** Runs {@code work} on a fresh thread inside namespace {@code name}, or right here when {@code name} is empty. */
    public static <T> T call(String name, java.util.function.Supplier<T> work) {
        if (name.isEmpty()) return work.get();
        return io.calisto.aeron.OnThread.call("calisto-netns-" + name, () -> {
            enter(name);
            return work.get();
        });
    }

    /** Enters {@code /var/run/netns/NAME} for the calling thread only. */
    public static void enter(String name) {
        if (!name.matches("[A-Za-z0-9_.-]+")) throw new IllegalArgumentException("bad network namespace name '" + name + "'");
        try (Arena arena = Arena.ofConfined()) {
            var state = arena.allocate(Linker.Option.captureStateLayout());
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom("/var/run/netns/" + name), O_RDONLY);
            if (fd < 0) throw new DpdkException("no network namespace '" + name + "' (ip netns add " + name + "): errno " + errno(state));
            int rc = (int) SETNS.invokeExact(state, fd, CLONE_NEWNET);
            int closed = (int) CLOSE.invokeExact(fd);
            if (rc != 0) throw new DpdkException("cannot enter network namespace '" + name + "' (needs root): errno " + errno(state));
        } catch (DpdkException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static int errno(java.lang.foreign.MemorySegment state) {
        return (int) Linker.Option.captureStateLayout().varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno")).get(state, 0L);
    }
}
