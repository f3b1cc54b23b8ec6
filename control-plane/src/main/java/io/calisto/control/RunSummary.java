package io.calisto.control;

import io.calisto.aeron.DropReason;
import io.calisto.io.kernel.IoKernel;
import java.io.PrintWriter;
import org.HdrHistogram.Histogram;

/**
 * The end-of-run account: every packet the port produced is delivered to an app or dropped with a reason;
 * {@code unaccounted} is what is neither and must be 0. Received, dispatched and dropped are the IO core's own
 * counts; delivered comes from the apps' core slots (app-writable shared memory) and is believed only within what
 * was dispatched to each core ({@link AppHandle#delivered}), so no app can make {@code unaccounted} negative.
 */
public record RunSummary(long received, long delivered, long dropped, long replies, long transmitted,
                         long migratedFlows, long unaccounted) {

    public static RunSummary of(Dataplane dp) {
        IoKernel k = dp.kernel();
        long delivered = dp.deliveredTotal(), migrated = 0;
        for (AppHandle a : dp.apps()) migrated += Math.max(0, a.dispatch().migratedFlows());
        long dropped = k.droppedReceived();
        long received = k.received();
        return new RunSummary(received, delivered, dropped, k.replies(), k.transmitted(), migrated, received - delivered - dropped);
    }

    /** Prints the human summary: totals, per app and core, drops by reason, migrations, latency. */
    public static void print(Dataplane dp, RunSummary s, Histogram latency, Histogram afterFirstSecond, PrintWriter out) {
        IoKernel k = dp.kernel();
        out.println("== summary (port " + k.port().name() + ") ==");
        out.printf("received     %d%n", s.received());
        for (AppHandle a : dp.apps()) {
            long sum = a.deliveredTotal();
            out.printf("app %-8s  delivered %d  policy %s  flows %d  migrated-flows %d  table-full-fallbacks %d  expired %d  rebinds %d%n",
                a.name(), sum, a.dispatch().policy().name(), a.dispatch().flowsSeen(), a.dispatch().migratedFlows(),
                a.dispatch().policy().tableFullFallbacks(), a.dispatch().policy().expired(), a.dispatch().policy().rebinds());
            var policy = a.dispatch().policy();
            if (policy.reallocations() > 0 || policy.rebalanceMoves() > 0) {
                // buckets: what each core grant or revoke moved (the minimum balance needs), and the load rebalance
                out.printf("  buckets-moved %d over %d reallocations (%.1f per reallocation)  rebalance-moves %d%n", policy.bucketsMoved(),
                    policy.reallocations(), policy.reallocations() == 0 ? 0.0 : policy.bucketsMoved() / (double) policy.reallocations(),
                    policy.rebalanceMoves());
            }
            if (!a.remote() && (a.runtime().replyFailures() > 0 || a.runtime().handlerErrors() > 0 || a.runtime().failedCoreActors() > 0)) {
                out.printf("  reply-failed %d (TX stream full: reply lost)  handler-errors %d (handler threw)  core-actors-died %d%n",
                    a.runtime().replyFailures(), a.runtime().handlerErrors(), a.runtime().failedCoreActors());
            }
            if (!a.remote()) {
                // frames in its RX stream with a header the IO core never writes (injected by another process): not handled
                StringBuilder rejected = new StringBuilder();
                a.runtime().rejectedFrames().forEach((reason, n) -> { if (n > 0) rejected.append(' ').append(reason).append(' ').append(n); });
                if (!rejected.isEmpty()) out.printf("  frames rejected by its core-actors:%s%n", rejected);
            }
            var ev = a.dispatch().schedEvents;
            out.printf("  scheduler: %d grants, %d yields, %d preemptions, %d revokes; holds %s now%n",
                ev.get(io.calisto.io.sched.SchedulerListener.GRANTED), ev.get(io.calisto.io.sched.SchedulerListener.YIELDED),
                ev.get(io.calisto.io.sched.SchedulerListener.PREEMPTED), ev.get(io.calisto.io.sched.SchedulerListener.REVOKED),
                java.util.Arrays.toString(a.dispatch().heldCoresPublished()));
            for (int core = 0; core < io.calisto.aeron.Streams.MAX_CORES; core++) {
                long dispatched = a.dispatch().dispatched(core), delivered = a.delivered(core), said = a.deliveredAsWritten(core);
                if (dispatched == 0 && said == delivered) continue;
                // the slot is app-writable: a count outside what was dispatched is shown, never added up
                out.printf("  core %-3d  dispatched %d  delivered %d%s%n", core, dispatched, delivered, said == delivered ? ""
                    : "  (its core slot says " + said + ": outside 0.." + (dispatched - a.dispatch().appErrors(core)) + ", not believed)");
            }
        }
        out.printf("dropped      %d%n", s.dropped());
        for (DropReason r : DropReason.values()) {
            long n = k.dropped(r);
            if (n > 0) out.printf("  %-13s %d  (%s)%n", r.label(), n, r.description());
        }
        out.printf("replies      %d  transmitted %d%n", s.replies(), s.transmitted());
        out.printf("flow-migrations %d%n", s.migratedFlows());
        // scheduler events that found the event ring full: the decisions were taken, only their report is missing
        if (k.eventsLost() > 0) out.printf("events-lost  %d  (scheduler events not reported: the event ring was full)%n", k.eventsLost());
        if (latency.getTotalCount() > 0) {
            out.printf("latency us   p50 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  (ingress -> reply at the IO core)%n",
                latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3,
                latency.getValueAtPercentile(99.9) / 1e3, latency.getMaxValue() / 1e3);
        }
        if (afterFirstSecond.getTotalCount() > 0) {
            // the first second holds the JVM's JIT warm-up; a reader comparing policies wants the rest on its own
            out.printf("  after 1 s  p50 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  (%d replies; the first second's JIT warm-up left out)%n",
                afterFirstSecond.getValueAtPercentile(50) / 1e3, afterFirstSecond.getValueAtPercentile(99) / 1e3,
                afterFirstSecond.getValueAtPercentile(99.9) / 1e3, afterFirstSecond.getMaxValue() / 1e3, afterFirstSecond.getTotalCount());
        }
        out.printf("unaccounted  %d%n", s.unaccounted());
    }
}
