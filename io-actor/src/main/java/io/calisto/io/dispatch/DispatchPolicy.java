package io.calisto.io.dispatch;

/**
 * Picks the core for a packet of one application: Calisto's replacement of Shenango's {@code rx_send_to_runtime}
 * choice. One instance per application, used only on the IO thread; it reads the application's {@link ActiveCores}.
 */
public interface DispatchPolicy {
    int NO_CORE = -1;
    java.util.List<String> NAMES = java.util.List.of("modulo", "affinity", "affinity-held", "affinity-rebind", "affinity-published");

    /** Core for a packet with this (unsigned) RSS hash, or {@link #NO_CORE} when the app holds none. */
    int coreFor(int rssHash, long nowNanos);

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
        return switch (name) {
            case "modulo" -> new ModuloPolicy(cores);
            case "affinity" -> new AffinityTablePolicy(cores, tableCapacity, AffinityTablePolicy.Mode.PAPER, flowIdleTimeoutNanos);
            case "affinity-held" -> new AffinityTablePolicy(cores, tableCapacity, AffinityTablePolicy.Mode.HELD, flowIdleTimeoutNanos);
            case "affinity-rebind" -> new AffinityTablePolicy(cores, tableCapacity, AffinityTablePolicy.Mode.REBIND, flowIdleTimeoutNanos);
            case "affinity-published" -> new AffinityTablePolicy(cores, tableCapacity, AffinityTablePolicy.Mode.PUBLISHED, flowIdleTimeoutNanos);
            default -> throw new IllegalArgumentException("unknown dispatch policy '" + name + "' (" + String.join(", ", NAMES) + ")");
        };
    }
}
