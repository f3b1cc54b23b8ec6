package io.calisto.control.experiment.sim;

import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.MatchRule;
import io.calisto.control.experiment.ServiceTime;
import io.calisto.io.dispatch.AffinityTablePolicy;
import io.calisto.io.dispatch.DispatchPolicy;
import io.calisto.io.dispatch.FlowTable;
import io.calisto.io.kernel.AppDispatch;
import io.calisto.io.port.FlowPopularity;
import io.calisto.io.sched.CoreScheduler;
import io.calisto.io.sched.SchedulerListener;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * A discrete-event model of the dataplane on virtual time that drives the production {@code DispatchPolicy},
 * {@code FlowTable} and {@code CoreScheduler} (through real {@link AppDispatch}es and real {@link CoreSlot}s), never a
 * re-implementation. One or more apps, each with open-loop Poisson arrivals over its own flows, its own policy and
 * guaranteed/burstable cores, share one IO core (a dispatch cost per packet) and the pool of cores, so the
 * scheduler's grants and preemptions between apps show in each app's latency. A core serves FIFO: service time plus
 * the flow-state access, a hit or a miss in that core's {@link FlowCache}; the scheduler checks every interval, grants
 * take {@code grantNanos} to start serving, idle cores ask to yield after {@code parkAfter}. Deterministic for a seed.
 */
public final class Simulator {
    /** One app's traffic and limits. */
    public record AppLoad(String name, String policy, double ratePps, int flows, FlowPopularity popularity, int bytesPerFlow, int guaranteed,
                          int burstable) {
        public AppLoad {
            if (flows < 1 || flows > MAX_FLOWS) throw new IllegalArgumentException("flows per app must be in 1.." + MAX_FLOWS + ", was " + flows);
            if (bytesPerFlow < 1) throw new IllegalArgumentException("bytes per flow must be >= 1, was " + bytesPerFlow);
        }
    }

    /** {@code cacheBytes}: each core's flow-state cache (a per-core L2; {@link #L2_BYTES} by default). */
    public record Config(List<AppLoad> apps, ServiceTime.Kind service, long serviceMeanNanos, int cores, long intervalNanos, long parkAfterNanos,
                         long cacheBytes, double seconds, double warmupFraction, long seed, CostModel cost) {
        public Config {
            apps = List.copyOf(apps);
            if (apps.isEmpty() || apps.size() > MAX_APPS) throw new IllegalArgumentException("the simulator takes 1.." + MAX_APPS + " apps, was " + apps.size());
        }

        /** One app: guarantee {@code guaranteed}, burstable to every core. */
        public static Config single(String policy, double ratePps, int flows, FlowPopularity popularity, int bytesPerFlow, ServiceTime.Kind service,
                                    long serviceMeanNanos, int cores, int guaranteed, long intervalNanos, long parkAfterNanos, long cacheBytes,
                                    double seconds, double warmupFraction, long seed, CostModel cost) {
            return new Config(List.of(new AppLoad("sim", policy, ratePps, flows, popularity, bytesPerFlow, guaranteed, cores)), service,
                serviceMeanNanos, cores, intervalNanos, parkAfterNanos, cacheBytes, seconds, warmupFraction, seed, cost);
        }
    }

    /**
     * Per app: {@code latency} after the warm-up fraction, {@code warmup} during it (the paper's 5k effect lives there);
     * {@code drops}/{@code warmupDrops}: packets that found the app without a core and no core to grant it;
     * {@code hits}/{@code misses}: flow-state accesses after the warm-up; {@code preempted}: cores taken from it for
     * another app; {@code reallocations}: cores granted to or taken from it after the warm-up, and
     * {@code flowsMovedPerRealloc} the fraction of its flows whose placement ({@code DispatchPolicy.placement}) changed
     * per such reallocation (NaN without one), read on a fixed sample of its flows; {@code shareBoundPerRealloc}: the
     * mean over those reallocations of 1 / the larger of the core counts before and after (one core's share of the
     * flows: what a grant to n cores or a revoke from n must move at least).
     */
    public record AppResult(String name, Histogram latency, Histogram warmup, long packets, double meanCores, long migrations, long grants, long drops,
                            long warmupDrops, long warmupGrants, long hits, long misses, long preempted, long reallocations,
                            double flowsMovedPerRealloc, double shareBoundPerRealloc) {
        public double hitRate() { return hits + misses == 0 ? Double.NaN : hits / (double) (hits + misses); }
    }

    /** Every app's result, in the config's order; the single-app accessors read the first. */
    public record Result(List<AppResult> apps) {
        public AppResult app(int i) { return apps.get(i); }
        public Histogram latency() { return apps.getFirst().latency(); }
        public Histogram warmup() { return apps.getFirst().warmup(); }
        public long packets() { return apps.getFirst().packets(); }
        public double meanCores() { return apps.getFirst().meanCores(); }
        public long migrations() { return apps.getFirst().migrations(); }
        public long grants() { return apps.getFirst().grants(); }
        public long drops() { return apps.getFirst().drops(); }
        public long warmupDrops() { return apps.getFirst().warmupDrops(); }
        public long warmupGrants() { return apps.getFirst().warmupGrants(); }
        public double hitRate() { return apps.getFirst().hitRate(); }
        public double flowsMovedPerRealloc() { return apps.getFirst().flowsMovedPerRealloc(); }
        public double shareBoundPerRealloc() { return apps.getFirst().shareBoundPerRealloc(); }
    }

    /** The flow table's idle timeout: {@code calisto.dispatch.flow-idle-timeout}'s default. */
    public static final long FLOW_IDLE_TIMEOUT_NANOS = 30_000_000_000L;
    /** The default cache per core: a 2 MiB L2 (this machine's is 1 MiB per core: lscpu says 2 MiB over 2 instances). */
    public static final long L2_BYTES = 2L << 20;
    static final int MAX_APPS = 8, FLOW_BITS = 21, MAX_FLOWS = 1 << FLOW_BITS;
    /** Flows per app whose placement is compared across reallocations (evenly spaced ids: every flow counts alike). */
    static final int PLACEMENT_SAMPLE = 4096;

    private Simulator() {}

    public static Result run(Config c) {
        int[] pool = new int[c.cores()];
        for (int i = 0; i < pool.length; i++) pool[i] = i;
        long warmEnd = (long) ((long) (c.seconds() * 1e9) * c.warmupFraction());
        int minBlock = c.apps().stream().mapToInt(AppLoad::bytesPerFlow).min().orElseThrow();
        Core[] cores = new Core[c.cores()];
        for (int i = 0; i < cores.length; i++) cores[i] = new Core(new FlowCache(c.cacheBytes(), minBlock));
        App[] apps = new App[c.apps().size()];
        // every grant, whichever path made it (the check, an arrival for an app without cores, paper-mode affinity
        // taking a flow's bound core back, a core preempted for the app), wakes the core: it starts serving after the
        // wake-up latency
        CoreScheduler scheduler = new CoreScheduler(pool, c.intervalNanos(), (type, appId, core, reason, now, signal) -> {
            App a = apps[appId];
            if (type == SchedulerListener.PREEMPTED) {
                a.preempted++;
                return;
            }
            if (type != SchedulerListener.GRANTED) return;
            a.grants++;
            if (now < warmEnd) a.warmupGrants++;
            cores[core].availableAt = Math.max(cores[core].availableAt, now + c.cost().grantNanos());
        });
        SplittableRandom rnd = new SplittableRandom(c.seed());
        for (int i = 0; i < apps.length; i++) {
            AppLoad l = c.apps().get(i);
            AppDispatch d = new AppDispatch(i, l.name(), MatchRule.ANY, l.policy(), l.flows(), FLOW_IDLE_TIMEOUT_NANOS, null, 0);
            d.guaranteed = l.guaranteed();
            d.burstable = l.burstable();
            for (int core : pool) d.attach(core, null, CoreSlot.onHeap());
            scheduler.wire(d); // as IoKernel.wireAcquirer: the scheduler's counters and cores_add_core
            int[] hashOf = new int[l.flows()];
            for (int f = 0; f < l.flows(); f++) hashOf[f] = rnd.nextInt();
            apps[i] = new App(l, d, hashOf, c.cores());
        }
        for (App a : apps) {
            scheduler.addApp(a.d, 0);
            for (int core : a.d.heldCores()) cores[core].availableAt = 0; // guaranteed cores are awake from the start
            PolicySetups.forPolicy(a.load.policy()).beforeTraffic(a.d, a.hashOf, 0); // e.g. a prefilled table
        }
        ServiceTime service = new ServiceTime(c.service(), c.serviceMeanNanos(), c.seed() + 1);
        long end = (long) (c.seconds() * 1e9);
        for (App a : apps) a.nextArrival = a.load.ratePps() > 0 ? -Math.log(1.0 - rnd.nextDouble()) * a.gap : Double.MAX_VALUE;
        long ioFree = 0, nextCheck = 0, lastSample = 0;
        for (App a : apps) {
            a.d.policy().tick(0); // binds a prefilled table now, so the first placement snapshot sees it
            a.observe(false);
        }
        while (true) {
            App a = apps[0];
            for (App b : apps) if (b.nextArrival < a.nextArrival) a = b;
            if (a.nextArrival >= end) break;
            long t = (long) a.nextArrival;
            while (nextCheck <= t) {
                for (App b : apps) b.coreTime += (long) b.d.cores().count() * (nextCheck - lastSample);
                lastSample = nextCheck;
                check(nextCheck, apps, scheduler, cores, c);
                for (App b : apps) b.observe(nextCheck >= warmEnd);
                nextCheck += c.intervalNanos();
            }
            for (App b : apps) b.d.policy().tick(t); // the IO loop's per-iteration housekeeping (flow-table sweep)
            int flow = a.load.popularity().next(rnd);
            int hash = a.hashOf[flow];
            boolean newFlow = a.d.policy().tableSize() < a.load.flows() && a.d.policy() instanceof AffinityTablePolicy p
                && p.boundCore(hash) == FlowTable.MISSING;
            long dispatchAt = Math.max(t, ioFree) + c.cost().dispatchNanos() + (newFlow ? c.cost().newFlowNanos() : 0);
            ioFree = dispatchAt;
            int core = scheduler.coreFor(a.d, hash, dispatchAt); // the IO core's call: policy, arrival grant, one grant per packet
            boolean steady = t >= warmEnd;
            for (App b : apps) b.observe(steady); // an arrival grant, a taken-back core or a preemption may have moved flows
            a.nextArrival += -Math.log(1.0 - rnd.nextDouble()) * a.gap;
            if (core < 0) {
                // as on the real IO core: dropped and counted as no-core (a drop counts as infinite latency)
                if (steady) a.drops++;
                else a.warmupDrops++;
                continue;
            }
            int prev = a.lastCore.get(hash);
            if (prev != FlowTable.MISSING && prev != core) a.migrations++; // a move, whatever it costs
            a.lastCore.put(hash, core);
            Core k = cores[core];
            boolean hit = k.cache.access(a.index << FLOW_BITS | flow, a.load.bytesPerFlow());
            if (steady) {
                if (hit) a.hits++;
                else a.misses++;
            }
            long start = Math.max(dispatchAt, Math.max(k.freeAt, k.availableAt));
            long done = start + service.next() + c.cost().stateNanos(hit, a.load.bytesPerFlow());
            k.freeAt = done;
            a.queue[core].add(start, done);
            a.d.published[core]++;
            (steady ? a.latency : a.warm).recordValue(done - t);
            a.packets++;
        }
        List<AppResult> results = new ArrayList<>();
        for (App a : apps) {
            double meanCores = lastSample == 0 ? 0 : a.coreTime / (double) lastSample;
            results.add(new AppResult(a.load.name(), a.latency, a.warm, a.packets, meanCores, a.migrations, a.grants, a.drops, a.warmupDrops,
                a.warmupGrants, a.hits, a.misses, a.preempted, a.reallocations,
                a.reallocations == 0 ? Double.NaN : a.movedFractions / a.reallocations, a.reallocations == 0 ? Double.NaN : a.shares / a.reallocations));
        }
        return new Result(List.copyOf(results));
    }

    /** The scheduler's view at {@code now}: each app's started and completed positions, the core-actors' yield/drain steps, then its check. */
    private static void check(long now, App[] apps, CoreScheduler scheduler, Core[] cores, Config c) {
        for (App a : apps) {
            for (int core = 0; core < cores.length; core++) {
                Queue q = a.queue[core];
                // a request leaves the queue when its service starts (the core-actor publishes each packet's position
                // before running the handler): only requests waiting behind it count as queued work
                q.startUntil(now);
                CoreSlot slot = a.d.slots[core];
                slot.started(q.consumed);
                // FIFO: of this app's requests on the core, only the last one started can still be in service
                long completed = q.lastStartedDone <= now ? q.consumed : q.consumed - 1;
                slot.completed(completed);
                int state = slot.state();
                if (state == CoreSlot.REVOKING && completed >= slot.drainTo()) slot.cas(CoreSlot.REVOKING, CoreSlot.PARKED);
                if (state == CoreSlot.GRANTED && q.isEmpty() && now - Math.max(q.lastStartedDone, cores[core].availableAt) >= c.parkAfterNanos()) {
                    slot.cas(CoreSlot.GRANTED, CoreSlot.YIELD_REQUESTED);
                }
            }
        }
        scheduler.poll(now);
    }

    private static final class Core {
        final FlowCache cache;
        long freeAt, availableAt;

        Core(FlowCache cache) { this.cache = cache; }
    }

    private static final class App {
        final AppLoad load;
        final AppDispatch d;
        final int[] hashOf;
        final int index;
        final FlowTable lastCore;
        final Queue[] queue;
        final double gap;
        final Histogram latency = new Histogram(3), warm = new Histogram(3);
        double nextArrival;
        long coreTime, packets, migrations, grants, warmupGrants, drops, warmupDrops, hits, misses, preempted;
        /** Flows whose placement is watched, their placement at the last change of the held cores, and those cores. */
        final int[] sample, placed;
        long heldMask, reallocations;
        double movedFractions, shares;

        App(AppLoad load, AppDispatch d, int[] hashOf, int cores) {
            this.load = load;
            this.d = d;
            this.hashOf = hashOf;
            this.index = d.appId();
            this.lastCore = new FlowTable(load.flows());
            this.queue = new Queue[cores];
            for (int i = 0; i < cores; i++) queue[i] = new Queue();
            this.gap = load.ratePps() > 0 ? 1e9 / load.ratePps() : Double.MAX_VALUE;
            int k = Math.min(load.flows(), PLACEMENT_SAMPLE);
            this.sample = new int[k];
            this.placed = new int[k];
            java.util.Arrays.fill(placed, DispatchPolicy.NO_CORE);
            for (int i = 0; i < k; i++) sample[i] = hashOf[(int) ((long) i * load.flows() / k)];
        }

        /**
         * After a scheduler call: if the held cores changed, each core granted or taken is one reallocation and the
         * sampled flows whose placement changed since the last change (moves deferred by a policy, e.g. a bucket
         * still in flight, or its load rebalance, land in the next one) are the flows it moved. Counted when {@code count}.
         */
        void observe(boolean count) {
            long mask = 0;
            for (int i = 0; i < d.cores().count(); i++) mask |= 1L << d.cores().get(i);
            int changed = Long.bitCount(mask ^ heldMask);
            if (changed == 0) return;
            int larger = Math.max(Long.bitCount(mask), Long.bitCount(heldMask));
            heldMask = mask;
            int was = 0, moved = 0;
            for (int i = 0; i < sample.length; i++) {
                int now = d.policy().placement(sample[i]);
                if (placed[i] != DispatchPolicy.NO_CORE) {
                    was++;
                    if (now != DispatchPolicy.NO_CORE && now != placed[i]) moved++;
                }
                placed[i] = now;
            }
            if (count && was > 0) {
                reallocations += changed;
                movedFractions += moved / (double) was;
                shares += changed / (double) larger;
            }
        }
    }

    /** One app's requests on one core not yet started: (start, done) pairs in a growable ring, no boxing. */
    private static final class Queue {
        long[] start = new long[64], done = new long[64];
        int head, size;
        long consumed, lastStartedDone;

        void add(long s, long d) {
            if (size == start.length) grow();
            int i = (head + size) & (start.length - 1);
            start[i] = s;
            done[i] = d;
            size++;
        }

        void startUntil(long now) {
            while (size > 0 && start[head] <= now) {
                lastStartedDone = done[head];
                head = (head + 1) & (start.length - 1);
                size--;
                consumed++;
            }
        }

        boolean isEmpty() { return size == 0; }

        private void grow() {
            long[] s = new long[start.length * 2], d = new long[start.length * 2];
            for (int i = 0; i < size; i++) {
                s[i] = start[(head + i) & (start.length - 1)];
                d[i] = done[(head + i) & (start.length - 1)];
            }
            start = s;
            done = d;
            head = 0;
        }
    }
}
