package io.calisto.io.sched;

import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.DropReason;
import io.calisto.aeron.Streams;
import io.calisto.io.dispatch.AffinityTablePolicy;
import io.calisto.io.dispatch.CoreAllocator;
import io.calisto.io.dispatch.CoreProgress;
import io.calisto.io.dispatch.DispatchPolicy;
import io.calisto.io.kernel.AppDispatch;
import java.util.Arrays;

/**
 * Shenango's core allocator, run on the IO thread every {@code interval}: an application is congested when work
 * that was queued on one of its cores at the previous check is still queued now (the core-actor's consumed position
 * is behind the position published at the previous check), or when packets found it without a core. A congested
 * app gets one more core per check, up to its burstable limit: an idle core first, else one preempted from an
 * uncongested app above its guarantee; never below anybody's guarantee. Core-actors that ran out of work ask to
 * yield; the yield is accepted only once every packet published to the core has <em>completed</em> (its handler
 * returned), so a core never changes hands mid-service. Rules beyond the basic loop, each with a test:
 * <ul>
 *   <li>a core preempted for an app is reserved for it: it is granted to that app the moment its drain ends, and
 *       while the drain is in flight it counts toward the app (no second victim for the same congestion);</li>
 *   <li>a granted core whose actor has not yet started a packet since the grant is waking up: the packets waiting
 *       for it are not congestion, so the app does not win a core per check while it waits (Shenango gives a
 *       waking kthread its pass too);</li>
 *   <li>preemption for congestion, not only for a guarantee, is our choice over Shenango's (which preempts only to
 *       honour a guarantee): an uncongested app above its guarantee gives a core to a congested one;</li>
 *   <li>a core whose core-actor died ({@link CoreSlot#FAILED}) is taken back at the next check and never granted
 *       to that app again; what was queued on it is counted as app-error.</li>
 * </ul>
 * Pure state machine over {@code nowNanos}: tests step it by hand.
 */
public final class CoreScheduler {
    static final int FREE = -1, DRAINING = -2;

    private final long intervalNanos;
    private final int[] pool;
    /** The pool in ascending core id: Shenango's "lowest" core and "first" bursting proc's core scan cores by id. */
    private final int[] poolById;
    /** The paper's global {@code affinity_core}: index into the pool of the next flow's core, shared by all apps. */
    private int affinityNext;
    /** rx.c's global {@code affinity_core} (0, then 1..10): shared by all apps. */
    private int publishedCounter;
    /**
     * Per app id: the core it most recently gave up (Shenango: the core of its most recently parked kthread). App ids
     * are reused: {@link #addApp} and {@link #removeApp} reset the entry, so a new holder never inherits it.
     */
    private final int[] lastHeld = new int[Streams.MAX_APPS];
    /** Grants and preemptions made so far: {@link #coreFor} sees whether the policy already made one for a packet. */
    private long decisions;
    private final int[] owner = new int[Streams.MAX_CORES];
    private final int[] drainingFrom = new int[Streams.MAX_CORES];
    /** App a draining core is reserved for (it was preempted for that app), or FREE. */
    private final int[] reservedFor = new int[Streams.MAX_CORES];
    private final boolean[] outOfService = new boolean[Streams.MAX_CORES];
    /** The apps served, in registration order; {@link #congested} and {@link #signal} are indexed the same way. */
    private final AppDispatch[] apps = new AppDispatch[Streams.MAX_APPS];
    private final boolean[] congested = new boolean[Streams.MAX_APPS];
    private final long[] signal = new long[Streams.MAX_APPS];
    private final SchedulerListener listener;
    private final Losses losses;
    private int appCount;
    private int nextApp;
    private long lastCheck = Long.MIN_VALUE;

    /** Where packets lost with a dead core-actor are counted (the IO core adds them to its totals). */
    @FunctionalInterface
    public interface Losses {
        void appError(AppDispatch app, int core, long packets);
    }

    public CoreScheduler(int[] pool, long intervalNanos, SchedulerListener listener) {
        this(pool, intervalNanos, listener, AppDispatch::countAppErrors);
    }

    public CoreScheduler(int[] pool, long intervalNanos, SchedulerListener listener, Losses losses) {
        this.losses = losses;
        if (intervalNanos <= 0) throw new IllegalArgumentException("calisto.scheduler.interval must be > 0");
        this.pool = pool.clone();
        this.poolById = pool.clone();
        Arrays.sort(poolById);
        Arrays.fill(lastHeld, FREE);
        this.intervalNanos = intervalNanos;
        this.listener = listener;
        Arrays.fill(owner, DRAINING - 1);
        for (int c : pool) {
            if (c < 0 || c >= Streams.MAX_CORES) throw new IllegalArgumentException("calisto.cores.pool holds an out-of-range core: " + c);
            if (owner[c] == FREE) throw new IllegalArgumentException("calisto.cores.pool lists core " + c + " twice");
            owner[c] = FREE;
        }
        Arrays.fill(drainingFrom, FREE);
        Arrays.fill(reservedFor, FREE);
    }

    /** Adds an app and grants it its guaranteed cores at once; rejects it if the pool cannot guarantee them. */
    public void addApp(AppDispatch app, long now) {
        int reserved = app.guaranteed;
        for (int i = 0; i < appCount; i++) reserved += apps[i].guaranteed;
        if (reserved > pool.length) {
            throw new IllegalArgumentException("app " + app.name() + " asks " + app.guaranteed + " guaranteed cores; the pool of "
                + pool.length + " has " + (pool.length - reserved + app.guaranteed) + " unreserved");
        }
        // a reused app id starts clean: no core "most recently given up", not congested, no depth
        lastHeld[app.appId()] = FREE;
        congested[appCount] = false;
        signal[appCount] = 0;
        apps[appCount++] = app;
        for (int i = 0; i < app.guaranteed; i++) {
            int core = idleCore(app);
            if (core == FREE) break; // the rest is preempted at the next checks (guarantee-driven)
            grant(app, core, "guarantee", now, 0);
        }
    }

    /**
     * Takes every core of {@code app} back (no drain: the caller already stopped and drained it) and forgets it:
     * nothing here names its app id afterwards, so the id may be handed to another app.
     */
    public void removeApp(AppDispatch app, long now) {
        int[] held = app.cores().toArray();
        for (int core : held) take(app, core, SchedulerListener.REVOKED, "unregistered", now, 0);
        for (int core : pool) {
            if (reservedFor[core] == app.appId()) reservedFor[core] = FREE;
            // a core still draining from it is free at the next check (its actor is being stopped); the id must not
            // stay here, or a new holder of the id would be read as the core's drainer
            if (owner[core] == DRAINING && drainingFrom[core] == app.appId()) drainingFrom[core] = FREE;
        }
        lastHeld[app.appId()] = FREE;
        for (int i = 0; i < appCount; i++) {
            if (apps[i] == app) {
                int after = appCount - i - 1;
                System.arraycopy(apps, i + 1, apps, i, after);
                System.arraycopy(congested, i + 1, congested, i, after);
                System.arraycopy(signal, i + 1, signal, i, after);
                apps[--appCount] = null;
                congested[appCount] = false;
                signal[appCount] = 0;
                break;
            }
        }
        if (nextApp >= Math.max(1, appCount)) nextApp = 0;
    }

    /** The core app id {@code appId} most recently gave up, or -1; for tests of a reused id. */
    public int lastHeld(int appId) { return lastHeld[appId]; }

    /** Runs a check when {@code interval} has passed; returns true if it did. */
    public boolean poll(long now) {
        if (now - lastCheck < intervalNanos && lastCheck != Long.MIN_VALUE) return false;
        lastCheck = now;
        check(now);
        return true;
    }

    void check(long now) {
        for (int i = 0; i < appCount; i++) detect(i);
        reapFailed(now);
        finishDrains(now);
        acceptYields(now);
        for (int k = 0; k < appCount; k++) {
            int i = (nextApp + k) % appCount;
            AppDispatch a = apps[i];
            // a drain in flight for the app is its core for this check: counted, and no second victim for it
            int soon = a.cores().count() + a.reservedDrains;
            boolean underGuarantee = soon < a.guaranteed;
            if ((congested[i] && a.reservedDrains == 0 || underGuarantee) && soon < a.burstable) addCore(a, underGuarantee, now, signal[i]);
        }
        if (appCount > 0) nextApp = (nextApp + 1) % appCount;
    }

    private void detect(int i) {
        AppDispatch a = apps[i];
        boolean c = false;
        long depth = 0;
        for (int k = 0; k < a.cores().count(); k++) {
            int core = a.cores().get(k);
            long started = a.slots[core].started();
            // granted but its actor has not started a packet since: it is waking up (20 us p50, hundreds of us at
            // p99 here), and what waits for it is not congestion; Shenango gives a waking kthread its pass too
            if (a.waking[core] && started <= a.positionAtGrant[core]) {
                a.publishedAtLastCheck[core] = a.published[core];
                continue;
            }
            a.waking[core] = false;
            if (started < a.publishedAtLastCheck[core]) {
                c = true;
                depth = Math.max(depth, a.published[core] - started);
            }
            a.publishedAtLastCheck[core] = a.published[core];
        }
        long noCore = a.dropped(DropReason.NO_CORE);
        if (noCore > a.noCoreAtLastCheck) {
            c = true;
            depth = Math.max(depth, noCore - a.noCoreAtLastCheck);
        }
        a.noCoreAtLastCheck = noCore;
        congested[i] = c;
        signal[i] = depth;
    }

    /** Held cores whose core-actor died: taken back, what was queued on them counted as app-error. */
    private void reapFailed(long now) {
        for (int i = 0; i < appCount; i++) {
            AppDispatch a = apps[i];
            for (int k = a.cores().count() - 1; k >= 0; k--) {
                int core = a.cores().get(k);
                if (a.slots[core].state() != CoreSlot.FAILED) continue;
                take(a, core, SchedulerListener.REVOKED, "app-error", now, 0);
                countLost(a, core);
            }
        }
    }

    /** Packets published to a dead core-actor's core that it never handed to the app; each counted once. */
    private void countLost(AppDispatch a, int core) {
        long unlost = a.dispatched(core) - a.appErrors(core);
        // the slot is app-writable memory: a count below 0 or above what was dispatched must not make up losses
        long lost = unlost - CoreSlot.believable(a.slots[core].delivered(), unlost);
        if (lost > 0) losses.appError(a, core, lost);
    }

    /**
     * A core preempted earlier is free once its old owner's actor has drained and parked (or died); if it was
     * preempted for an app, that app gets it now.
     */
    private void finishDrains(long now) {
        for (int core : pool) {
            if (owner[core] != DRAINING) continue;
            AppDispatch from = byId(drainingFrom[core]);
            int state = from == null ? CoreSlot.PARKED : from.slots[core].state();
            if (state != CoreSlot.PARKED && state != CoreSlot.FAILED) continue;
            if (state == CoreSlot.FAILED) countLost(from, core);
            owner[core] = FREE;
            drainingFrom[core] = FREE;
            AppDispatch to = reservedFor[core] == FREE ? null : byId(reservedFor[core]);
            reservedFor[core] = FREE;
            if (to == null) continue;
            to.reservedDrains--;
            if (!outOfService[core] && usable(to, core) && to.cores().count() < to.burstable) grant(to, core, "preempted-for", now, 0);
        }
    }

    private void acceptYields(long now) {
        for (int i = 0; i < appCount; i++) {
            // a congested app would get a core back at this very check: yielding one first only wakes it again
            // (and under modulo moves its flows out and back)
            if (congested[i]) continue;
            AppDispatch a = apps[i];
            for (int k = a.cores().count() - 1; k >= 0; k--) {
                int core = a.cores().get(k);
                CoreSlot slot = a.slots[core];
                if (slot.state() != CoreSlot.YIELD_REQUESTED || a.cores().count() <= a.guaranteed) continue;
                // only a core whose every packet has completed may be given up: none queued (nothing lost) and
                // none in a handler (the flow's next packet cannot run elsewhere at the same time)
                if (slot.completed() != a.published[core]) continue;
                if (slot.cas(CoreSlot.YIELD_REQUESTED, CoreSlot.PARKED)) take(a, core, SchedulerListener.YIELDED, "idle", now, 0);
            }
        }
    }

    private void addCore(AppDispatch a, boolean forGuarantee, long now, long depth) {
        int core = idleCore(a);
        if (core != FREE) {
            grant(a, core, forGuarantee ? "guarantee" : "congested", now, depth);
            return;
        }
        AppDispatch victim = null;
        int victimCore = FREE;
        int bestSpare = 0;
        for (int i = 0; i < appCount; i++) {
            AppDispatch b = apps[i];
            int spare = b.cores().count() - b.guaranteed;
            if (b == a || spare <= 0 || (congested[i] && !forGuarantee)) continue;
            if (spare > bestSpare) {
                bestSpare = spare;
                victim = b;
                victimCore = b.cores().get(b.cores().count() - 1);
            }
        }
        if (victim == null) return;
        preemptFor(a, victim, victimCore, now);
    }

    /** Preempts {@code core} from {@code victim} for {@code a}: drained first, then reserved for and granted to {@code a}. */
    private void preemptFor(AppDispatch a, AppDispatch victim, int core, long now) {
        beforeDecision.run();
        decisions++;
        revokeDraining(victim, core, SchedulerListener.PREEMPTED, a.preemptReason(), now);
        if (owner[core] == DRAINING) {
            reservedFor[core] = a.appId();
            a.reservedDrains++;
        }
    }

    private void grant(AppDispatch a, int core, String reason, long now, long depth) {
        beforeDecision.run();
        CoreSlot slot = a.slots[core];
        if (slot == null) throw new IllegalStateException("app " + a.name() + " has no core-actor for core " + core);
        owner[core] = a.appId();
        a.cores().add(core);
        a.publishHeld(core, true);
        a.waking[core] = true;
        a.positionAtGrant[core] = a.published[core];
        a.policy().onCoreAdded(core);
        decisions++;
        slot.grant();
        a.schedEvents.setRelease(SchedulerListener.GRANTED, a.schedEvents.getPlain(SchedulerListener.GRANTED) + 1);
        listener.onEvent(SchedulerListener.GRANTED, a.appId(), core, reason, now, depth);
    }

    private void take(AppDispatch a, int core, int type, String reason, long now, long depth) {
        a.cores().remove(core);
        a.publishHeld(core, false);
        a.waking[core] = false;
        a.policy().onCoreRemoved(core);
        owner[core] = FREE;
        lastHeld[a.appId()] = core;
        a.schedEvents.setRelease(type, a.schedEvents.getPlain(type) + 1);
        listener.onEvent(type, a.appId(), core, reason, now, depth);
    }

    /**
     * A packet arrived for {@code a} while it holds no core: grant it an idle core now, on the IO thread, so the
     * packet waits in that core's stream while the core-actor wakes (Shenango queues it to a parked kthread and wakes
     * one) instead of being dropped as no-core until the next check. False when no idle core may be had (pool taken
     * or out of service): then the packet is dropped and counted, and the next check may preempt a core for the app.
     */
    public boolean grantOnArrival(AppDispatch a, long now) {
        if (a.cores().count() > 0) return false; // burstable >= 1 is enforced wherever limits are set
        int core = idleCore(a);
        if (core == FREE) return false;
        grant(a, core, "arrival", now, 0);
        return true;
    }

    /**
     * The core for a packet of {@code a} with this hash: the policy's choice, and when the app holds no core, one
     * idle core granted on arrival and the policy's choice among what the app holds then. Exactly one grant per
     * arrival: while the policy picks after an arrival grant it may not acquire another core (paper mode would,
     * for a flow bound to a core the app no longer holds).
     */
    public int coreFor(AppDispatch a, int rssHash, long now) {
        long before = decisions;
        int core = a.policy().coreFor(rssHash, now);
        // a policy that already granted or preempted for this packet (paper mode's cores_add_core) used its grant
        if (core != DispatchPolicy.NO_CORE || decisions != before || !grantOnArrival(a, now)) return core;
        arrivalGranted = true;
        try {
            return a.policy().coreFor(rssHash, now);
        } finally {
            arrivalGranted = false;
        }
    }

    private boolean arrivalGranted;

    /** Run before every grant and preemption: the IO core publishes what it routed but has not published yet. */
    private Runnable beforeDecision = () -> {};

    /**
     * What the IO core must do before a grant or preemption made inside a policy call: publish the packets of the
     * burst it has routed but not yet claimed (it batches consecutive packets per core), so the decision reads exact
     * {@code published} positions. IO thread; set once, before the first packet.
     */
    public void beforeDecision(Runnable flush) { this.beforeDecision = flush; }

    /**
     * Paper mode of the affinity table ({@code cores_add_core(p, assigned_core)}): give {@code core} to {@code a} now
     * if it is idle and {@code a} is below its burstable limit.
     */
    public boolean tryAcquire(AppDispatch a, int core, long now) {
        if (arrivalGranted || core < 0 || core >= owner.length || owner[core] != FREE || outOfService[core] || a.cores().count() >= a.burstable || !usable(a, core)) return false;
        grant(a, core, "flow-affinity", now, 0);
        return true;
    }

    /**
     * {@code cores_add_core(p, core)} as the paper's rule and the published code call it for a packet of {@code a}
     * with this hash. Returns the core the packet goes to, or {@link DispatchPolicy#NO_CORE}:
     * <ol>
     *   <li>{@code core} if {@code a} holds it;</li>
     *   <li>nothing new if {@code a} is at its burstable limit, a drain in flight for it counted (Shenango:
     *       {@code cores_add_core} returns NULL when the proc uses all its kthreads), or if this packet already had
     *       its grant ({@link #coreFor}'s one grant per arrival): the packet takes a held core by modulo;</li>
     *   <li>{@code core} granted (woken) if it is idle (Calisto's {@code pick_core_for_proc(p, affinity_core)});</li>
     *   <li>else Shenango's {@code pick_core_for_proc} order (shenango iokernel/cores.c): (a) a hyperthread sibling
     *       of a core {@code a} runs on: skipped, we model no hyperthreads; (b) the core {@code a} most recently gave
     *       up, if idle, or preempted if no core is idle and its owner is bursting (above its guarantee); (c) the
     *       lowest idle core; (d) the lowest core of a bursting app, preempted.</li>
     * </ol>
     * A preempted core is drained before it changes hands (per-flow order), so it cannot take this packet: the
     * packet takes a held core by modulo, or {@link DispatchPolicy#NO_CORE} when {@code a} holds none (dropped and
     * counted as no-core, as when no core may be had at all). Like the congestion check, at most one drain is in
     * flight per app (Shenango's {@code core_history[core].next} allows one per core); preemption never takes a
     * core below its owner's guarantee.
     */
    public int addCore(AppDispatch a, int core, int rssHash, long now) {
        if (a.cores().contains(core)) return core;
        int n = a.cores().count();
        int held = n == 0 ? DispatchPolicy.NO_CORE : a.cores().get(Integer.remainderUnsigned(rssHash, n));
        if (arrivalGranted || n + a.reservedDrains >= a.burstable) return held;
        if (idle(a, core)) {
            grant(a, core, "flow-affinity", now, 0);
            return core;
        }
        boolean anyIdle = lowestIdle(a) != FREE;
        int recent = lastHeld[a.appId()];
        if (recent != FREE) {
            if (idle(a, recent)) {
                grant(a, recent, "affinity-recent", now, 0);
                return recent;
            }
            if (!anyIdle && preemptible(a, recent)) {
                preemptFor(a, byId(owner[recent]), recent, now);
                return held;
            }
        }
        int lowest = lowestIdle(a);
        if (lowest != FREE) {
            grant(a, lowest, "affinity-lowest", now, 0);
            return lowest;
        }
        for (int c : poolById) {
            if (preemptible(a, c)) {
                preemptFor(a, byId(owner[c]), c, now);
                return held;
            }
        }
        return held;
    }

    /** The paper's global round-robin: the next core of the pool, for a new flow of any app. */
    public int nextAffinityCore() {
        int core = pool[affinityNext];
        affinityNext = (affinityNext + 1) % pool.length;
        return core;
    }

    /** rx.c's global counter: 0, then 1..10 wrapping at 11 (core ids, in the pool or not). */
    public int nextPublishedCore() {
        int core = AffinityTablePolicy.publishedValue(publishedCounter);
        publishedCounter = core + 1;
        return core;
    }

    /**
     * Hands a table policy the scheduler's side (counters, {@code cores_add_core}, take-backs) for app {@code a}, and
     * every policy the app's positions ({@link CoreProgress}). On the IO thread, as the policy is installed.
     */
    public void wire(AppDispatch a) {
        if (a.policy() instanceof AffinityTablePolicy p) p.allocator(new Allocator(a));
        a.policy().progress(new Progress(a));
    }

    /** An app's positions for a policy that moves flows itself: what it published to each core, what each completed. */
    private record Progress(AppDispatch app) implements CoreProgress {
        @Override public long published(int core) { return app.published[core]; }

        @Override public long completed(int core) {
            CoreSlot slot = app.slots[core];
            return slot == null ? Long.MAX_VALUE : slot.completed();
        }
    }

    private final class Allocator implements CoreAllocator {
        private final AppDispatch app;

        Allocator(AppDispatch app) { this.app = app; }

        @Override public boolean acquire(int core, long nowNanos) { return tryAcquire(app, core, nowNanos); }
        @Override public int nextAffinityCore() { return CoreScheduler.this.nextAffinityCore(); }
        @Override public int nextPublishedCore() { return CoreScheduler.this.nextPublishedCore(); }
        @Override public int addCore(int core, int rssHash, long nowNanos) { return CoreScheduler.this.addCore(app, core, rssHash, nowNanos); }
    }

    /** {@code core} is in the pool, in service, unowned and not draining, and {@code a} has a live core-actor there. */
    private boolean idle(AppDispatch a, int core) {
        return core >= 0 && core < owner.length && owner[core] == FREE && !outOfService[core] && usable(a, core);
    }

    private int lowestIdle(AppDispatch a) {
        for (int core : poolById) if (idle(a, core)) return core;
        return FREE;
    }

    /** Another app holds {@code core} above its guarantee (bursting), and {@code a} has no drain in flight for it. */
    private boolean preemptible(AppDispatch a, int core) {
        if (core < 0 || core >= owner.length || owner[core] < 0 || owner[core] == a.appId() || outOfService[core]) return false;
        if (a.reservedDrains > 0 || !usable(a, core)) return false;
        AppDispatch b = byId(owner[core]);
        return b != null && b.cores().count() > b.guaranteed;
    }

    /**
     * Takes {@code core} out of service: its owner stops getting packets there at once, its core-actor drains what
     * was queued (nothing lost), and no app is granted the core until {@link #restoreCore}.
     */
    public void drainCore(int core, long now) {
        if (!inPool(core)) throw new IllegalArgumentException("core " + core + " is not in calisto.cores.pool");
        if (outOfService[core]) throw new IllegalArgumentException("core " + core + " is already out of service");
        int holder = owner[core];
        AppDispatch a = holder >= 0 ? byId(holder) : null;
        if (a != null && a.cores().count() <= a.guaranteed) {
            throw new IllegalArgumentException("core " + core + " holds part of app " + a.name() + "'s guarantee of " + a.guaranteed);
        }
        outOfService[core] = true;
        if (a != null) revokeDraining(a, core, SchedulerListener.REVOKED, "drain", now);
    }

    public void restoreCore(int core) {
        if (!inPool(core) || !outOfService[core]) throw new IllegalArgumentException("core " + core + " is not out of service");
        outOfService[core] = false;
    }

    /** New limits for {@code a}; cores above the new burstable limit are revoked (drained, nothing lost). */
    public void setLimits(AppDispatch a, int guaranteed, int burstable, long now) {
        if (guaranteed < 0 || burstable < Math.max(1, guaranteed) || burstable > pool.length) {
            throw new IllegalArgumentException("core limits must satisfy 0 <= guaranteed <= burstable <= " + pool.length + " and burstable >= 1");
        }
        int reserved = guaranteed;
        for (int i = 0; i < appCount; i++) if (apps[i] != a) reserved += apps[i].guaranteed;
        if (reserved > pool.length) {
            throw new IllegalArgumentException("guarantees would total " + reserved + " cores, the pool has " + pool.length);
        }
        a.guaranteed = guaranteed;
        a.burstable = burstable;
        while (a.cores().count() > burstable) revokeDraining(a, a.cores().get(a.cores().count() - 1), SchedulerListener.REVOKED, "limit", now);
    }

    private void revokeDraining(AppDispatch a, int core, int type, String reason, long now) {
        CoreSlot slot = a.slots[core];
        take(a, core, type, reason, now, 0);
        // the actor may flip GRANTED <-> YIELD_REQUESTED under us; retry from whatever state it is in now
        for (int state = slot.state(); state != CoreSlot.FAILED; state = slot.state()) {
            if (slot.revoke(state, a.published[core])) {
                owner[core] = DRAINING;
                drainingFrom[core] = a.appId();
                return;
            }
            Thread.onSpinWait();
        }
        countLost(a, core); // died meanwhile: nothing to drain, the core is free
    }

    /** {@code a} has a live core-actor on {@code core}. */
    private static boolean usable(AppDispatch a, int core) {
        return a.slots[core] != null && a.slots[core].state() != CoreSlot.FAILED;
    }

    private boolean inPool(int core) {
        for (int c : pool) if (c == core) return true;
        return false;
    }

    private int idleCore(AppDispatch a) {
        for (int core : pool) if (owner[core] == FREE && !outOfService[core] && usable(a, core)) return core;
        return FREE;
    }

    private AppDispatch byId(int appId) {
        for (int i = 0; i < appCount; i++) if (apps[i].appId() == appId) return apps[i];
        return null;
    }

    /** Owner app id of {@code core}, -1 when idle, -2 while draining after a preemption. */
    public int owner(int core) { return owner[core]; }

    public long intervalNanos() { return intervalNanos; }
}
