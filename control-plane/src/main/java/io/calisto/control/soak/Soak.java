package io.calisto.control.soak;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.calisto.aeron.DropReason;
import io.calisto.aeron.MatchRule;
import io.calisto.control.AppHandle;
import io.calisto.control.Dataplane;
import io.calisto.control.DataplaneSettings;
import io.calisto.control.Ports;
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

    /**
     * {@code churn} false: each app holds exactly one core and nothing changes, a run that cannot reorder (the checker's
     * control). {@code faults}: the four misbehaving apps of {@link FaultyApps} run beside the soak's apps.
     */
    public record Options(int seconds, int apps, int flows, boolean churn, boolean faults) {
        public Options(int seconds, int apps, int flows) { this(seconds, apps, flows, true, false); }

        public Options(int seconds, int apps, int flows, boolean churn) { this(seconds, apps, flows, churn, false); }

        /** Destination ports of the traffic: one per app, the faulty ones included. */
        int ports() { return apps + (faults ? FaultyApps.COUNT : 0); }
    }

    /**
     * One policy's run. {@code apps}: every app's account (the soak's apps, then the faulty ones); {@code problems}: what
     * the per-app accounts and the faults broke (an app's packets not all accounted, with {@code faults} a good app
     * that dropped packets, a throw not counted, a kill never noticed).
     */
    public record Result(String policy, long received, long delivered, long dropped, long unaccounted, long reordered,
                         long overlapped, long grants, long preemptions, long expired, long unchecked, List<AppAccount> apps,
                         List<String> problems) {
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
            f.addAll(problems);
            return f.isEmpty() ? null : "policy " + policy + ": " + String.join(", ", f);
        }
    }

    private Soak() {}

    /** Runs {@code policies} one after the other, each in a fresh dataplane; the apps' actor system is shared. */
    public static List<Result> run(Config base, List<String> policies, Options o, Consumer<String> out) throws Exception {
        int[] pool = pool(o.ports());
        out.accept(String.format("soak: %d apps (dst ports %d..%d), %d flows (zipf), %d pps per app, pool %s, each app guaranteed %d burstable %d;"
                + " service %d/%d us alternating every %d ms out of phase; %d s per policy",
            o.apps(), FIRST_PORT, FIRST_PORT + o.apps() - 1, o.flows(), RATE_PER_APP, java.util.Arrays.toString(pool), GUARANTEED,
            Math.min(BURSTABLE, pool.length), HIGH_NANOS / 1000, LOW_NANOS / 1000, PERIOD_NANOS / 2_000_000, o.seconds())
            + (o.churn() ? "" : "; control run: each app holds exactly 1 core, nothing changes"));
        if (o.faults()) {
            FaultyApps.Timeline t = FaultyApps.Timeline.of(o.seconds());
            out.accept(String.format("faults: 4 more apps on dst ports %d..%d, each guaranteed %d burstable %d: %s and %s in their own JVMs"
                    + " (kill -9 at %.1f s; SIGSTOP at %.1f s, SIGCONT %d s later), %s (throws every %dth packet), %s (sleeps %d ms every %dth packet);"
                    + " each policy runs %.1f s", FIRST_PORT + o.apps(), FIRST_PORT + o.ports() - 1, FaultyApps.GUARANTEED, FaultyApps.BURSTABLE,
                FaultyApps.ROLES[0], FaultyApps.ROLES[1], t.killAt() / 1e9, t.stopAt() / 1e9, FaultyApps.STOP.toSeconds(), FaultyApps.ROLES[2],
                FaultyApps.THROW_EVERY, FaultyApps.ROLES[3], FaultyApps.STALL.toMillis(), FaultyApps.STALL_EVERY, t.runNanos(o.seconds()) / 1e9));
        }
        Config first = config(base, policies.get(0), o, pool);
        // the apps' own system never listens: with faults only the dataplane's system takes remote apps
        ActorSystem<Void> apps = ActorSystem.create(Behaviors.empty(), "soak-apps",
            ConfigFactory.parseMap(Map.of("pekko.actor.provider", "local")).withFallback(first));
        try {
            List<Result> results = new ArrayList<>();
            for (String policy : policies) results.add(runOne(config(base, policy, o, pool), apps, policy, o, pool, out));
            return results;
        } finally {
            apps.terminate();
            apps.getWhenTerminated().toCompletableFuture().get();
        }
    }

    /**
     * At least 4 cores, and 2 beyond one per app (faulty ones included), so a changed limit and a drained core still fit
     * every guarantee.
     */
    static int[] pool(int apps) {
        int[] pool = new int[Math.max(4, apps + 2)];
        for (int i = 0; i < pool.length; i++) pool[i] = i;
        return pool;
    }

    static Config config(Config base, String policy, Options o, int[] pool) {
        Map<String, Object> m = new HashMap<>();
        m.put("calisto.run.port", "synthetic");
        m.put("calisto.dispatch.policy", policy);
        m.put("calisto.synthetic.rate", RATE_PER_APP * o.ports());
        m.put("calisto.synthetic.flows", o.flows());
        m.put("calisto.synthetic.popularity", "zipf");
        m.put("calisto.synthetic.dst-port", FIRST_PORT);
        m.put("calisto.synthetic.dst-ports", o.ports());
        m.put("calisto.synthetic.max-packets", 0);
        m.put("calisto.cores.pool", java.util.Arrays.stream(pool).boxed().toList());
        m.put("calisto.cores.cpus", List.of());
        m.put("calisto.io.cpu", -1);
        m.put("calisto.io.idle-strategy", "backoff"); // 2 shared CPUs: an idle IO thread must not spin
        m.put("calisto.io.track-migrations", false);   // not reported; saves a 2M-entry table per app
        m.put("calisto.scheduler.interval", "20us");
        if (o.faults()) {
            // remote apps register with the dataplane's actor system: remoting on, loopback, any free port (as serve)
            m.put("pekko.actor.provider", "remote");
            m.put("pekko.remote.artery.transport", "tcp");
            m.put("pekko.remote.artery.canonical.hostname", "127.0.0.1");
            m.put("pekko.remote.artery.canonical.port", 0);
        }
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
        DataplaneSettings settings = DataplaneSettings.from(c);
        PortTally tally = new PortTally(Ports.create(c), FIRST_PORT, o.ports());
        FaultyApps faults = null;
        FaultyApps.Timeline timeline = FaultyApps.Timeline.of(o.seconds());
        try (Dataplane dp = Dataplane.start(settings, c, tally)) {
            List<String> names = new ArrayList<>();
            List<AppHandle> handles = new ArrayList<>();
            for (int i = 0; i < o.apps(); i++) {
                // app i gets flows i, i+ports, ...: size its checker for that share
                OrderChecker checker = checkers[i] = new OrderChecker(o.flows() / o.ports() + 1);
                PhasedLoad load = PhasedLoad.of(i, o.apps(), start, PERIOD_NANOS, HIGH_NANOS, LOW_NANOS);
                String name = "app" + i + "-" + policy; // unique across runs: the shared actor system names actors after it
                names.add(name);
                handles.add(dp.register(appSystem, new AppSpec(name, MatchRule.parse("dst-port=" + (FIRST_PORT + i)), core -> handler(checker, load)),
                    guaranteed, burstable));
            }
            if (o.faults()) faults = FaultyApps.start(dp, appSystem, policy, FIRST_PORT + o.apps(), o.flows() / o.ports() + 1, timeline, out);
            out.accept("policy " + policy + ": started");
            dp.startRx();
            SoakScript script = new SoakScript(dp, names, policy, other, pool, burstable, out);
            long t0 = System.nanoTime(), end = t0 + (o.faults() ? timeline.runNanos(o.seconds()) : Duration.ofSeconds(o.seconds()).toNanos());
            int second = 0;
            Stalls stalls = new Stalls(t0);
            for (long now; (now = System.nanoTime()) < end; Thread.sleep(5)) {
                stalls.sample(now, dp.kernel().received());
                if (o.churn()) script.advance((double) (now - t0) / (end - t0));
                if (faults != null) faults.advance(now - t0);
                if (now - t0 >= (second + 1) * 1_000_000_000L) {
                    second++;
                    out.accept(progress(policy, second, dp, checkers));
                }
            }
            if (o.churn()) script.advance(1.0);
            if (faults != null) {
                faults.advance(end - t0);
                faults.awaitKilledEvicted(t0);
                faults.calm();
            }
            int seconds = (int) Math.round((end - t0) / 1e9);
            if (second < seconds) out.accept(progress(policy, seconds, dp, checkers));
            dp.drainAndStop(Duration.ofSeconds(10));
            if (faults != null) faults.advance(System.nanoTime() - t0); // notes an app that left during the drain
            RunSummary s = RunSummary.of(dp);
            long grants = 0, preemptions = 0, expired = 0;
            for (AppHandle h : dp.apps()) {
                grants += h.dispatch().schedEvents.get(SchedulerListener.GRANTED);
                preemptions += h.dispatch().schedEvents.get(SchedulerListener.PREEMPTED);
                expired += h.dispatch().policy().expired();
            }
            List<AppAccount> accounts = new ArrayList<>();
            for (int i = 0; i < o.apps(); i++) {
                AppHandle h = handles.get(i);
                accounts.add(account(h.name(), "good", tally.sent(i), h.deliveredTotal(), h, false, h.runtime().handlerErrors(), 0,
                    new long[] {checkers[i].handled(), checkers[i].reordered(), checkers[i].overlapped(), checkers[i].unchecked()}, ""));
            }
            if (faults != null) {
                for (int i = 0; i < FaultyApps.COUNT; i++) {
                    AppHandle h = faults.handles().get(i);
                    accounts.add(account(h.name(), FaultyApps.ROLES[i], tally.sent(o.apps() + i), faults.delivered(i), h, faults.left(i),
                        h.remote() ? -1 : h.runtime().handlerErrors(), i == 2 ? faults.thrown() : i == 3 ? faults.stalls() : 0, faults.order(i),
                        faults.note(i)));
                }
            }
            for (AppAccount a : accounts) out.accept(a.line(policy));
            long reordered = 0, overlapped = 0, unchecked = 0, checked = 0;
            for (AppAccount a : accounts) {
                reordered += a.reordered();
                overlapped += a.overlapped();
            }
            for (OrderChecker k : checkers) {
                unchecked += k.unchecked();
                checked += k.handled();
            }
            if (faults != null) {
                for (int i = 0; i < FaultyApps.COUNT; i++) unchecked += faults.order(i)[3];
            }
            StringBuilder drops = new StringBuilder();
            for (DropReason r : DropReason.values()) {
                if (r != DropReason.TX_FULL && dp.kernel().dropped(r) > 0) drops.append(' ').append(r.label()).append(' ').append(dp.kernel().dropped(r));
            }
            out.accept(String.format("policy %s: %d packets checked by the soak apps' handlers (delivered %d to all apps); dropped%s", policy, checked,
                s.delivered(), drops.isEmpty() ? " none" : drops));
            out.accept("policy " + policy + ": " + stalls.line());
            List<String> problems = problems(accounts, dp.kernel().dropped(DropReason.NO_APP), tally.sent(o.ports()), o.faults());
            for (String note : notes(accounts, o.faults())) out.accept("NOTE: policy " + policy + ": " + note);
            if (faults != null) problems.addAll(faults.problems());
            return new Result(policy, s.received(), s.delivered(), s.dropped(), s.unaccounted(), reordered, overlapped, grants,
                preemptions, expired, unchecked, accounts, problems);
        } finally {
            if (faults != null) faults.close();
        }
    }

    /** Drop reasons of received packets (the reply-side ones count replies, not packets an app was sent). */
    private static final List<DropReason> RECEIVED_DROPS = java.util.Arrays.stream(DropReason.values())
        .filter(r -> r != DropReason.TX_FULL && r != DropReason.BAD_REPLY).toList();

    private static AppAccount account(String name, String role, long sent, long delivered, AppHandle h, boolean left, long handlerErrors,
                                      long faults, long[] order, String note) {
        Map<String, Long> drops = new java.util.LinkedHashMap<>();
        long dropped = 0;
        for (DropReason r : RECEIVED_DROPS) {
            long n = h.dispatch().dropped(r);
            if (n > 0) drops.put(r.label(), n);
            dropped += n;
        }
        // what it was sent and neither got nor had dropped against it matched no app: only possible once it left
        long afterLeaving = left ? sent - delivered - dropped : 0;
        return new AppAccount(name, role, sent, delivered, drops, left, afterLeaving, faults, handlerErrors, order[1], order[2], note);
    }

    /**
     * With faults, the good apps' back-pressure drops: printed, not failed. On this 2-CPU machine, shared with other
     * work, the soak's 8 pool cores are threads; a stall of the whole process of about 0.3 s fills a good app's stream
     * (its window holds about that much of its traffic) and the throwing app, which never blocks, loses packets in the
     * same moment: docs/decisions.md, "soak --faults".
     */
    static List<String> notes(List<AppAccount> accounts, boolean faults) {
        List<String> n = new ArrayList<>();
        for (AppAccount a : accounts) {
            long bp = a.drops().getOrDefault(DropReason.BACKPRESSURE.label(), 0L);
            if (faults && a.role().equals("good") && bp > 0) {
                n.add("good app " + a.app() + " dropped " + bp + " as its own back pressure (its stream was full; not counted as a failure:"
                    + " see README 'soak --faults')");
            }
        }
        return n;
    }

    /**
     * What the per-app accounts break: an app whose packets do not add up, no-app drops that no departed app explains,
     * and with faults a good app that lost packets for any reason but its own back pressure (the faulty apps'
     * trouble must stay theirs: no core, app-gone, app-error or no-app drops on a good app) or a throwing
     * handler whose throws the dataplane did not count.
     */
    static List<String> problems(List<AppAccount> accounts, long noApp, long otherPorts, boolean faults) {
        List<String> p = new ArrayList<>();
        long afterLeaving = 0;
        for (AppAccount a : accounts) {
            afterLeaving += a.afterLeaving();
            if (!a.accounted()) {
                p.add("app " + a.app() + ": sent " + a.sent() + " != delivered " + a.delivered() + " + dropped " + a.dropped()
                    + (a.left() ? " + no-app after leaving " + a.afterLeaving() : " (it never left)"));
            }
            long ownBackpressure = a.drops().getOrDefault(DropReason.BACKPRESSURE.label(), 0L);
            if (faults && a.role().equals("good") && a.dropped() != ownBackpressure) {
                p.add("good app " + a.app() + " dropped " + (a.dropped() - ownBackpressure) + " for other reasons than its own back pressure " + a.drops());
            }
            if (a.role().equals("throwing") && a.handlerErrors() != a.faults()) {
                p.add("app " + a.app() + " threw " + a.faults() + " times but the dataplane counted " + a.handlerErrors() + " handler errors");
            }
        }
        if (afterLeaving != noApp) p.add("no-app " + noApp + " != " + afterLeaving + " sent to apps after they left");
        if (otherPorts != 0) p.add(otherPorts + " packets to a port no soak app matches");
        return p;
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
