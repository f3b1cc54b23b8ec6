package io.calisto.io.dispatch;

/**
 * Calisto: a per-application {@link FlowTable} RSS hash → core. A new flow is bound to the next core round-robin;
 * later packets of the flow go to that core for as long as the app holds it. When the bound core has been revoked
 * the flow is re-bound round-robin (counted as a rebind). A full table never fails a packet: the new flow is
 * dispatched by modulo and counted.
 */
public final class AffinityTablePolicy implements DispatchPolicy {
    private final ActiveCores cores;
    private final FlowTable table;
    private int nextIndex;
    private long rebinds;
    private long fullFallbacks;

    public AffinityTablePolicy(ActiveCores cores, int tableCapacity) {
        this.cores = cores;
        this.table = new FlowTable(tableCapacity);
    }

    @Override
    public int coreFor(int rssHash, long nowNanos) {
        int n = cores.count();
        if (n == 0) return NO_CORE;
        int bound = table.get(rssHash);
        if (bound != FlowTable.MISSING) {
            if (cores.contains(bound)) return bound;
            int core = nextCore(n);
            table.put(rssHash, core);
            rebinds++;
            return core;
        }
        if (table.isFull()) {
            fullFallbacks++;
            return cores.get(Integer.remainderUnsigned(rssHash, n));
        }
        int core = nextCore(n);
        table.put(rssHash, core);
        return core;
    }

    private int nextCore(int n) {
        if (nextIndex >= n) nextIndex = 0;
        return cores.get(nextIndex++);
    }

    @Override
    public String name() { return "affinity"; }

    @Override
    public long rebinds() { return rebinds; }

    @Override
    public long tableFullFallbacks() { return fullFallbacks; }

    @Override
    public int tableSize() { return table.size(); }

    /** Forgets every flow (a cold table, as at start-up). Control path only. */
    public void clear() { table.clear(); }

    /** The core this flow is bound to, or {@link FlowTable#MISSING}; for tests and the flows command. */
    public int boundCore(int rssHash) { return table.get(rssHash); }
}
