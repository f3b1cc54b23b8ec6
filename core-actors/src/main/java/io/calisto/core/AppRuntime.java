package io.calisto.core;

import io.aeron.Aeron;
import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.IdleStrategies;
import io.calisto.aeron.Streams;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Recorder;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * An application's side of the dataplane inside its own Pekko {@link ActorSystem}: one {@link CoreActor} per core
 * the dataplane grants it, each on a dedicated thread of {@code calisto.core-dispatcher}.
 */
public final class AppRuntime {
    private final ActorSystem<?> system;
    private final AppSpec spec;
    private final Aeron aeron;
    private final Streams streams;
    private final int appId;
    private final int pollBatch;
    private final String idleStrategy;
    private final CoreActor.ParkAfter parkAfter;
    /** SCHED_FIFO priority of each core-actor thread, 0: ordinary threads (calisto.core.realtime-priority). */
    private final int realtimePriority;
    private final Recorder grantReaction = new Recorder(3);
    private final GrantTrace grantTrace = new GrantTrace();
    private final CoreCounters counters = new CoreCounters();

    /** Per-core failure counts the core-actors publish once per batch (single writer per core). */
    static final class CoreCounters {
        final AtomicLongArray replyFailures = new AtomicLongArray(Streams.MAX_CORES);
        final AtomicLongArray handlerErrors = new AtomicLongArray(Streams.MAX_CORES);

        /** Frames a core-actor dropped unhandled, per core and {@link FrameCheck} reason. */
        final AtomicLongArray rejected = new AtomicLongArray(Streams.MAX_CORES * FrameCheck.LABELS.length);

        void publish(int core, long replyFailed, long handlerFailed, long[] rejectedByReason) {
            replyFailures.setRelease(core, replyFailed);
            handlerErrors.setRelease(core, handlerFailed);
            for (int r = 0; r < rejectedByReason.length; r++) rejected.setRelease(core * rejectedByReason.length + r, rejectedByReason[r]);
        }
    }
    /** Every core's slot, filled by {@link #start} before packets flow: a core-actor's barrier waits read them. */
    private final CoreSlot[] slots = new CoreSlot[Streams.MAX_CORES];
    private final java.util.Set<Integer> coreActors = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicInteger failedCoreActors = new java.util.concurrent.atomic.AtomicInteger();
    private final ActorRef<AppSupervisor.Command> supervisor;
    /** Registrations made in this JVM: part of each supervisor's name. */
    private static final java.util.concurrent.atomic.AtomicLong REGISTRATIONS = new java.util.concurrent.atomic.AtomicLong();

    private AppRuntime(ActorSystem<?> system, AppSpec spec, Aeron aeron, Streams streams, int appId) {
        CoreSettings core = CoreSettings.from(system.settings().config());
        this.system = system;
        this.spec = spec;
        this.aeron = aeron;
        this.streams = streams;
        this.appId = appId;
        this.pollBatch = core.pollBatch();
        this.idleStrategy = core.idleStrategy();
        this.parkAfter = new CoreActor.ParkAfter(core.parkAfterPolls(), core.parkAfterNanos());
        this.realtimePriority = core.realtimePriority();
        // app ids are reused and an app name may come back with the id it had: the sequence keeps the actor name
        // free of a previous registration's supervisor, whose name Pekko releases only once its stop is processed
        this.supervisor = system.systemActorOf(AppSupervisor.create(spec.name(), failedCoreActors),
            "calisto-" + spec.name() + "-" + appId + "-cores-" + REGISTRATIONS.incrementAndGet(), org.apache.pekko.actor.typed.Props.empty());
    }

    /** Registers {@code spec} as application {@code appId} of the dataplane reachable through {@code aeron}. */
    public static AppRuntime register(ActorSystem<?> system, AppSpec spec, Aeron aeron, Streams streams, int appId) {
        return new AppRuntime(system, spec, aeron, streams, appId);
    }

    /**
     * Starts the (parked) core-actor for {@code core}, its thread pinned to {@code cpu} (-1: not pinned); it runs
     * only while {@code slot} says the core is granted. Completes once its Aeron subscription exists.
     */
    public synchronized CompletableFuture<Void> start(int core, CoreSlot slot, int cpu) {
        if (!coreActors.add(core)) return CompletableFuture.failedFuture(new IllegalStateException("app " + spec.name() + " already has a core-actor for core " + core));
        slots[core] = slot;
        CompletableFuture<Void> ready = new CompletableFuture<>();
        var behavior = CoreActor.create(aeron, streams, appId, core, slots, spec.handlers(), pollBatch,
            IdleStrategies.of("calisto.core.idle-strategy", idleStrategy), parkAfter, grantReaction, grantTrace, counters, cpu, realtimePriority, ready);
        supervisor.tell(new AppSupervisor.StartCore(core, slot, behavior));
        return ready;
    }

    /** Stops the core-actor of {@code core}; the caller has made sure its stream is drained (slot parked). */
    public CompletableFuture<Void> stop(int core) {
        if (!coreActors.remove(core)) return CompletableFuture.failedFuture(new IllegalStateException("app " + spec.name() + " has no core-actor for core " + core));
        CompletableFuture<Void> done = new CompletableFuture<>();
        supervisor.tell(new AppSupervisor.StopCore(core, done));
        return done;
    }

    /**
     * Stops every core-actor at once and completes when all have stopped: one that waits on another's barrier is
     * released when that one stops, so stopping them one after another could wait on each other. The runtime is done
     * then: its supervisor stops too (an app system that registers and unregisters for ever keeps no actor per
     * registration).
     */
    public CompletableFuture<Void> stopAll() {
        var all = coreActors().stream().map(this::stop).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(all).whenComplete((v, e) -> supervisor.tell(AppSupervisor.Stop.INSTANCE));
    }

    /** Core-actors that died (their handler threw an Error); each one's core was taken back. */
    public int failedCoreActors() { return failedCoreActors.get(); }

    public AppSpec spec() { return spec; }

    /** Nanoseconds from each grant to the first packet the granted core-actor handled (interval histograms). */
    public Recorder grantReaction() { return grantReaction; }

    /** The grant reaction hop by hop, recorded once {@link GrantTrace#enable()}d (bench grant). */
    public GrantTrace grantTrace() { return grantTrace; }

    public int appId() { return appId; }

    /** Packets the app's handlers received on {@code core}. */
    public long delivered(int core) {
        CoreSlot slot = slots[core];
        return slot == null ? 0 : slot.delivered();
    }

    /** Replies the app's handlers could not queue (the TX stream stayed full): lost, and counted here. */
    public long replyFailures() { return sum(counters.replyFailures); }

    /** Packets whose handler threw; they count as delivered, the exception is swallowed to keep the core alive. */
    public long handlerErrors() { return sum(counters.handlerErrors); }

    /**
     * RX frames the core-actors dropped without handing them to the app, by reason ({@code bad-length},
     * {@code bad-barrier-core}, {@code bad-barrier-position}): headers only another process could have forged.
     */
    public java.util.Map<String, Long> rejectedFrames() {
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (int r = 0; r < FrameCheck.LABELS.length; r++) {
            long n = 0;
            for (int c = 0; c < Streams.MAX_CORES; c++) n += counters.rejected.get(c * FrameCheck.LABELS.length + r);
            m.put(FrameCheck.LABELS[r], n);
        }
        return m;
    }

    private static long sum(AtomicLongArray a) {
        long s = 0;
        for (int i = 0; i < a.length(); i++) s += a.get(i);
        return s;
    }

    public long deliveredTotal() {
        long sum = 0;
        for (int i = 0; i < slots.length; i++) sum += delivered(i);
        return sum;
    }

    /** Cores this app has a core-actor for (granted or parked). */
    public java.util.Set<Integer> coreActors() { return java.util.Set.copyOf(coreActors); }
}
