package io.calisto.io.dispatch;

/**
 * Calisto: a per-application {@link FlowTable} RSS hash → core. A new flow is bound to the next core round-robin;
 * later packets of the flow go to that core for as long as the app holds it. A full table never fails a packet: the
 * new flow is dispatched by modulo and counted. What happens when a flow's bound core is no longer the app's depends
 * on the {@link Mode}. With an idle timeout, entries of flows not seen for that long expire (see {@link FlowTable}):
 * {@link #tick} sweeps a bounded number of slots per IO loop iteration, and a flow whose entry expired is a new flow
 * again. A flow that keeps sending keeps its entry, whatever number of other flows comes and goes. A flow that
 * arrived while the table was full rides modulo until room appears; so that getting an entry then does not move it,
 * a new flow takes its modulo core instead of the next round-robin one while the last fallback is at most one idle
 * timeout old (an older fallback flow has been idle that long, like an expired one, and may move).
 */
public final class AffinityTablePolicy implements DispatchPolicy {
    /** What to do with a packet whose flow is bound to a core the app does not hold (any more). */
    public enum Mode {
        /** The paper: {@code cores_add_core(p, assigned_core)} takes the core back if it is idle; else re-bind. */
        PAPER("affinity"),
        /** Never ask for the core: re-bind the flow round-robin to a held core (counted as a rebind). */
        REBIND("affinity-rebind"),
        /** The published code: the table's core is a hint; when not held, modulo over the held cores, entry kept. */
        PUBLISHED("affinity-published");

        final String policyName;

        Mode(String policyName) { this.policyName = policyName; }
    }

    /** Asks the scheduler for a specific core (paper mode); true if the app now holds it. */
    @FunctionalInterface
    public interface CoreAcquirer {
        boolean acquire(int core, long nowNanos);
    }

    private final ActiveCores cores;
    private final FlowTable table;
    private final Mode mode;
    private CoreAcquirer acquirer;
    private long acquired;
    private int nextIndex;
    private long rebinds;
    private long fullFallbacks;
    private final long idleTimeoutNanos;
    /** A fallback happened (only tracked when entries expire) at {@link #lastFallbackNanos}. */
    private boolean fellBack;
    private long lastFallbackNanos;

    /** Slots of the flow table {@link #tick} examines per call (one call per IO loop iteration). */
    public static final int SWEEP_SLOTS = 64;

    /** Paper mode, entries never expire. */
    public AffinityTablePolicy(ActiveCores cores, int tableCapacity) { this(cores, tableCapacity, Mode.PAPER); }

    /** Entries never expire. */
    public AffinityTablePolicy(ActiveCores cores, int tableCapacity, Mode mode) { this(cores, tableCapacity, mode, FlowTable.NEVER); }

    /** Entries expire after {@code flowIdleTimeoutNanos} without a packet ({@link FlowTable#NEVER}: never). */
    public AffinityTablePolicy(ActiveCores cores, int tableCapacity, Mode mode, long flowIdleTimeoutNanos) {
        this.cores = cores;
        this.table = new FlowTable(tableCapacity, flowIdleTimeoutNanos);
        this.mode = mode;
        this.idleTimeoutNanos = flowIdleTimeoutNanos;
    }

    /** Lets paper mode ask the scheduler for a flow's bound core; without one, paper mode re-binds. */
    public void acquirer(CoreAcquirer acquirer) { this.acquirer = acquirer; }

    @Override
    public int coreFor(int rssHash, long nowNanos) {
        int n = cores.count();
        if (n == 0) return NO_CORE;
        int bound = table.touch(rssHash, nowNanos);
        if (bound != FlowTable.MISSING) {
            if (cores.contains(bound)) return bound;
            if (mode == Mode.PUBLISHED) return cores.get(Integer.remainderUnsigned(rssHash, n));
            if (mode == Mode.PAPER && acquirer != null && acquirer.acquire(bound, nowNanos)) {
                acquired++;
                return bound;
            }
            int core = nextCore(n);
            table.put(rssHash, core, nowNanos);
            rebinds++;
            return core;
        }
        if (table.isFull()) {
            fullFallbacks++;
            fellBack = idleTimeoutNanos != FlowTable.NEVER;
            lastFallbackNanos = nowNanos;
            return cores.get(Integer.remainderUnsigned(rssHash, n));
        }
        // this may be a flow that fell back while the table was full: keep it on the core modulo gave it
        int core = fellBack && nowNanos - lastFallbackNanos <= idleTimeoutNanos ? cores.get(Integer.remainderUnsigned(rssHash, n)) : nextCore(n);
        table.put(rssHash, core, nowNanos);
        return core;
    }

    /** Sweeps {@link #SWEEP_SLOTS} slots of the flow table for expired entries. */
    @Override
    public void tick(long nowNanos) { table.sweep(nowNanos, SWEEP_SLOTS); }

    private int nextCore(int n) {
        if (nextIndex >= n) nextIndex = 0;
        return cores.get(nextIndex++);
    }

    @Override
    public String name() { return mode.policyName; }

    /** Packets whose flow got its bound core back from the scheduler (paper mode). */
    public long acquired() { return acquired; }

    @Override
    public long rebinds() { return rebinds; }

    @Override
    public long tableFullFallbacks() { return fullFallbacks; }

    @Override
    public int tableSize() { return table.size(); }

    @Override
    public long expired() { return table.expired(); }

    /** The flow table's slot count: fixed at construction, whatever the traffic (for tests). */
    public int tableSlots() { return table.slots(); }

    /** Forgets every flow (a cold table, as at start-up). Control path only. */
    public void clear() {
        table.clear();
        fellBack = false;
    }

    /** The core this flow is bound to, or {@link FlowTable#MISSING}; for tests and the flows command. */
    public int boundCore(int rssHash) { return table.get(rssHash); }
}
