package io.calisto.io.kernel;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.DropReason;
import io.calisto.aeron.MatchRule;
import io.calisto.aeron.Streams;
import io.calisto.io.dispatch.ActiveCores;
import io.calisto.io.dispatch.DispatchPolicy;
import io.calisto.io.dispatch.MigrationTracker;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The IO core's view of one application: its cores, its dispatch policy, one RX publication per held core and
 * the TX subscription its core-actors reply on. Mutated only on the IO thread; counters are read elsewhere
 * through {@link IoStats} snapshots.
 */
public final class AppDispatch {
    final int appId;
    final String name;
    /** The reason a core preempted for this app carries, built once: the IO thread must not concatenate per decision. */
    final String preemptReason;
    final MatchRule rule;
    final ActiveCores cores = new ActiveCores();
    final ExclusivePublication[] rxByCore = new ExclusivePublication[Streams.MAX_CORES];
    /** Written only by the IO thread (release stores), read by anyone: no lock, no per-batch publish step. */
    final AtomicLongArray dispatchedByCore = new AtomicLongArray(Streams.MAX_CORES);
    final AtomicLongArray drops = new AtomicLongArray(DropReason.count());
    final Subscription tx;
    final MigrationTracker migrations;
    /** Where each flow's last packet went: the per-flow order barrier (every policy). */
    final FlowOrder order;
    /** Swapped by the IO thread, read by stats on other threads: volatile (a plain load on x86 on the hot path). */
    volatile DispatchPolicy policy;
    /**
     * Loads into cache what routing this flow's packet will read: its policy state, its order bucket, its migration
     * entry. The IO core calls it for a whole burst first, so the misses overlap; returns what it read (to be used).
     */
    int prefetch(int rssHash) {
        int v = policy.prefetch(rssHash) + order.prefetch(rssHash);
        return migrations == null ? v : v + migrations.prefetch(rssHash);
    }

    /** Stream position after the last frame published to each core (tryClaim's result): the queue-depth signal. */
    public final long[] published = new long[Streams.MAX_CORES];
    /** The scheduler's memory of {@link #published} at its previous check. */
    public final long[] publishedAtLastCheck = new long[Streams.MAX_CORES];
    /** Handshake with the core-actor of each core this app may run on (null where it has none). */
    public final CoreSlot[] slots = new CoreSlot[Streams.MAX_CORES];
    /** Packets that found the app without a core, seen by the scheduler's last check. */
    public long noCoreAtLastCheck;
    /** Cores granted whose core-actor has not started a packet since: waking up, not congested. */
    public final boolean[] waking = new boolean[Streams.MAX_CORES];
    /** {@link #published} when each core was last granted: the actor is awake once it started past it. */
    public final long[] positionAtGrant = new long[Streams.MAX_CORES];
    /** Cores being drained from another app to be handed to this one (Shenango reserves a preempted core). */
    public int reservedDrains;
    /** Packets counted as app-error per core whose core-actor died (so unregistration does not count them again). */
    final AtomicLongArray appErrors = new AtomicLongArray(Streams.MAX_CORES);
    /** The held cores as a bit set, published by the IO thread (release) for readers on other threads. */
    private final AtomicLongArray heldBits = new AtomicLongArray(Streams.MAX_CORES / 64);
    /** Scheduler decisions that concerned this app, by {@code SchedulerListener} type. */
    public final AtomicLongArray schedEvents = new AtomicLongArray(4);
    public volatile int guaranteed;
    public volatile int burstable = Streams.MAX_CORES;

    /**
     * {@code tableCapacity} and {@code flowIdleTimeoutNanos} size and age the dispatch policy's flow table
     * ({@link io.calisto.io.dispatch.FlowTable#NEVER}: entries never expire); {@code migrationCapacity} 0 turns
     * migration tracking off (on, every flow is followed: exact counts).
     */
    public AppDispatch(int appId, String name, MatchRule rule, String policyName, int tableCapacity, long flowIdleTimeoutNanos,
                       Subscription tx, int migrationCapacity) {
        this(appId, name, rule, policyName, tableCapacity, flowIdleTimeoutNanos, tx, migrationCapacity, 1 << 16);
    }

    /** As above, with {@code orderBuckets} buckets for {@link FlowOrder} (a power of two); migration tracking exact. */
    public AppDispatch(int appId, String name, MatchRule rule, String policyName, int tableCapacity, long flowIdleTimeoutNanos,
                       Subscription tx, int migrationCapacity, int orderBuckets) {
        this(appId, name, rule, policyName, DispatchPolicy.Options.of(tableCapacity, flowIdleTimeoutNanos), tx, migrationCapacity, orderBuckets);
    }

    /** As above, the policy built with {@code options} (buckets, rebalance period, prefill); migration tracking exact. */
    public AppDispatch(int appId, String name, MatchRule rule, String policyName, DispatchPolicy.Options options,
                       Subscription tx, int migrationCapacity, int orderBuckets) {
        this(appId, name, rule, policyName, options, tx, migrationCapacity, orderBuckets, 1);
    }

    /**
     * As above, with migration tracking that follows one flow in {@code migrationSample} (see {@link MigrationTracker}),
     * its entries aging with the flow table's.
     */
    public AppDispatch(int appId, String name, MatchRule rule, String policyName, DispatchPolicy.Options options,
                       Subscription tx, int migrationCapacity, int orderBuckets, int migrationSample) {
        this.appId = appId;
        this.name = name;
        this.preemptReason = "for " + name;
        this.rule = rule;
        this.policy = DispatchPolicy.create(policyName, cores, options);
        this.tx = tx;
        this.migrations = migrationCapacity > 0 ? new MigrationTracker(migrationCapacity, migrationSample, options.flowIdleTimeoutNanos()) : null;
        this.order = new FlowOrder(orderBuckets);
    }

    public int appId() { return appId; }

    public String name() { return name; }

    public String preemptReason() { return preemptReason; }

    public ActiveCores cores() { return cores; }

    public DispatchPolicy policy() { return policy; }

    public long dispatched(int core) { return dispatchedByCore.get(core); }

    /** One more frame published to {@code core} (ordered write, read by anyone); tests stepping the scheduler by hand. */
    public void dispatchedOne(int core) { dispatchedByCore.setRelease(core, dispatchedByCore.getPlain(core) + 1); }

    /** Frames published per core in the IO core's current burst, not yet in {@link #dispatchedByCore}; IO thread. */
    private final long[] pendingDispatched = new long[Streams.MAX_CORES];
    private final int[] pendingCores = new int[Streams.MAX_CORES];
    private int pendingCoreCount;

    /**
     * IO thread: {@code n} more frames published to {@code core} in this burst; true when nothing was pending for
     * this app before (the IO core then lists it for {@link #publishDispatched}).
     */
    boolean pendingDispatched(int core, int n) {
        boolean first = pendingCoreCount == 0;
        if (pendingDispatched[core] == 0) pendingCores[pendingCoreCount++] = core;
        pendingDispatched[core] += n;
        return first;
    }

    /** IO thread, once per burst: the burst's dispatch counts become visible (one ordered write per core used). */
    void publishDispatched() {
        for (int i = 0; i < pendingCoreCount; i++) {
            int core = pendingCores[i];
            dispatchedByCore.setRelease(core, dispatchedByCore.getPlain(core) + pendingDispatched[core]);
            pendingDispatched[core] = 0;
        }
        pendingCoreCount = 0;
    }

    public long dropped(DropReason reason) { return drops.get(reason.ordinal()); }

    /** Distinct flows that reached more than one core, or -1 when tracking is off. Racy read: fine for stats. */
    public long migratedFlows() { return migrations == null ? -1 : migrations.migratedFlows(); }

    public long flowsSeen() { return migrations == null ? -1 : migrations.flows(); }

    /** The cores held now; IO thread (or a test stepping the scheduler) only: others use {@link #heldCoresPublished}. */
    public int[] heldCores() { return cores.toArray(); }

    /** The held cores as last published by the IO thread, ascending; safe from any thread. */
    public int[] heldCoresPublished() {
        java.util.stream.IntStream.Builder b = java.util.stream.IntStream.builder();
        for (int w = 0; w < heldBits.length(); w++) {
            long bits = heldBits.get(w);
            while (bits != 0) {
                b.add(w * 64 + Long.numberOfTrailingZeros(bits));
                bits &= bits - 1;
            }
        }
        return b.build().toArray();
    }

    /** IO thread: the scheduler granted or took {@code core}; publish it for other threads. */
    public void publishHeld(int core, boolean held) {
        int w = core >>> 6;
        long bit = 1L << (core & 63), old = heldBits.getPlain(w);
        heldBits.setRelease(w, held ? old | bit : old & ~bit);
    }

    /** IO thread: {@code n} packets of this app dropped for {@code reason} (ordered write). */
    public void countDrop(DropReason reason, long n) {
        int r = reason.ordinal();
        drops.setRelease(r, drops.getPlain(r) + n);
    }

    /** Packets counted as app-error on {@code core} because its core-actor died. */
    public long appErrors(int core) { return appErrors.get(core); }

    /** IO thread: {@code n} packets queued on {@code core} were lost with its core-actor. */
    public void countAppErrors(int core, long n) {
        appErrors.setRelease(core, appErrors.getPlain(core) + n);
        countDrop(DropReason.APP_ERROR, n);
    }

    /** Gives the app its RX stream and core-actor handshake for {@code core}; before {@link IoKernelProxy#addApp} only. */
    public void attach(int core, ExclusivePublication rx, CoreSlot slot) {
        rxByCore[core] = rx;
        slots[core] = slot;
    }

    public ExclusivePublication rxByCore(int core) { return rxByCore[core]; }

    /** The TX subscription the app's core-actors reply on; the IO thread polls it while the app is served. */
    public Subscription tx() { return tx; }

    /**
     * Closes the app's Aeron streams: every RX publication and the TX subscription. Only once the IO thread no longer
     * touches the app (retired, or never added). The TX subscription must go too: the app id, and with it the TX
     * stream id, is reused, and a subscription left open would join the next holder's replies and, never polled,
     * hold back their flow control.
     */
    public void closeStreams() {
        for (ExclusivePublication pub : rxByCore) if (pub != null) pub.close();
        if (tx != null) tx.close();
    }

    /** Swaps the dispatch policy; IO thread only ({@link IoKernelProxy#setPolicy}). */
    public void policy(DispatchPolicy next) { this.policy = next; }
}
