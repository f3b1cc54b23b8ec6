package io.calisto.control;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.calisto.aeron.MatchRule;
import io.calisto.aeron.RatioSpread;
import io.calisto.aeron.ffm.CpuAffinity;
import io.calisto.aeron.ffm.RealtimePriority;
import io.calisto.cli.UserError;
import io.calisto.core.AppSpec;
import io.calisto.core.PacketHandler;
import io.calisto.io.sched.SchedulerListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Grant reaction time through the whole stack, against the machine's own floor measured in the same run. The IO
 * thread is pinned to CPU 0 and every other CPU is a pool core with its own CPU (a granted core that has to share a
 * CPU with a busy one waits for the OS scheduler, milliseconds, which measures the OS, not us). Its CPU also runs
 * the JVM's other threads (JIT, GC, Pekko, the media driver: with 2 CPUs there is nowhere else); by default the
 * core-actor's thread is SCHED_FIFO ({@code --realtime-priority}) so a wake-up preempts them, and the floor's woken
 * thread runs at the same priority: the same mechanism on both sides. The app has no
 * guaranteed core and gets Poisson arrivals one {@code gap} apart on average, most of them longer than
 * {@code park-after}: such a packet finds the app's cores yielded, the IO core grants one, and the sample is grant (the scheduler's timestamp) → that packet handled
 * on the newly woken core-actor. The baseline is the bare wake-up the grant path is built on: a thread on CPU 0
 * unparks a thread parked on CPU 1 ({@link LockSupport}, as the core-actor parks), same count, same spacing.
 * The two sides alternate (dataplane, floor, dataplane, floor, ...): each round's p99 ratio comes from two windows
 * next to each other in time, and the RESULT line gives their median with its spread (min, max).
 */
public final class GrantBench {
    static final long GAP_NANOS = 1_000_000;
    static final int MIN_ROUNDS = 3;

    private GrantBench() {}

    public static void run(Config base, int seconds, int realtimePriority, Consumer<String> out) throws Exception {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (cpus < 2) throw new UserError("bench grant needs 2 CPUs or more (one for the IO core, one per pool core); this machine has " + cpus);
        List<Integer> pool = new ArrayList<>(), pinned = new ArrayList<>();
        for (int c = 1; c < cpus; c++) {
            pool.add(c - 1);
            pinned.add(c);
        }
        Map<String, Object> overrides = new HashMap<>();
        overrides.put("calisto.dispatch.policy", "modulo");
        overrides.put("calisto.synthetic.rate", (int) (1e9 / GAP_NANOS));
        overrides.put("calisto.synthetic.arrival", "poisson"); // random phase against the parked actor's 1 ms park timeout
        overrides.put("calisto.synthetic.flows", 1000);
        overrides.put("calisto.cores.pool", pool);
        overrides.put("calisto.cores.cpus", pinned);
        overrides.put("calisto.io.cpu", 0);
        overrides.put("calisto.io.idle-strategy", "busy-spin");
        overrides.put("calisto.core.realtime-priority", realtimePriority);
        Config c = ConfigFactory.parseMap(overrides).withFallback(base).resolve();
        long parkAfter = c.getDuration("calisto.core.park-after").toNanos();
        if (parkAfter >= GAP_NANOS / 2) {
            throw new UserError("bench grant needs calisto.core.park-after below " + GAP_NANOS / 2_000 + "us so cores yield between packets; it is " + parkAfter / 1000 + "us");
        }
        out.accept(String.format("%d CPUs: IO core on CPU 0, pool cores %s on CPUs %s; Poisson arrivals %d us apart on average, park-after %d us",
            cpus, pool, pinned, GAP_NANOS / 1000, parkAfter / 1000));
        out.accept(realtimePriority > 0
            ? "core-actor threads and the floor's woken thread: SCHED_FIFO priority " + realtimePriority + " (calisto.core.realtime-priority)"
            : "core-actor threads and the floor's woken thread: ordinary (SCHED_OTHER); they queue behind the JVM's other threads on CPU 1");

        int rounds = Math.max(MIN_ROUNDS, Math.min(seconds, 5));
        long windowMillis = Math.max(1000, seconds * 1000L / rounds);
        out.accept(String.format("%d rounds, each: a fresh dataplane (%d ms of grants measured) then the bare wake-up floor, as many samples",
            rounds, windowMillis));
        Histogram reaction = new Histogram(3), wake = new Histogram(3);
        List<Double> ratios = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            // JIT warm-up of the grant path: a second in the first round, less once it is compiled
            Histogram re = reactions(c, pool, r == 0 ? 1000 : 300, windowMillis, out);
            if (re.getTotalCount() == 0) {
                // seen once here at load average 18 (16 packets in 2 s: the IO thread hardly ran); the round is left out
                out.accept(String.format("  round %d: no grant reaction measured in %d ms; left out", r + 1, windowMillis));
                continue;
            }
            Histogram wa = wakeUps((int) Math.max(1000, re.getTotalCount()), realtimePriority);
            double ratio = re.getValueAtPercentile(99) / (double) Math.max(1, wa.getValueAtPercentile(99));
            ratios.add(ratio);
            out.accept(String.format("  round %d: reaction p50 %.1f us, p99 %.1f us (%d samples); wake p50 %.1f us, p99 %.1f us (%d samples); p99 ratio %.2f",
                r + 1, re.getValueAtPercentile(50) / 1e3, re.getValueAtPercentile(99) / 1e3, re.getTotalCount(),
                wa.getValueAtPercentile(50) / 1e3, wa.getValueAtPercentile(99) / 1e3, wa.getTotalCount(), ratio));
            reaction.add(re);
            wake.add(wa);
        }
        if (ratios.isEmpty()) throw new IllegalStateException("no grant reaction was measured in " + rounds + " rounds of " + windowMillis + " ms");
        RatioSpread spread = RatioSpread.of(ratios.stream().mapToDouble(Double::doubleValue).toArray());
        out.accept(String.format("bare wake-up CPU 0 -> CPU 1 (unpark -> running), %d samples: p50 %.1f us, p99 %.1f us, max %.1f us",
            wake.getTotalCount(), wake.getValueAtPercentile(50) / 1e3, wake.getValueAtPercentile(99) / 1e3, wake.getMaxValue() / 1e3));
        // p50/p99/max over all rounds' samples; the ratio is the median of the rounds' p99 ratios, with its spread
        out.accept(String.format("RESULT reaction_p50_us=%.1f reaction_p99_us=%.1f reaction_max_us=%.1f wake_p50_us=%.1f wake_p99_us=%.1f p99_ratio_to_wake=%.2f p99_ratio_min=%.2f p99_ratio_max=%.2f rounds=%d",
            reaction.getValueAtPercentile(50) / 1e3, reaction.getValueAtPercentile(99) / 1e3, reaction.getMaxValue() / 1e3,
            wake.getValueAtPercentile(50) / 1e3, wake.getValueAtPercentile(99) / 1e3, spread.median(), spread.min(), spread.max(), spread.rounds()));
    }

    /** One round's grant reactions: a fresh dataplane (its IO thread busy-spins on CPU 0, so it must be gone before the floor is measured). */
    private static Histogram reactions(Config c, List<Integer> pool, long warmMillis, long windowMillis, Consumer<String> out) throws Exception {
        Histogram reaction = new Histogram(3);
        PacketHandler handler = ctx -> {};
        ActorSystem<Void> apps = ActorSystem.create(Behaviors.empty(), "grant-bench", c);
        try (Dataplane dp = Dataplane.start(c)) {
            AppHandle h = dp.register(apps, new AppSpec("bench", MatchRule.parse("dst-port=7"), core -> handler), 0, pool.size());
            dp.startRx();
            Thread.sleep(warmMillis); // its samples are dropped
            h.runtime().grantReaction().getIntervalHistogram();
            var trace = h.runtime().grantTrace();
            trace.enable();
            long before = h.dispatch().schedEvents.get(SchedulerListener.GRANTED);
            Thread.sleep(windowMillis);
            reaction.add(h.runtime().grantReaction().getIntervalHistogram());
            out.accept(hops(trace));
            long grants = h.dispatch().schedEvents.get(SchedulerListener.GRANTED) - before;
            dp.drainAndStop(Duration.ofSeconds(10));
            StringBuilder reasons = new StringBuilder();
            for (io.calisto.aeron.DropReason r : io.calisto.aeron.DropReason.values()) {
                if (dp.kernel().dropped(r) > 0) reasons.append(' ').append(r.label()).append(' ').append(dp.kernel().dropped(r));
            }
            out.accept(String.format("received %d packets, delivered %d, dropped %d%s; grants %d, yields %d, samples %d",
                dp.kernel().received(), dp.deliveredTotal(), dp.kernel().droppedTotal(), reasons, grants,
                h.dispatch().schedEvents.get(SchedulerListener.YIELDED), reaction.getTotalCount()));
        } finally {
            apps.terminate();
            apps.getWhenTerminated().toCompletableFuture().get();
        }
        return reaction;
    }

    /** The reaction hop by hop (GrantTrace): where the time between the grant and the first packet goes. */
    private static String hops(io.calisto.core.GrantTrace t) {
        Histogram u = t.unparkCall.getIntervalHistogram(), w = t.wake.getIntervalHistogram(),
            p = t.toPoll.getIntervalHistogram(), h = t.toHandled.getIntervalHistogram(), all = t.handled.getIntervalHistogram();
        return String.format("hops, p50/p99/max us: grant -> IO wake call returned %s; grant -> core-actor running %s; running -> first poll %s;"
            + " first poll -> packet handled %s; grant -> handled %s; first poll empty in %d of %d",
            pct(u), pct(w), pct(p), pct(h), pct(all), t.emptyFirstPolls.get(), all.getTotalCount());
    }

    private static String pct(Histogram h) {
        return String.format("%.1f/%.1f/%.1f", h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getMaxValue() / 1e3);
    }

    /**
     * The floor: unpark a parked thread on CPU 1 from a spinning thread on CPU 0, {@code n} times, one gap apart; the
     * woken thread runs as a core-actor does (SCHED_FIFO at {@code realtimePriority}, or ordinary for 0).
     */
    static Histogram wakeUps(int n, int realtimePriority) throws InterruptedException {
        Histogram h = new Histogram(3);
        long[] sentAt = new long[1]; // written before the ticket, read after it: the volatile ticket orders them
        AtomicLong ticket = new AtomicLong(), ack = new AtomicLong();
        Thread sleeper = Thread.ofPlatform().name("calisto-wake-target").start(() -> {
            CpuAffinity.pin(1, "bench cpu");
            if (realtimePriority > 0) RealtimePriority.set(realtimePriority, "--realtime-priority");
            long seen = 0;
            while (true) {
                long t;
                while ((t = ticket.get()) == seen) LockSupport.park();
                if (t < 0) return;
                h.recordValue(Math.max(0, System.nanoTime() - sentAt[0]));
                seen = t;
                ack.set(t);
            }
        });
        Thread waker = Thread.ofPlatform().name("calisto-waker").start(() -> {
            CpuAffinity.pin(0, "bench cpu");
            for (long i = 1; i <= n; i++) {
                long until = System.nanoTime() + GAP_NANOS;
                while (System.nanoTime() < until) Thread.onSpinWait();
                sentAt[0] = System.nanoTime();
                ticket.set(i);
                LockSupport.unpark(sleeper);
                while (ack.get() != i) Thread.onSpinWait();
            }
            ticket.set(-1);
            LockSupport.unpark(sleeper);
        });
        waker.join();
        sleeper.join();
        return h;
    }
}
