package io.calisto.control.experiment.sim;

import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.MatchRule;
import io.calisto.control.experiment.ServiceTime;
import io.calisto.io.dispatch.AffinityTablePolicy;
import io.calisto.io.dispatch.FlowTable;
import io.calisto.io.kernel.AppDispatch;
import io.calisto.io.port.FlowPopularity;
import io.calisto.io.sched.CoreScheduler;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * A discrete-event model of the dataplane on virtual time that drives the production {@code DispatchPolicy},
 * {@code FlowTable} and {@code CoreScheduler} (through a real {@link AppDispatch} and real {@link CoreSlot}s), never a
 * re-implementation. Open-loop Poisson arrivals over many flows; one IO core that charges a dispatch cost per packet;
 * FIFO cores that serve requests with a service time plus a migration cost when a flow's state is not on that core;
 * the scheduler checks every interval, grants take {@code grantNanos} to start serving, idle cores ask to yield after
 * {@code parkAfter}. Deterministic for a given seed.
 */
public final class Simulator {
    public record Config(String policy, double ratePps, int flows, FlowPopularity popularity, ServiceTime.Kind service,
                         long serviceMeanNanos, int cores, int guaranteed, long intervalNanos, long parkAfterNanos,
                         double seconds, double warmupFraction, long seed, CostModel cost) {}

    /**
     * {@code latency} after the warm-up fraction, {@code warmup} during it (the paper's 5k effect lives there);
     * {@code drops}/{@code warmupDrops}: packets that found the app without a core and no core to grant it.
     */
    public record Result(Histogram latency, Histogram warmup, long packets, double meanCores, long migrations, long grants, long drops, long warmupDrops,
                         long warmupGrants) {}

    /** The flow table's idle timeout: {@code calisto.dispatch.flow-idle-timeout}'s default. */
    public static final long FLOW_IDLE_TIMEOUT_NANOS = 30_000_000_000L;

    private Simulator() {}

    public static Result run(Config c) {
        int[] pool = new int[c.cores()];
        for (int i = 0; i < pool.length; i++) pool[i] = i;
        long[] grants = {0, 0}; // all, during the warm-up
        long warmEnd = (long) ((long) (c.seconds() * 1e9) * c.warmupFraction());
        Core[] cores = new Core[c.cores()];
        for (int i = 0; i < cores.length; i++) cores[i] = new Core();
        // every grant, whichever path made it (the check, an arrival for an app without cores, paper-mode affinity
        // taking a flow's bound core back), wakes a parked core: it starts serving after the wake-up latency
        CoreScheduler scheduler = new CoreScheduler(pool, c.intervalNanos(), (type, app, core, reason, now, signal) -> {
            if (type != io.calisto.io.sched.SchedulerListener.GRANTED) return;
            grants[0]++;
            if (now < warmEnd) grants[1]++;
            cores[core].availableAt = now + c.cost().grantNanos();
        });
        AppDispatch app = new AppDispatch(0, "sim", MatchRule.ANY, c.policy(), Math.max(1, c.flows()), FLOW_IDLE_TIMEOUT_NANOS, null, 0);
        app.guaranteed = c.guaranteed();
        app.burstable = c.cores();
        for (int core : pool) app.attach(core, null, CoreSlot.onHeap());
        scheduler.wire(app); // as IoKernel.wireAcquirer: the scheduler's counters and cores_add_core

        SplittableRandom rnd = new SplittableRandom(c.seed());
        ServiceTime service = new ServiceTime(c.service(), c.serviceMeanNanos(), c.seed() + 1);
        int[] hashOf = new int[c.flows()];
        for (int f = 0; f < c.flows(); f++) hashOf[f] = rnd.nextInt();
        FlowTable lastCore = new FlowTable(Math.max(1, c.flows()));

        long end = (long) (c.seconds() * 1e9);
        double gap = 1e9 / c.ratePps();
        double nextArrival = 0;
        long ioFree = 0, nextCheck = 0, migrations = 0, packets = 0, coreTime = 0, lastSample = 0, drops = 0, warmupDrops = 0;
        Histogram latency = new Histogram(3), warm = new Histogram(3);
        scheduler.addApp(app, 0);
        for (int core : app.heldCores()) cores[core].availableAt = 0; // guaranteed cores are awake from the start
        while (nextArrival < end) {
            long t = (long) nextArrival;
            while (nextCheck <= t) {
                coreTime += (long) app.cores().count() * (nextCheck - lastSample);
                lastSample = nextCheck;
                check(nextCheck, app, scheduler, cores, c);
                nextCheck += c.intervalNanos();
            }
            app.policy().tick(t); // the IO loop's per-iteration housekeeping (flow-table sweep); one arrival = one iteration
            int flow = c.popularity().next(rnd);
            int hash = hashOf[flow];
            boolean newFlow = app.policy().tableSize() < c.flows() && app.policy() instanceof AffinityTablePolicy p && p.boundCore(hash) == FlowTable.MISSING;
            long dispatchAt = Math.max(t, ioFree) + c.cost().dispatchNanos() + (newFlow ? c.cost().newFlowNanos() : 0);
            ioFree = dispatchAt;
            int core = scheduler.coreFor(app, hash, dispatchAt); // the IO core's call: policy, arrival grant, one grant per packet
            if (core < 0) {
                // as on the real IO core: dropped and counted as no-core (a drop counts as infinite latency)
                if (t >= warmEnd) drops++;
                else warmupDrops++;
                nextArrival += -Math.log(1.0 - rnd.nextDouble()) * gap;
                continue;
            }
            int prev = lastCore.get(hash);
            boolean migrated = prev != FlowTable.MISSING && prev != core;
            if (migrated) migrations++; // counted whatever it costs: a zero migration cost still moves the flow
            long migration = migrated ? c.cost().migrationNanos() : 0;
            lastCore.put(hash, core);
            Core k = cores[core];
            long start = Math.max(dispatchAt, Math.max(k.freeAt, k.availableAt));
            long done = start + service.next() + migration;
            k.freeAt = done;
            k.starts.addLast(start);
            app.published[core]++;
            (t >= warmEnd ? latency : warm).recordValue(done - t);
            packets++;
            nextArrival += -Math.log(1.0 - rnd.nextDouble()) * gap;
        }
        double meanCores = lastSample == 0 ? 0 : coreTime / (double) lastSample;
        return new Result(latency, warm, packets, meanCores, migrations, grants[0], drops, warmupDrops, grants[1]);
    }

    /** The scheduler's view at {@code now}: started and completed positions, the core-actors' yield/drain steps, then its check. */
    private static void check(long now, AppDispatch app, CoreScheduler scheduler, Core[] cores, Config c) {
        for (int core = 0; core < cores.length; core++) {
            Core k = cores[core];
            // a request leaves the queue when its service starts (the core-actor publishes each packet's position
            // before running the handler): only requests waiting behind it count as queued work
            while (!k.starts.isEmpty() && k.starts.peekFirst() <= now) {
                k.starts.pollFirst();
                k.consumed++;
            }
            CoreSlot slot = app.slots[core];
            slot.started(k.consumed);
            // one server per core, FIFO: only the last request started can still be in service
            long completed = k.freeAt <= now ? k.consumed : k.consumed - 1;
            slot.completed(completed);
            int state = slot.state();
            if (state == CoreSlot.REVOKING && completed >= slot.drainTo()) slot.cas(CoreSlot.REVOKING, CoreSlot.PARKED);
            if (state == CoreSlot.GRANTED && k.starts.isEmpty() && now - Math.max(k.freeAt, k.availableAt) >= c.parkAfterNanos()) {
                slot.cas(CoreSlot.GRANTED, CoreSlot.YIELD_REQUESTED);
            }
        }
        scheduler.poll(now);
    }

    private static final class Core {
        final ArrayDeque<Long> starts = new ArrayDeque<>();
        long freeAt, availableAt, consumed;
    }
}
