package io.calisto.io.dispatch;

/**
 * Counts flow migrations: a flow (RSS hash) whose packets reached more than one core. Same hash → same core under
 * every policy, so keying by hash never reports a false move. One table lookup per packet; can be switched off.
 */
public final class MigrationTracker {
    private static final int MOVED = 1 << 30;
    private final FlowTable lastCore;
    private long moves;
    private long migratedFlows;
    private long untracked;

    public MigrationTracker(int capacity) { lastCore = new FlowTable(capacity); }

    public void record(int rssHash, int core) {
        int prev = lastCore.get(rssHash);
        if (prev == FlowTable.MISSING) {
            if (!lastCore.put(rssHash, core)) untracked++;
            return;
        }
        if ((prev & ~MOVED) == core) return;
        moves++;
        if ((prev & MOVED) == 0) migratedFlows++;
        lastCore.put(rssHash, core | MOVED);
    }

    /** Packets that changed core relative to the flow's previous packet. */
    public long moves() { return moves; }

    /** Distinct flows that reached more than one core. */
    public long migratedFlows() { return migratedFlows; }

    /** Distinct flows seen (tracked). */
    public int flows() { return lastCore.size(); }

    /** New flows not tracked because the table was full. */
    public long untracked() { return untracked; }
}
