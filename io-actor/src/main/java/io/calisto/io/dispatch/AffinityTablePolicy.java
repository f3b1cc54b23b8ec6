package io.calisto.io.dispatch;

/**
 * Calisto: a per-application {@link FlowTable} RSS hash → core. What a new flow is bound to and where its packets go
 * depends on the {@link Mode}: the paper's rule ({@code affinity}: a global round-robin over the pool and
 * {@code cores_add_core} for every packet), the published code's ({@code affinity-published}: modulo while the app
 * holds a core, the table only to pick the core to wake), or this project's ({@code affinity-held},
 * {@code affinity-rebind}: round-robin over the cores the app holds, later packets stay there). A full table never fails a packet: the
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
        /**
         * The paper's rule (Listing 3): a new flow is bound to the next core of a round-robin over the pool shared by
         * all apps ({@link CoreAllocator#nextAffinityCore}), held or not, and every packet goes through
         * {@code cores_add_core(app, bound)} ({@link CoreAllocator#addCore}): the bound core if held, else woken if
         * idle, else Shenango's fallback order. The entry never changes. Without an allocator (benches, the flows
         * command) it behaves as {@link #HELD}.
         */
        PAPER("affinity"),
        /** This project's reading: round-robin over the cores the app holds; a flow whose core left takes it back if idle (else re-bind). */
        HELD("affinity-held"),
        /** Never ask for the core: re-bind the flow round-robin to a held core (counted as a rebind). */
        REBIND("affinity-rebind"),
        /**
         * The published code (andreybleme/calisto, iokernel/rx.c, {@code rx_send_to_runtime}): modulo over the held
         * cores whenever the app holds any; only when it holds none does the flow's table entry (from the rx.c counter,
         * {@link CoreAllocator#nextPublishedCore}) pick the core {@code cores_add_core} wakes. The table stores the
         * intended value, the core; rx.c's {@code assigned_core = retl} (the key's slot position) is recorded in
         * docs/decisions.md 25.
         */
        PUBLISHED("affinity-published"),
        /**
         * Paper §7: {@link #HELD}, with the table pre-populated before traffic ({@link #prefill}): a flow listed there
         * goes to its listed core from its first packet (taken back if idle, else re-bound like any held-mode flow).
         */
        PREFILL("affinity-prefill");

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
    private CoreAllocator allocator;
    /** rx.c's counter when no scheduler is wired (the flows command, benches). */
    private int localPublished;
    private long acquired;
    private int nextIndex;
    private long rebinds;
    private long fullFallbacks;
    private final long idleTimeoutNanos;
    /** A fallback happened (only tracked when entries expire) at {@link #lastFallbackNanos}. */
    private boolean fellBack;
    private long lastFallbackNanos;

    /** Entries still to bind (prefill mode): applied on the IO thread at the first tick or packet, then null. */
    private Prefill pendingPrefill;

    /** Slots of the flow table {@link #tick} examines per call (one call per IO loop iteration). */
    public static final int SWEEP_SLOTS = 64;

    /** Held mode, entries never expire. */
    public AffinityTablePolicy(ActiveCores cores, int tableCapacity) { this(cores, tableCapacity, Mode.HELD); }

    /** Entries never expire. */
    public AffinityTablePolicy(ActiveCores cores, int tableCapacity, Mode mode) { this(cores, tableCapacity, mode, FlowTable.NEVER); }

    /** Entries expire after {@code flowIdleTimeoutNanos} without a packet ({@link FlowTable#NEVER}: never). */
    public AffinityTablePolicy(ActiveCores cores, int tableCapacity, Mode mode, long flowIdleTimeoutNanos) {
        this.cores = cores;
        this.table = new FlowTable(tableCapacity, flowIdleTimeoutNanos);
        this.mode = mode;
        this.idleTimeoutNanos = flowIdleTimeoutNanos;
    }

    /** Lets held mode ask the scheduler for a flow's bound core; without one, held mode re-binds. */
    public void acquirer(CoreAcquirer acquirer) { this.acquirer = acquirer; }

    /** The scheduler's side for every mode: counters shared by all apps, {@code cores_add_core}, take-backs. */
    public void allocator(CoreAllocator allocator) {
        this.allocator = allocator;
        this.acquirer = allocator;
    }

    /**
     * Binds {@code prefill}'s flows before the first packet (stamped then, on the IO thread's clock, so they age from
     * that moment like any entry). Control path, before the policy is installed; more entries than the table holds
     * are refused.
     */
    public void prefill(Prefill prefill) {
        if (prefill.size() > table.capacity()) {
            throw new IllegalArgumentException("the prefill lists " + prefill.size() + " flows; the flow table holds "
                + table.capacity() + " (calisto.dispatch.flow-table-capacity)");
        }
        pendingPrefill = prefill.size() == 0 ? null : prefill;
    }

    private void applyPrefill(long nowNanos) {
        Prefill p = pendingPrefill;
        pendingPrefill = null;
        for (int i = 0; i < p.size(); i++) table.put(p.hash(i), p.core(i), nowNanos);
    }

    @Override
    public int coreFor(int rssHash, long nowNanos) {
        if (pendingPrefill != null) applyPrefill(nowNanos);
        if (mode == Mode.PUBLISHED) return published(rssHash, nowNanos);
        if (mode == Mode.PAPER && allocator != null) return paper(rssHash, nowNanos);
        int n = cores.count();
        if (n == 0) return NO_CORE;
        int bound = table.touch(rssHash, nowNanos);
        if (bound != FlowTable.MISSING) {
            if (cores.contains(bound)) return bound;
            if ((mode == Mode.HELD || mode == Mode.PAPER || mode == Mode.PREFILL) && acquirer != null && acquirer.acquire(bound, nowNanos)) {
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

    @Override
    public int prefetch(int rssHash) { return table.prefetch(rssHash); }

    /** Listing 3: bind a new flow to the shared counter's next core, then {@code cores_add_core(app, bound)}. */
    private int paper(int rssHash, long nowNanos) {
        int n = cores.count();
        int bound = table.touch(rssHash, nowNanos);
        if (bound == FlowTable.MISSING) {
            if (table.isFull()) {
                fullFallbacks++;
                fellBack = idleTimeoutNanos != FlowTable.NEVER;
                lastFallbackNanos = nowNanos;
                return n > 0 ? cores.get(Integer.remainderUnsigned(rssHash, n)) : allocator.addCore(allocator.nextAffinityCore(), rssHash, nowNanos);
            }
            // a flow that fell back while the table was full keeps the core modulo gave it
            bound = fellBack && n > 0 && nowNanos - lastFallbackNanos <= idleTimeoutNanos
                ? cores.get(Integer.remainderUnsigned(rssHash, n)) : allocator.nextAffinityCore();
            table.put(rssHash, bound, nowNanos);
        }
        return allocator.addCore(bound, rssHash, nowNanos);
    }

    /** rx.c: every new flow gets an entry from the counter; modulo while any core is held; else wake the entry's core. */
    private int published(int rssHash, long nowNanos) {
        int bound = table.touch(rssHash, nowNanos);
        if (bound == FlowTable.MISSING) {
            bound = allocator != null ? allocator.nextPublishedCore() : nextPublishedLocal();
            // rx.c logs a failed add and goes on with the counter's core for this packet
            if (!table.put(rssHash, bound, nowNanos)) fullFallbacks++;
        }
        int n = cores.count();
        if (n > 0) return cores.get(Integer.remainderUnsigned(rssHash, n));
        return allocator == null ? NO_CORE : allocator.addCore(bound, rssHash, nowNanos);
    }

    /** rx.c's {@code affinity_core}: 0, then 1..10, wrapping at 11. */
    public static final int PUBLISHED_WRAP = 11;

    /** The core rx.c's counter hands out when it stands at {@code counter} (it stands at value + 1 afterwards). */
    public static int publishedValue(int counter) { return counter == PUBLISHED_WRAP ? 1 : counter; }

    private int nextPublishedLocal() {
        int v = publishedValue(localPublished);
        localPublished = v + 1;
        return v;
    }

    /** Sweeps {@link #SWEEP_SLOTS} slots of the flow table for expired entries. */
    @Override
    public void tick(long nowNanos) {
        if (pendingPrefill != null) applyPrefill(nowNanos);
        table.sweep(nowNanos, SWEEP_SLOTS);
    }

    private int nextCore(int n) {
        if (nextIndex >= n) nextIndex = 0;
        return cores.get(nextIndex++);
    }

    /** Published mode: modulo while the app holds a core; the others: the table entry (prefilled ones from the first tick). */
    @Override
    public int placement(int rssHash) {
        int n = cores.count();
        if (mode == Mode.PUBLISHED) return n == 0 ? NO_CORE : cores.get(Integer.remainderUnsigned(rssHash, n));
        int bound = table.get(rssHash);
        return bound == FlowTable.MISSING ? NO_CORE : bound;
    }

    @Override
    public String name() { return mode.policyName; }

    /** Packets whose flow got its bound core back from the scheduler (held mode). */
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
