package io.calisto.control;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.calisto.aeron.MatchRule;
import io.calisto.core.AppSpec;
import io.calisto.core.PacketHandler;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Grant reaction time through the whole stack: the app's service time jumps every 100 ms between heavy (one core
 * cannot keep up) and none (cores go idle and yield), so the scheduler grants and takes back cores over and over.
 * Each sample is the time from the scheduler's grant (the check that saw the congestion) to the first packet the
 * newly granted core-actor handled. Modulo dispatch, so a new core gets packets at once; the sample includes the
 * wait for the first packet that hashes to it.
 */
public final class GrantBench {
    private GrantBench() {}

    public static void run(Config base, int seconds, Consumer<String> out) throws Exception {
        Config c = ConfigFactory.parseMap(Map.of(
            "calisto.dispatch.policy", "modulo",
            "calisto.synthetic.rate", 100_000,
            "calisto.synthetic.flows", 1000,
            "calisto.cores.pool", java.util.List.of(0, 1, 2, 3),
            "calisto.io.idle-strategy", "backoff")).withFallback(base).resolve();
        java.util.concurrent.atomic.AtomicLong service = new java.util.concurrent.atomic.AtomicLong();
        PacketHandler handler = ctx -> {
            long end = System.nanoTime() + service.get();
            while (System.nanoTime() < end) Thread.onSpinWait();
        };
        ActorSystem<Void> apps = ActorSystem.create(Behaviors.empty(), "grant-bench", c);
        Histogram reaction = new Histogram(3);
        long grants = 0;
        try (Dataplane dp = Dataplane.start(c, Ports.create(c))) {
            AppHandle h = dp.register(apps, new AppSpec("bench", MatchRule.parse("dst-port=7"), core -> handler), 1, 4);
            dp.startRx();
            Thread.sleep(500);
            h.runtime().grantReaction().getIntervalHistogram(); // drop the guarantee grant at registration
            long before = h.dispatch().schedEvents.get(io.calisto.io.sched.SchedulerListener.GRANTED);
            long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            for (boolean heavy = true; System.nanoTime() < end; heavy = !heavy) {
                service.set(heavy ? 25_000 : 0); // 100k pps x 25 us = 2.5 cores of work
                Thread.sleep(100);
            }
            service.set(0);
            dp.drainAndStop(Duration.ofSeconds(10));
            reaction.add(h.runtime().grantReaction().getIntervalHistogram());
            grants = h.dispatch().schedEvents.get(io.calisto.io.sched.SchedulerListener.GRANTED) - before;
            out.accept(String.format("received %d packets, delivered %d, dropped %d, yields %d", dp.kernel().received(), dp.deliveredTotal(),
                dp.kernel().droppedTotal(), h.dispatch().schedEvents.get(io.calisto.io.sched.SchedulerListener.YIELDED)));
        } finally {
            apps.terminate();
            apps.getWhenTerminated().toCompletableFuture().get();
        }
        out.accept(String.format("grants %d, samples %d (a grant whose core saw no packet before it was yielded has no sample)", grants, reaction.getTotalCount()));
        if (reaction.getTotalCount() == 0) throw new IllegalStateException("no grant reaction was measured in " + seconds + " s");
        out.accept(String.format("RESULT reaction_p50_us=%.1f reaction_p99_us=%.1f reaction_max_us=%.1f",
            reaction.getValueAtPercentile(50) / 1e3, reaction.getValueAtPercentile(99) / 1e3, reaction.getMaxValue() / 1e3));
    }
}
