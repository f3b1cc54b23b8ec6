package io.calisto.control.soak;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.calisto.aeron.DropReason;
import io.calisto.aeron.MatchRule;
import io.calisto.control.AppHandle;
import io.calisto.control.Dataplane;
import io.calisto.control.RunSummary;
import io.calisto.core.AppSpec;
import io.calisto.core.PacketHandler;
import io.calisto.io.dispatch.DispatchPolicy;
import io.calisto.io.sched.SchedulerListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The per-flow order soak: {@code apps} apps in one in-process dataplane, each matching its own destination port of
 * the synthetic traffic (Zipf over {@code flows} flows: hot flows see packets microseconds apart, which is where a
 * reorder shows, and the tail fills the flow tables). Every app's handler checks order ({@link OrderChecker}) and
 * burns a service time that alternates high/low out of phase with the other apps ({@link PhasedLoad}), so on a small
 * pool (each app guaranteed 1, burstable 3) congested apps take idle cores and preempt each other's. Mid-run the
 * core limits change, every app's policy is swapped to another and back, and a core is drained and restored.
 */
public final class Soak {
    /** Total packets per second per app: with {@link #HIGH_NANOS} one app at its peak needs 0.6 of a core. */
    static final int RATE_PER_APP = 10_000;
    static final long HIGH_NANOS = 60_000, LOW_NANOS = 5_000, PERIOD_NANOS = 300_000_000;
    static final int FIRST_PORT = 7000, GUARANTEED = 1, BURSTABLE = 3;

    /** {@code churn} false: each app holds exactly one core and nothing changes, a run that cannot reorder (the checker's control). */
    public record Options(int seconds, int apps, int flows, boolean churn) {
        public Options(int seconds, int apps, int flows) { this(seconds, apps, flows, true); }
    }

    public record Result(String policy, long received, long delivered, long dropped, long unaccounted, long reordered,
                         long overlapped, long grants, long preemptions, long expired, long unchecked) {
        public String line() {
            return "RESULT policy=" + policy + " received=" + received + " delivered=" + delivered + " dropped=" + dropped
                + " unaccounted=" + unaccounted + " reordered=" + reordered + " overlapped=" + overlapped + " grants=" + grants
                + " preemptions=" + preemptions + " expired=" + expired;
        }

        /** Which promise this run broke, or null when it kept them all. */
        public String failure() {
            List<String> f = new ArrayList<>();
            if (unaccounted != 0) f.add("unaccounted=" + unaccounted + " (packets neither delivered nor dropped)");
            if (reordered != 0) f.add("reordered=" + reordered + " (a flow's packet handled after a later one)");
            if (overlapped != 0) f.add("overlapped=" + overlapped + " (two packets of a flow in service at once)");
            if (grants == 0) f.add("grants=0 (the scheduler never granted a core: the soak exercised nothing)");
            if (preemptions == 0) f.add("preemptions=0 (no app ever preempted another)");
            if (unchecked != 0) f.add("unchecked=" + unchecked + " (the order checker's table was full)");
            return f.isEmpty() ? null : "policy " + policy + ": " + String.join(", ", f);
        }
    }

    private Soak() {}

    /** Runs {@code policies} one after the other, each in a fresh dataplane; the apps' actor system is shared. */
    public static List<Result> run(Config base, List<String> policies, Options o, Consumer<String> out) throws Exception {
        int[] pool = pool(o.apps());
        out.accept(String.format("soak: %d apps (dst ports %d..%d), %d flows (zipf), %d pps per app, pool %s, each app guaranteed %d burstable %d;"
                + " service %d/%d us alternating every %d ms out of phase; %d s per policy",
            o.apps(), FIRST_PORT, FIRST_PORT + o.apps() - 1, o.flows(), RATE_PER_APP, java.util.Arrays.toString(pool), GUARANTEED,
            Math.min(BURSTABLE, pool.length), HIGH_NANOS / 1000, LOW_NANOS / 1000, PERIOD_NANOS / 2_000_000, o.seconds())
            + (o.churn() ? "" : "; control run: each app holds exactly 1 core, nothing changes"));
        Config first = config(base, policies.get(0), o, pool);
        ActorSystem<Void> apps = ActorSystem.create(Behaviors.empty(), "soak-apps", first);
        try {
            List<Result> results = new ArrayList<>();
            for (String policy : policies) results.add(runOne(config(base, policy, o, pool), apps, policy, o, pool, out));
            return results;
        } finally {
            apps.terminate();
            apps.getWhenTerminated().toCompletableFuture().get();
        }
    }

    /** At least 4 cores, and 2 beyond one per app, so a changed limit and a drained core still fit every guarantee. */
    static int[] pool(int apps) {
        int[] pool = new int[Math.max(4, apps + 2)];
        for (int i = 0; i < pool.length; i++) pool[i] = i;
        return pool;
    }

    static Config config(Config base, String policy, Options o, int[] pool) {
        Map<String, Object> m = new HashMap<>();
        m.put("calisto.run.port", "synthetic");
        m.put("calisto.dispatch.policy", policy);
        m.put("calisto.synthetic.rate", RATE_PER_APP * o.apps());
        m.put("calisto.synthetic.flows", o.flows());
        m.put("calisto.synthetic.popularity", "zipf");
        m.put("calisto.synthetic.dst-port", FIRST_PORT);
        m.put("calisto.synthetic.dst-ports", o.apps());
        m.put("calisto.synthetic.max-packets", 0);
        m.put("calisto.cores.pool", java.util.Arrays.stream(pool).boxed().toList());
        m.put("calisto.cores.cpus", List.of());
        m.put("calisto.io.cpu", -1);
        m.put("calisto.io.idle-strategy", "backoff"); // 2 shared CPUs: an idle IO thread must not spin
        m.put("calisto.io.track-migrations", false);   // not reported; saves a 2M-entry table per app
        m.put("calisto.scheduler.interval", "20us");
        return ConfigFactory.parseMap(m).withFallback(base).resolve();
    }

    private static Result runOne(Config c, ActorSystem<Void> appSystem, String policy, Options o, int[] pool, Consumer<String> out) throws Exception {
        if (!DispatchPolicy.NAMES.contains(policy)) {
            throw new IllegalArgumentException("unknown policy '" + policy + "' (" + String.join(", ", DispatchPolicy.NAMES) + ", all)");
        }
        String other = DispatchPolicy.NAMES.get((DispatchPolicy.NAMES.indexOf(policy) + 1) % DispatchPolicy.NAMES.size());
        int guaranteed = o.churn() ? GUARANTEED : 1, burstable = o.churn() ? Math.min(BURSTABLE, pool.length) : 1;
        long start = System.nanoTime();
        OrderChecker[] checkers = new OrderChecker[o.apps()];
        try (Dataplane dp = Dataplane.start(c)) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < o.apps(); i++) {
                // app i gets flows i, i+apps, ...: size its checker for that share
                OrderChecker checker = checkers[i] = new OrderChecker(o.flows() / o.apps() + 1);
                PhasedLoad load = PhasedLoad.of(i, o.apps(), start, PERIOD_NANOS, HIGH_NANOS, LOW_NANOS);
                String name = "app" + i + "-" + policy; // unique across runs: the shared actor system names actors after it
                names.add(name);
                dp.register(appSystem, new AppSpec(name, MatchRule.parse("dst-port=" + (FIRST_PORT + i)), core -> handler(checker, load)),
                    guaranteed, burstable);
            }
            out.accept("policy " + policy + ": started");
            dp.startRx();
            SoakScript script = new SoakScript(dp, names, policy, other, pool, burstable, out);
            long t0 = System.nanoTime(), end = t0 + Duration.ofSeconds(o.seconds()).toNanos();
            int second = 0;
            for (long now; (now = System.nanoTime()) < end; Thread.sleep(5)) {
                if (o.churn()) script.advance((double) (now - t0) / (end - t0));
                if (now - t0 >= (second + 1) * 1_000_000_000L) {
                    second++;
                    out.accept(progress(policy, second, dp, checkers));
                }
            }
            if (o.churn()) script.advance(1.0);
            if (second < o.seconds()) out.accept(progress(policy, o.seconds(), dp, checkers));
            dp.drainAndStop(Duration.ofSeconds(10));
            RunSummary s = RunSummary.of(dp);
            long grants = 0, preemptions = 0, expired = 0;
            for (AppHandle h : dp.apps()) {
                grants += h.dispatch().schedEvents.get(SchedulerListener.GRANTED);
                preemptions += h.dispatch().schedEvents.get(SchedulerListener.PREEMPTED);
                expired += h.dispatch().policy().expired();
            }
            long reordered = 0, overlapped = 0, unchecked = 0, checked = 0;
            for (OrderChecker k : checkers) {
                reordered += k.reordered();
                overlapped += k.overlapped();
                unchecked += k.unchecked();
                checked += k.handled();
            }
            StringBuilder drops = new StringBuilder();
            for (DropReason r : DropReason.values()) {
                if (r != DropReason.TX_FULL && dp.kernel().dropped(r) > 0) drops.append(' ').append(r.label()).append(' ').append(dp.kernel().dropped(r));
            }
            out.accept(String.format("policy %s: %d packets checked by the handlers (delivered %d); dropped%s", policy, checked, s.delivered(),
                drops.isEmpty() ? " none" : drops));
            return new Result(policy, s.received(), s.delivered(), s.dropped(), s.unaccounted(), reordered, overlapped, grants,
                preemptions, expired, unchecked);
        }
    }

    private static PacketHandler handler(OrderChecker checker, PhasedLoad load) {
        return ctx -> {
            int token = checker.enter(ctx.rssHash(), OrderChecker.seqOf(ctx.buffer(), ctx.offset(), ctx.length()));
            PhasedLoad.burn(load.serviceNanos(System.nanoTime()));
            checker.exit(token);
        };
    }

    private static String progress(String policy, int second, Dataplane dp, OrderChecker[] checkers) {
        long grants = 0, preemptions = 0, reordered = 0, overlapped = 0;
        for (AppHandle h : dp.apps()) {
            grants += h.dispatch().schedEvents.get(SchedulerListener.GRANTED);
            preemptions += h.dispatch().schedEvents.get(SchedulerListener.PREEMPTED);
        }
        for (OrderChecker k : checkers) {
            reordered += k.reordered();
            overlapped += k.overlapped();
        }
        return String.format("  %s %2ds rx %d delivered %d grants %d preemptions %d reordered %d overlapped %d",
            policy, second, dp.kernel().received(), dp.deliveredTotal(), grants, preemptions, reordered, overlapped);
    }
}
