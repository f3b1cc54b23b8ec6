package io.calisto.io.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Optional;

/**
 * DPDK 22.11's exported functions, bound once through FFM (no C shim). The inline fast-path functions
 * ({@code rte_eth_rx_burst}, {@code rte_pktmbuf_alloc}, ...) have no symbol; {@link DpdkPort} reaches what they call
 * through the exported {@code rte_eth_fp_ops} and {@code rte_mempool_ops_table} instead. When the libraries are
 * absent, {@link #available()} is false and {@link #unavailableReason()} says what to install.
 */
final class Dpdk {
    static final Linker LINKER = Linker.nativeLinker();
    /** All of memory, for reading mbuf fields at absolute addresses without creating a segment per packet. */
    static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private static final String[] LIBS = {"librte_eal.so.23", "librte_mempool.so.23", "librte_mbuf.so.23", "librte_ethdev.so.23"};
    private static final SymbolLookup LOOKUP;
    private static final String UNAVAILABLE;

    static {
        SymbolLookup lookup = null;
        String reason = null;
        try {
            for (String lib : LIBS) {
                SymbolLookup l = SymbolLookup.libraryLookup(lib, Arena.global());
                lookup = lookup == null ? l : lookup.or(l);
            }
        } catch (IllegalArgumentException e) {
            reason = "DPDK 22.11 libraries not found (" + String.join(", ", LIBS) + "): install them with apt-get install dpdk libdpdk-dev";
            lookup = null;
        }
        LOOKUP = lookup;
        UNAVAILABLE = reason;
    }

    static final MethodHandle EAL_INIT = fn("rte_eal_init", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    static final MethodHandle THREAD_REGISTER = fn("rte_thread_register", FunctionDescriptor.of(JAVA_INT));
    static final MethodHandle THREAD_UNREGISTER = fn("rte_thread_unregister", FunctionDescriptor.ofVoid());
    static final MethodHandle STRERROR = fn("rte_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    static final MethodHandle VERSION = fn("rte_version", FunctionDescriptor.of(ADDRESS));
    static final MethodHandle POOL_CREATE = fn("rte_pktmbuf_pool_create",
        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_INT));
    static final MethodHandle POOL_FREE = fn("rte_mempool_free", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle IN_USE = fn("rte_mempool_in_use_count", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle FREE_BULK = fn("rte_pktmbuf_free_bulk", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT), Linker.Option.critical(false));
    static final MethodHandle PORT_BY_NAME = fn("rte_eth_dev_get_port_by_name", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle VALID_PORT = fn("rte_eth_dev_is_valid_port", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    static final MethodHandle SOCKET_ID = fn("rte_eth_dev_socket_id", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    static final MethodHandle INFO_GET = fn("rte_eth_dev_info_get", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    static final MethodHandle CONFIGURE = fn("rte_eth_dev_configure", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, ADDRESS));
    static final MethodHandle RX_QUEUE_SETUP = fn("rte_eth_rx_queue_setup",
        FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle TX_QUEUE_SETUP = fn("rte_eth_tx_queue_setup",
        FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_INT, ADDRESS));
    static final MethodHandle DEV_START = fn("rte_eth_dev_start", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    static final MethodHandle DEV_STOP = fn("rte_eth_dev_stop", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    static final MethodHandle DEV_CLOSE = fn("rte_eth_dev_close", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));

    /** {@code struct rte_eth_fp_ops rte_eth_fp_ops[RTE_MAX_ETHPORTS]}: per-port fast-path function pointers. */
    static final MemorySegment FP_OPS = data("rte_eth_fp_ops");
    /** {@code struct rte_mempool_ops_table}: the mempool drivers' enqueue/dequeue pointers. */
    static final MemorySegment MEMPOOL_OPS = data("rte_mempool_ops_table");
    /** The calling thread's {@code rte_errno} (a TLS variable: dlsym resolves it for the current thread). */
    static final String ERRNO_SYMBOL = "per_lcore__rte_errno";

    /** rx/tx burst and mempool dequeue: {@code (void *q, struct rte_mbuf **pkts, uint16_t n)}-like signatures. */
    static final FunctionDescriptor BURST = FunctionDescriptor.of(JAVA_SHORT, ADDRESS, ADDRESS, JAVA_SHORT);
    static final FunctionDescriptor DEQUEUE = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    /**
     * Calls through a function pointer given as the first argument. Static final, so the JIT inlines the whole call;
     * a handle bound per port would live in an instance field and cost a non-constant invokeExact per burst.
     */
    static final MethodHandle CALL_BURST = LINKER.downcallHandle(BURST, Linker.Option.critical(false));
    static final MethodHandle CALL_DEQUEUE = LINKER.downcallHandle(DEQUEUE, Linker.Option.critical(false));

    private Dpdk() {}

    static boolean available() { return UNAVAILABLE == null; }

    static String unavailableReason() { return UNAVAILABLE; }

    private static MethodHandle fn(String name, FunctionDescriptor d, Linker.Option... options) {
        if (LOOKUP == null) return null;
        Optional<MemorySegment> s = LOOKUP.find(name);
        if (s.isEmpty()) throw new IllegalStateException("DPDK symbol " + name + " not exported by " + List.of(LIBS));
        return LINKER.downcallHandle(s.get(), d, options);
    }

    private static MemorySegment data(String name) {
        if (LOOKUP == null) return null;
        return LOOKUP.find(name).orElseThrow(() -> new IllegalStateException("DPDK symbol " + name + " not exported"))
            .reinterpret(Long.MAX_VALUE);
    }

    static int errno() {
        MemorySegment e = LOOKUP.find(ERRNO_SYMBOL).orElseThrow().reinterpret(4);
        return e.get(JAVA_INT, 0);
    }

    static String strerror(int errno) {
        try {
            return ((MemorySegment) STRERROR.invokeExact(errno)).reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    static String version() {
        try {
            return ((MemorySegment) VERSION.invokeExact()).reinterpret(64).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
