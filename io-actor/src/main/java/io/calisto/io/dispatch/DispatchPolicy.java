package io.calisto.io.dispatch;

/**
 * Picks the core for a packet of one application: Calisto's replacement of Shenango's {@code rx_send_to_runtime}
 * choice. One instance per application, used only on the IO thread; it reads the application's {@link ActiveCores}.
 */
public interface DispatchPolicy {
    int NO_CORE = -1;
    java.util.List<String> NAMES = java.util.List.of("modulo", "affinity", "affinity-held", "affinity-rebind", "affinity-published",
        "affinity-prefill", "affinity-hybrid", "buckets");

    /**
     * What a policy is built with: the flow table's capacity and idle timeout ({@link FlowTable#NEVER}: never expire),
     * {@code buckets}' bucket count (a power of two) and load-rebalance period (0: never), and the entries
     * {@code affinity-prefill} binds before the first packet.
     */
    record Options(int tableCapacity, long flowIdleTimeoutNanos, int buckets, long rebalanceNanos, Prefill prefill) {
        public Options {
            if (buckets < 1 || buckets > BucketsPolicy.MAX_BUCKETS || Integer.bitCount(buckets) != 1) {
                throw new IllegalArgumentException("calisto.dispatch.buckets must be a power of two in 1.." + BucketsPolicy.MAX_BUCKETS + ", was " + buckets);
            }
            if (rebalanceNanos < 0) throw new IllegalArgumentException("calisto.dispatch.buckets-rebalance-interval must be >= 0, was " + rebalanceNanos + " ns");
            if (prefill == null) prefill = Prefill.EMPTY;
        }

        /** The defaults beyond the flow table: 4096 buckets rebalanced every millisecond, nothing prefilled. */
        public static Options of(int tableCapacity, long flowIdleTimeoutNanos) {
            return new Options(tableCapacity, flowIdleTimeoutNanos, BucketsPolicy.DEFAULT_BUCKETS, BucketsPolicy.DEFAULT_REBALANCE_NANOS, Prefill.EMPTY);
        }
    }

    /** Core for a packet with this (unsigned) RSS hash, or {@link #NO_CORE} when the app holds none. */
    int coreFor(int rssHash, long nowNanos);

    /**
     * Loads the state {@link #coreFor} will read for this hash into cache, without changing anything ({@link
     * FlowTable#prefetch}); the IO core calls it for a whole burst before routing it. Returns what it read, for the
     * caller to keep (a load whose value is unused is removed by the JIT). Policies with small state need nothing.
     */
    default int prefetch(int rssHash) { return 0; }

    /**
     * The core this flow's state points it to now, read without side effects (no table touch, no counter), or
     * {@link #NO_CORE} when the policy holds nothing for it (a new flow, an app without cores). The simulator compares
     * it before and after a reallocation to count flows moved; a table policy answers a flow's bound core even when the
     * app no longer holds it (the flow moves, and counts, only when its next packet re-binds it).
     */
    default int placement(int rssHash) { return NO_CORE; }

    /** A core was granted (already in ActiveCores). */
    default void onCoreAdded(int core) {}

    /** A core was revoked (already gone from ActiveCores). */
    default void onCoreRemoved(int core) {}

    /** Config name: one of {@link #NAMES}. */
    String name();

    /** Flows whose table entry was re-pointed because their core left the app. */
    default long rebinds() { return 0; }

    /** New flows that found the table full and were dispatched by modulo instead. */
    default long tableFullFallbacks() { return 0; }

    /** Entries in the flow table (0 for table-less policies). */
    default int tableSize() { return 0; }

    /** Flow-table entries removed because their flow was idle longer than the flow idle timeout. */
    default long expired() { return 0; }

    /** Reallocations (a core granted or revoked) that moved flows on purpose: {@code buckets} counts them. */
    default long reallocations() { return 0; }

    /** Buckets re-pointed because a core was granted or revoked ({@code buckets}; 0 for the others). */
    default long bucketsMoved() { return 0; }

    /** Buckets re-pointed by the periodic load rebalance ({@code buckets}; 0 for the others). */
    default long rebalanceMoves() { return 0; }

    /**
     * The scheduler hands every policy its app's positions ({@link CoreProgress}) when it is installed; policies that
     * move flows on their own use them so as never to move one with packets in flight. Default: ignored.
     */
    default void progress(CoreProgress progress) {}

    /**
     * Housekeeping the IO loop calls once per iteration, packets or not: table policies sweep a bounded number of
     * flow-table slots for expired entries. O(1), no allocation.
     */
    default void tick(long nowNanos) {}

    /**
     * The policy called {@code name}; table policies get a flow table of {@code tableCapacity} entries that expire
     * after {@code flowIdleTimeoutNanos} without a packet ({@link FlowTable#NEVER}: never).
     */
    static DispatchPolicy create(String name, ActiveCores cores, int tableCapacity, long flowIdleTimeoutNanos) {
        return create(name, cores, Options.of(tableCapacity, flowIdleTimeoutNanos));
    }

    /** The policy called {@code name} built with {@code o}. */
    static DispatchPolicy create(String name, ActiveCores cores, Options o) {
        int tableCapacity = o.tableCapacity();
        long flowIdleTimeoutNanos = o.flowIdleTimeoutNanos();
        return switch (name) {
            case "modulo" -> new ModuloPolicy(cores);
            case "affinity" -> new AffinityTablePolicy(cores, tableCapacity, AffinityTablePolicy.Mode.PAPER, flowIdleTimeoutNanos);
            case "affinity-held" -> new AffinityTablePolicy(cores, tableCapacity, AffinityTablePolicy.Mode.HELD, flowIdleTimeoutNanos);
            case "affinity-rebind" -> new AffinityTablePolicy(cores, tableCapacity, AffinityTablePolicy.Mode.REBIND, flowIdleTimeoutNanos);
            case "affinity-published" -> new AffinityTablePolicy(cores, tableCapacity, AffinityTablePolicy.Mode.PUBLISHED, flowIdleTimeoutNanos);
            case "affinity-prefill" -> {
                var p = new AffinityTablePolicy(cores, tableCapacity, AffinityTablePolicy.Mode.PREFILL, flowIdleTimeoutNanos);
                p.prefill(o.prefill());
                yield p;
            }
            case "affinity-hybrid" -> new HybridPolicy(cores, tableCapacity, flowIdleTimeoutNanos);
            case "buckets" -> new BucketsPolicy(cores, o.buckets(), o.rebalanceNanos());
            default -> throw new IllegalArgumentException("unknown dispatch policy '" + name + "' (" + String.join(", ", NAMES) + ")");
        };
    }
}
