package io.calisto.io.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;

import io.calisto.aeron.OnThread;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code rte_eal_init} may run once per process. The first caller's arguments win; later callers with other
 * arguments get a clear error instead of a second init. It runs on a short-lived thread because EAL pins the
 * calling thread to the main lcore; the IO thread stays a non-EAL thread (no mempool cache, which we do not use).
 */
public final class Eal {
    public static final String SUPPORTED = "DPDK 22.11";
    private static List<String> initArgs;

    private Eal() {}

    public static synchronized void init(List<String> args) { init(args, ""); }

    /**
     * As {@link #init(List)}, with the init thread first entering network namespace {@code netns} (empty: stay):
     * vdevs probed during init (af_packet) then open their sockets in that namespace.
     */
    public static synchronized void init(List<String> args, String netns) {
        if (!Dpdk.available()) throw new DpdkException(Dpdk.unavailableReason());
        if (initArgs != null) {
            if (!initArgs.equals(args)) throw new DpdkException("DPDK EAL is already initialised in this process with " + initArgs + "; it cannot be re-initialised with " + args);
            return;
        }
        String version = Dpdk.version();
        if (!version.startsWith(SUPPORTED)) {
            throw new DpdkException(version + " is not supported: the struct offsets used here are verified for " + SUPPORTED);
        }
        int[] errno = new int[1];
        // EAL init pins the calling thread and (with a netns) must run inside the namespace: a throwaway thread
        int rc = OnThread.call("calisto-eal-init", () -> {
            if (!netns.isEmpty()) NetNs.enter(netns);
            Arena arena = Arena.global();
            List<String> argv = new ArrayList<>();
            argv.add("calisto");
            argv.addAll(args);
            MemorySegment array = arena.allocate(ADDRESS, argv.size() + 1);
            for (int i = 0; i < argv.size(); i++) array.setAtIndex(ADDRESS, i, arena.allocateFrom(argv.get(i)));
            try {
                int r = (int) Dpdk.EAL_INIT.invokeExact(argv.size(), array);
                if (r < 0) errno[0] = Dpdk.errno();
                return r;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        });
        if (rc < 0) {
            String hint = errno[0] == 13 || errno[0] == 1 ? " (DPDK needs root here)" : "";
            throw new DpdkException("DPDK EAL init failed: " + Dpdk.strerror(errno[0]) + hint + " (args " + args + ")");
        }
        initArgs = List.copyOf(args);
    }

    public static synchronized boolean initialised() { return initArgs != null; }
}
