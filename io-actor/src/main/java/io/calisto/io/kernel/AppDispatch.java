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
    DispatchPolicy policy;
    /** Stream position after the last frame published to each core (tryClaim's result): the queue-depth signal. */
    public final long[] published = new long[Streams.MAX_CORES];
    /** The scheduler's memory of {@link #published} at its previous check. */
    public final long[] publishedAtLastCheck = new long[Streams.MAX_CORES];
    /** Handshake with the core-actor of each core this app may run on (null where it has none). */
    public final CoreSlot[] slots = new CoreSlot[Streams.MAX_CORES];
    /** Packets that found the app without a core, seen by the scheduler's last check. */
    public long noCoreAtLastCheck;
    /** Scheduler decisions that concerned this app, by {@code SchedulerListener} type. */
    public final AtomicLongArray schedEvents = new AtomicLongArray(4);
    public volatile int guaranteed;
    public volatile int burstable = Streams.MAX_CORES;

    /**
     * {@code tableCapacity} and {@code flowIdleTimeoutNanos} size and age the dispatch policy's flow table
     * ({@link io.calisto.io.dispatch.FlowTable#NEVER}: entries never expire); {@code migrationCapacity} 0 turns
     * migration tracking off.
     */
    public AppDispatch(int appId, String name, MatchRule rule, String policyName, int tableCapacity, long flowIdleTimeoutNanos,
                       Subscription tx, int migrationCapacity) {
        this.appId = appId;
        this.name = name;
        this.preemptReason = "for " + name;
        this.rule = rule;
        this.policy = DispatchPolicy.create(policyName, cores, tableCapacity, flowIdleTimeoutNanos);
        this.tx = tx;
        this.migrations = migrationCapacity > 0 ? new MigrationTracker(migrationCapacity) : null;
    }

    public int appId() { return appId; }

    public String name() { return name; }

    public String preemptReason() { return preemptReason; }

    public ActiveCores cores() { return cores; }

    public DispatchPolicy policy() { return policy; }

    public long dispatched(int core) { return dispatchedByCore.get(core); }

    public long dropped(DropReason reason) { return drops.get(reason.ordinal()); }

    /** Distinct flows that reached more than one core, or -1 when tracking is off. Racy read: fine for stats. */
    public long migratedFlows() { return migrations == null ? -1 : migrations.migratedFlows(); }

    public long flowsSeen() { return migrations == null ? -1 : migrations.flows(); }

    public int[] heldCores() { return cores.toArray(); }

    /** Gives the app its RX stream and core-actor handshake for {@code core}; before {@link IoCommand.AddApp} only. */
    public void attach(int core, ExclusivePublication rx, CoreSlot slot) {
        rxByCore[core] = rx;
        slots[core] = slot;
    }

    public ExclusivePublication rxByCore(int core) { return rxByCore[core]; }

    /** Swaps the dispatch policy; IO thread only (through an IO command). */
    public void policy(DispatchPolicy next) { this.policy = next; }
}
