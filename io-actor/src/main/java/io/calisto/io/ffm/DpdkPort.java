package io.calisto.io.ffm;

import static io.calisto.io.ffm.Dpdk.ALL;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.calisto.io.port.PacketPort;
import io.calisto.io.port.RxBatch;
import io.calisto.io.port.TxBatch;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DPDK ethdev port driven from Java through FFM, one rx and one tx queue, polled by the IO thread.
 * RX calls the PMD's burst function straight from {@code rte_eth_fp_ops} and hands the frames to the IO core in place
 * (the batch holds the PMD's mbuf pointers and dispatch reads each mbuf where it needs it; nothing is copied until the
 * Aeron claim); TX takes mbufs from the mempool
 * driver's dequeue (also a pointer from an exported table, because {@code rte_pktmbuf_alloc} is inline), copies
 * the reply in and calls the PMD's tx burst. Struct offsets are DPDK 22.11 x86_64, checked at start.
 */
public final class DpdkPort implements PacketPort {
    // struct rte_mbuf (22.11, x86_64)
    static final long MB_BUF_ADDR = 0, MB_DATA_OFF = 16, MB_REFCNT = 18, MB_NB_SEGS = 20, MB_PORT = 22, MB_OL_FLAGS = 24,
        MB_PKT_LEN = 36, MB_DATA_LEN = 40, MB_RSS = 44, MB_BUF_LEN = 54, MB_POOL = 56, MB_NEXT = 64;
    static final long RX_RSS_HASH = 1L << 1;
    /**
     * What the IO core reads of a received mbuf. RX scatter is not requested, so the PMD hands over single-segment
     * mbufs (frames longer than the data room are dropped by the device); were one chained, only its first segment
     * would be read and the parser would count the frame as truncated.
     */
    static final RxBatch.NativeLayout MBUF = new RxBatch.NativeLayout(MB_BUF_ADDR, MB_DATA_OFF, MB_DATA_LEN, MB_OL_FLAGS, RX_RSS_HASH, MB_RSS);
    static final int HEADROOM = 128, DATA_ROOM = RxBatch.SLOT_BYTES + HEADROOM;
    // struct rte_eth_fp_ops, rte_mempool, rte_mempool_ops_table / rte_mempool_ops, rte_eth_conf, rte_eth_dev_info
    static final long FP_SIZE = 128, FP_RX = 0, FP_RXQ_DATA = 24, FP_TX = 64, FP_TXQ_DATA = 88;
    static final long MP_OPS_INDEX = 88, OPS_TABLE_OPS = 64, OPS_SIZE = 128, OPS_DEQUEUE = 56;
    static final int ETH_CONF_SIZE = 2272, DEV_INFO_SIZE = 376;
    static final long CONF_MQ_MODE = 8, CONF_RSS_KEY = 128, CONF_RSS_KEY_LEN = 136, CONF_RSS_HF = 144, INFO_RSS_OFFLOADS = 112;
    static final long RSS_IP_TCP_UDP = 0xa38cL | 0x10410L | 0x20820L;
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final DpdkConfig cfg;
    private final short port;
    private final MemorySegment pool;
    private final MemorySegment rxq, txq;
    private final MemorySegment rxBurst, txBurst, dequeue;
    private final MemorySegment rxPkts, txPkts;
    private final long rxPktsAddress;
    private final boolean rssConfigured;
    private boolean checkedFirstMbuf;
    private Thread pollingThread;
    private boolean lcoreRegistered;
    private boolean closed;
    private long rxPackets, txPackets, txFailed;

    public DpdkPort(DpdkConfig cfg, int burst) {
        this.cfg = cfg;
        Eal.init(cfg.ealArgs(), cfg.netns());
        Setup setup = NetNs.call(cfg.netns(), () -> setUp(cfg));
        this.port = setup.port();
        this.pool = setup.pool();
        this.rssConfigured = setup.rss();
        // the fast-path pointers are published by rte_eth_dev_start
        MemorySegment fp = Dpdk.FP_OPS.asSlice((port & 0xffff) * FP_SIZE, FP_SIZE);
        long rxFn = fp.get(JAVA_LONG, FP_RX), txFn = fp.get(JAVA_LONG, FP_TX);
        long rxData = fp.get(JAVA_LONG, FP_RXQ_DATA), txData = fp.get(JAVA_LONG, FP_TXQ_DATA);
        if (rxFn == 0 || txFn == 0 || rxData == 0 || txData == 0) throw new DpdkException("rte_eth_fp_ops of port " + port + " is empty: struct layout does not match " + Eal.SUPPORTED);
        rxq = MemorySegment.ofAddress(ALL.get(JAVA_LONG, rxData));
        txq = MemorySegment.ofAddress(ALL.get(JAVA_LONG, txData));
        rxBurst = MemorySegment.ofAddress(rxFn);
        txBurst = MemorySegment.ofAddress(txFn);
        dequeue = MemorySegment.ofAddress(dequeueFunction(pool));
        int cap = Math.max(burst, 1);
        rxPkts = Arena.global().allocate(8L * cap, 64);
        txPkts = Arena.global().allocate(8L * cap, 64);
        rxPktsAddress = rxPkts.address();
        selfTest();
    }

    private record Setup(short port, MemorySegment pool, boolean rss) {}

    /**
     * Mempool, configure, queues, start. Runs inside {@code calisto.dpdk.netns} when set: af_packet brings its
     * interface up through a socket opened by the calling thread, so that thread must see the interface.
     */
    private static Setup setUp(DpdkConfig cfg) {
        Arena arena = Arena.ofAuto();
        try {
            short port = resolvePort(cfg.port(), arena);
            int socket = (int) Dpdk.SOCKET_ID.invokeExact(port);
            String poolName = "calisto_" + (port & 0xffff) + "_" + POOLS.incrementAndGet();
            MemorySegment pool = (MemorySegment) Dpdk.POOL_CREATE.invokeExact(arena.allocateFrom(poolName), cfg.mempoolSize(), cfg.mempoolCache(),
                (short) 0, (short) DATA_ROOM, socket);
            if (pool.address() == 0) throw new DpdkException("rte_pktmbuf_pool_create failed: " + Dpdk.strerror(Dpdk.errno()));
            MemorySegment info = arena.allocate(DEV_INFO_SIZE);
            check((int) Dpdk.INFO_GET.invokeExact(port, info), "rte_eth_dev_info_get");
            long rssOffloads = info.get(JAVA_LONG, INFO_RSS_OFFLOADS);
            MemorySegment conf = arena.allocate(ETH_CONF_SIZE);
            boolean rssConfigured = (rssOffloads & RSS_IP_TCP_UDP) != 0;
            if (rssConfigured) {
                // ask the NIC for the same Toeplitz hash we compute in software, with our key
                MemorySegment key = Arena.global().allocate(cfg.rssKey().length);
                key.copyFrom(MemorySegment.ofArray(cfg.rssKey()));
                conf.set(JAVA_INT, CONF_MQ_MODE, 1);
                conf.set(ADDRESS, CONF_RSS_KEY, key);
                conf.set(JAVA_BYTE, CONF_RSS_KEY_LEN, (byte) cfg.rssKey().length);
                conf.set(JAVA_LONG, CONF_RSS_HF, rssOffloads & RSS_IP_TCP_UDP);
            }
            check((int) Dpdk.CONFIGURE.invokeExact(port, (short) 1, (short) 1, conf), "rte_eth_dev_configure");
            check((int) Dpdk.RX_QUEUE_SETUP.invokeExact(port, (short) 0, (short) cfg.rxRing(), socket, MemorySegment.NULL, pool), "rte_eth_rx_queue_setup");
            check((int) Dpdk.TX_QUEUE_SETUP.invokeExact(port, (short) 0, (short) cfg.txRing(), socket, MemorySegment.NULL), "rte_eth_tx_queue_setup");
            check((int) Dpdk.DEV_START.invokeExact(port), "rte_eth_dev_start");
            return new Setup(port, pool, rssConfigured);
        } catch (DpdkException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("DPDK set-up failed", t);
        }
    }

    /** True when the DPDK 22.11 libraries can be loaded; otherwise {@link #unavailableReason()} says what to install. */
    public static boolean available() { return Dpdk.available(); }

    public static String unavailableReason() { return Dpdk.unavailableReason(); }

    private static short resolvePort(String name, Arena arena) throws Throwable {
        short id;
        if (name.matches("\\d+")) {
            id = (short) Integer.parseInt(name);
        } else {
            MemorySegment out = arena.allocate(JAVA_SHORT);
            if ((int) Dpdk.PORT_BY_NAME.invokeExact(arena.allocateFrom(name), out) != 0) {
                throw new DpdkException("no DPDK port named '" + name + "' (is it in calisto.dpdk.eal-args, e.g. --vdev=" + name + "?)");
            }
            id = out.get(JAVA_SHORT, 0);
        }
        if ((int) Dpdk.VALID_PORT.invokeExact(id) == 0) throw new DpdkException("no DPDK port with id " + name);
        return id;
    }

    /** The mempool driver's dequeue function, after checking the ops entry looks like one (a name, a pointer). */
    private static long dequeueFunction(MemorySegment pool) {
        int index = ALL.get(JAVA_INT, pool.address() + MP_OPS_INDEX);
        if (index < 0 || index >= 16) throw new DpdkException("mempool ops index " + index + " out of range: struct layout does not match " + Eal.SUPPORTED);
        MemorySegment ops = Dpdk.MEMPOOL_OPS.asSlice(OPS_TABLE_OPS + index * OPS_SIZE, OPS_SIZE);
        String name = ops.getString(0);
        long fn = ops.get(JAVA_LONG, OPS_DEQUEUE);
        if (!name.matches("[a-z_0-9]{2,31}") || fn == 0) throw new DpdkException("mempool ops entry '" + name + "' does not look like " + Eal.SUPPORTED + "'s layout");
        return fn;
    }

    /** Takes one mbuf and checks the fields we rely on hold what they must; refuses to run otherwise. */
    private void selfTest() {
        try {
            if ((int) Dpdk.CALL_DEQUEUE.invokeExact(dequeue, pool, txPkts, 1) != 0) throw new DpdkException("mempool is empty at start");
            long m = txPkts.get(JAVA_LONG, 0);
            long pointsTo = ALL.get(JAVA_LONG, m + MB_POOL);
            int bufLen = ALL.get(JAVA_SHORT, m + MB_BUF_LEN) & 0xffff;
            int refcnt = ALL.get(JAVA_SHORT, m + MB_REFCNT) & 0xffff;
            long bufAddr = ALL.get(JAVA_LONG, m + MB_BUF_ADDR);
            Dpdk.FREE_BULK.invokeExact(txPkts, 1);
            if (pointsTo != pool.address() || bufLen != DATA_ROOM || refcnt != 1 || bufAddr == 0) {
                throw new DpdkException("rte_mbuf layout does not match " + Eal.SUPPORTED + " (pool " + Long.toHexString(pointsTo)
                    + " vs " + Long.toHexString(pool.address()) + ", buf_len " + bufLen + ", refcnt " + refcnt + "): refusing to read garbage");
            }
        } catch (DpdkException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void check(int rc, String what) {
        if (rc < 0) throw new DpdkException(what + " failed: " + Dpdk.strerror(-rc));
    }

    @Override
    public String name() { return "dpdk:" + cfg.port(); }

    /**
     * The polling thread becomes an EAL lcore on its first burst: only lcores get a mempool cache, and without one
     * every mbuf the PMD allocates and we free goes through the mempool ring's CAS (bench dpdk-rx: the gap to
     * testpmd was mostly this).
     */
    private void registerPollingThread() {
        pollingThread = Thread.currentThread();
        try {
            lcoreRegistered = (int) Dpdk.THREAD_REGISTER.invokeExact() == 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Whether the polling thread got an EAL lcore id (and so a mempool cache). */
    public boolean lcoreRegistered() { return lcoreRegistered; }

    @Override
    public int receive(RxBatch batch, long nowNanos) {
        if (pollingThread == null) registerPollingThread();
        int n;
        try {
            n = (short) Dpdk.CALL_BURST.invokeExact(rxBurst, rxq, rxPkts, (short) batch.capacity()) & 0xffff;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        // no per-packet work here: the batch reads each mbuf's fields when the IO core asks (decoding them all into
        // arrays first cost ~4 ns per packet, a fifth of testpmd's whole per-packet budget; bench dpdk-rx)
        batch.nativeBurst(rxPktsAddress, n, MBUF, nowNanos);
        if (!checkedFirstMbuf && n > 0) checkFirst(rxPkts.get(JAVA_LONG, 0));
        rxPackets += n;
        return n;
    }

    private void checkFirst(long m) {
        checkedFirstMbuf = true;
        int off = ALL.get(JAVA_SHORT, m + MB_DATA_OFF) & 0xffff, len = ALL.get(JAVA_SHORT, m + MB_DATA_LEN) & 0xffff;
        int pktLen = ALL.get(JAVA_INT, m + MB_PKT_LEN);
        if (ALL.get(JAVA_LONG, m + MB_POOL) != pool.address() || off + len > DATA_ROOM || pktLen < len) {
            throw new DpdkException("first received mbuf does not match " + Eal.SUPPORTED + "'s layout: refusing to read garbage");
        }
    }

    @Override
    public void release(RxBatch batch) {
        try {
            Dpdk.FREE_BULK.invokeExact(rxPkts, batch.count());
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public int transmit(TxBatch batch) {
        int n = batch.count();
        if (n == 0) return 0;
        try {
            if ((int) Dpdk.CALL_DEQUEUE.invokeExact(dequeue, pool, txPkts, n) != 0) {
                txFailed += n; // mempool exhausted: nothing sent, the IO core counts them as tx-full
                return 0;
            }
            for (int i = 0; i < n; i++) {
                long m = txPkts.getAtIndex(JAVA_LONG, i);
                int len = batch.length(i);
                // what rte_pktmbuf_reset does for a fresh single-segment mbuf
                ALL.set(JAVA_SHORT, m + MB_DATA_OFF, (short) HEADROOM);
                ALL.set(JAVA_SHORT, m + MB_NB_SEGS, (short) 1);
                ALL.set(JAVA_SHORT, m + MB_PORT, port);
                ALL.set(JAVA_LONG, m + MB_OL_FLAGS, 0L);
                ALL.set(JAVA_INT, m + MB_PKT_LEN, len);
                ALL.set(JAVA_SHORT, m + MB_DATA_LEN, (short) len);
                ALL.set(JAVA_LONG, m + MB_NEXT, 0L);
                MemorySegment.copy(ALL, batch.frame(i).addressOffset(), ALL, ALL.get(JAVA_LONG, m + MB_BUF_ADDR) + HEADROOM, len);
            }
            int sent = (short) Dpdk.CALL_BURST.invokeExact(txBurst, txq, txPkts, (short) n) & 0xffff;
            if (sent < n) {
                Dpdk.FREE_BULK.invokeExact(txPkts.asSlice(8L * sent), n - sent);
                txFailed += n - sent;
            }
            txPackets += sent;
            return sent;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public long rxPackets() { return rxPackets; }

    public long txPackets() { return txPackets; }

    public long txFailed() { return txFailed; }

    public boolean rssConfigured() { return rssConfigured; }

    /** Mbufs of our pool not in the pool: 0 when nothing leaks. */
    public int mbufsInUse() {
        try {
            return (int) Dpdk.IN_USE.invokeExact(pool);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (lcoreRegistered && Thread.currentThread() == pollingThread) {
            try {
                Dpdk.THREAD_UNREGISTER.invokeExact();
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
        NetNs.call(cfg.netns(), () -> {
            try {
                int stopped = (int) Dpdk.DEV_STOP.invokeExact(port);
                int closedRc = (int) Dpdk.DEV_CLOSE.invokeExact(port);
                Dpdk.POOL_FREE.invokeExact(pool);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            return null;
        });
    }
}
