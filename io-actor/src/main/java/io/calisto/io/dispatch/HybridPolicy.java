package io.calisto.io.dispatch;

import java.util.Arrays;

/**
 * Paper §7's hybrid ({@code affinity-hybrid}): modulo while a flow is new, sticky once it shows it is not a
 * one-packet flow. The rule (docs/decisions.md 26):
 * <ol>
 *   <li>a flow's first packet goes to {@code held[hash % n]} (modulo over the cores the app holds) and the flow becomes
 *       a <em>candidate</em>: its hash, that core and the core's published position, in a direct-mapped array of
 *       {@link #CANDIDATES} slots (no flow-table entry: one-packet flows never fill the table);</li>
 *   <li>its second packet binds it in the {@link FlowTable} to the core its first packet went to (not to modulo's
 *       core now: the core count may have changed while the first packet was queued) and from then on it is sticky
 *       there, like {@code affinity-held}, until its entry expires after the flow idle timeout;</li>
 *   <li>a new flow whose candidate slot holds another flow whose packet is still queued or in a handler does not
 *       push it out: that flow is bound in the table first (it keeps its core). So a flow with packets queued is always
 *       either a candidate or in the table, and the policy itself never moves it;</li>
 *   <li>a flow moves only when its core leaves the app (revoke, preemption, drain: it is re-bound by modulo and
 *       counted in {@link #rebinds()}); the frame's per-flow order barrier then keeps its packets in order.</li>
 * </ol>
 * A full table never fails a packet: a flow that cannot be bound stays a candidate (same core) and is counted as a
 * table-full fallback. No core is ever woken for a flow: it only uses held cores (the scheduler grants on arrival).
 * IO thread only; O(1) per packet, no allocation.
 */
public final class HybridPolicy implements DispatchPolicy {
    /** Candidate slots (direct-mapped by hash): 64k × 16 B = 1 MiB per app. */
    public static final int CANDIDATES = 1 << 16;
    private static final int EMPTY = -1;

    private final ActiveCores cores;
    private final FlowTable table;
    private final int[] candHash = new int[CANDIDATES];
    private final int[] candCore = new int[CANDIDATES];
    private final long[] candPos = new long[CANDIDATES];
    private CoreProgress progress;
    private long rebinds;
    private long fullFallbacks;
    private long promoted;
    private long earlyPromoted;

    public HybridPolicy(ActiveCores cores, int tableCapacity, long flowIdleTimeoutNanos) {
        this.cores = cores;
        this.table = new FlowTable(tableCapacity, flowIdleTimeoutNanos);
        Arrays.fill(candCore, EMPTY);
    }

    @Override
    public void progress(CoreProgress progress) { this.progress = progress; }

    @Override
    public int prefetch(int rssHash) { return table.prefetch(rssHash); }

    @Override
    public int coreFor(int rssHash, long nowNanos) {
        int n = cores.count();
        if (n == 0) return NO_CORE;
        int bound = table.touch(rssHash, nowNanos);
        if (bound != FlowTable.MISSING) {
            if (cores.contains(bound)) return bound;
            int core = modulo(rssHash, n);
            table.put(rssHash, core, nowNanos);
            rebinds++;
            return core;
        }
        int i = slot(rssHash);
        if (candHash[i] == rssHash && candCore[i] != EMPTY) {
            // the second packet: not a one-packet flow; it stays where its first packet went
            int core = candCore[i];
            if (!cores.contains(core)) {
                core = modulo(rssHash, n);
                rebinds++;
            }
            if (table.put(rssHash, core, nowNanos)) {
                candCore[i] = EMPTY;
                promoted++;
            } else {
                fullFallbacks++;
                remember(i, rssHash, core);
            }
            return core;
        }
        int core = modulo(rssHash, n);
        if (candCore[i] != EMPTY && progress != null && progress.inFlight(candCore[i], candPos[i])) {
            // the slot's flow has its packet queued: bind it where it is instead of forgetting its core
            if (table.put(candHash[i], candCore[i], nowNanos)) {
                earlyPromoted++;
            } else {
                fullFallbacks++;
                return core; // cannot keep both: the new flow goes unremembered (its order barrier still holds)
            }
        }
        remember(i, rssHash, core);
        return core;
    }

    private void remember(int i, int rssHash, int core) {
        candHash[i] = rssHash;
        candCore[i] = core;
        candPos[i] = progress == null ? -1 : progress.published(core);
    }

    private int modulo(int rssHash, int n) { return cores.get(Integer.remainderUnsigned(rssHash, n)); }

    private static int slot(int rssHash) { return (rssHash * 0x9E3779B9) >>> 16; }

    @Override
    public void tick(long nowNanos) { table.sweep(nowNanos, AffinityTablePolicy.SWEEP_SLOTS); }

    /** The table entry, else the candidate's core (where its first packet went), else none (a new flow). */
    @Override
    public int placement(int rssHash) {
        int bound = table.get(rssHash);
        if (bound != FlowTable.MISSING) return bound;
        int i = slot(rssHash);
        return candHash[i] == rssHash && candCore[i] != EMPTY ? candCore[i] : NO_CORE;
    }

    @Override
    public String name() { return "affinity-hybrid"; }

    @Override
    public long rebinds() { return rebinds; }

    @Override
    public long tableFullFallbacks() { return fullFallbacks; }

    @Override
    public int tableSize() { return table.size(); }

    @Override
    public long expired() { return table.expired(); }

    /** Flows bound in the table at their second packet. */
    public long promoted() { return promoted; }

    /** Flows bound early because a new flow needed their candidate slot while their packet was still queued. */
    public long earlyPromoted() { return earlyPromoted; }

    /** The core this flow is bound to in the table, or {@link FlowTable#MISSING} (a new or candidate flow). */
    public int boundCore(int rssHash) { return table.get(rssHash); }
}
