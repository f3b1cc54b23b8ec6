package io.calisto.control.soak;

import io.calisto.aeron.MatchRule;
import io.calisto.control.AppHandle;
import io.calisto.control.Dataplane;
import io.calisto.core.AppSpec;
import io.calisto.core.PacketHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * The four misbehaving apps of {@code soak --faults}, each matching its own destination port after the soak's apps:
 * <ol>
 * <li>{@code killed}: an app in a second JVM ({@link SoakRemoteApp}) killed with SIGKILL ({@code kill -9}) mid-run;
 * <li>{@code stopped}: an app in a third JVM stopped with SIGSTOP for {@link #STOP} and resumed with SIGCONT
 *     (the dataplane's failure detector, about 1.5 s, may take it for dead meanwhile: what happened is reported);
 * <li>{@code throwing}: an in-process app whose handler throws on every {@link #THROW_EVERY}-th packet;
 * <li>{@code stalling}: an in-process app whose handler sleeps {@link #STALL} on one packet in {@link #STALL_EVERY}
 *     (it needs more cores than its burstable limit allows: its own stream fills and its packets are dropped as its
 *     own back pressure).
 * </ol>
 * Each is guaranteed 1 core, burstable 2. The soak thread drives the faults ({@link #advance}) and reads the outcome;
 * the counters the handlers write are atomic.
 */
final class FaultyApps implements AutoCloseable {
    static final int COUNT = 4, GUARANTEED = 1, BURSTABLE = 2;
    static final int THROW_EVERY = 100, STALL_EVERY = 100;
    static final Duration STALL = Duration.ofMillis(100), STOP = Duration.ofSeconds(5);
    /** A second JVM's start (JIT, Pekko remoting, Aeron) on a loaded machine: generous. */
    static final Duration JVM_START = Duration.ofSeconds(90);
    static final String[] ROLES = {"killed", "stopped", "throwing", "stalling"};

    /** When each fault strikes, from the start of traffic, for a run of {@code seconds}; the run lasts at least {@link #runNanos}. */
    record Timeline(long stopAt, long killAt, long contAt) {
        static Timeline of(int seconds) {
            long s = Duration.ofSeconds(seconds).toNanos();
            long stopAt = Math.max(Duration.ofSeconds(1).toNanos(), s / 5);
            long killAt = Math.max(Duration.ofMillis(1500).toNanos(), s * 2 / 5);
            return new Timeline(stopAt, killAt, stopAt + STOP.toNanos());
        }

        /** The requested length, stretched so the stopped app has a second after its SIGCONT. */
        long runNanos(int seconds) { return Math.max(Duration.ofSeconds(seconds).toNanos(), contAt + Duration.ofSeconds(1).toNanos()); }
    }

    private final Dataplane dp;
    private final String policy;
    private final Consumer<String> out;
    private final Timeline timeline;
    private final List<String> names = new ArrayList<>();
    private final List<AppHandle> handles = new ArrayList<>();
    private final ChildJvm killed, stopped;
    private final OrderChecker throwingOrder, stallingOrder;
    private final LongAdder thrown = new LongAdder(), stalls = new LongAdder();
    /** Off once traffic stops: the drain at the end is not slowed by stalls (the stalled app's queue is full by then). */
    private volatile boolean stalling = true;
    private long killedAt = -1, stoppedAt = -1, resumedAt = -1;
    /** When each app was seen gone from the dataplane (from the start of traffic), and its delivered count then. */
    private final long[] leftAt = {-1, -1, -1, -1};
    private final long[] deliveredWhenLeft = new long[COUNT];
    private final List<String> problems = new ArrayList<>();

    private FaultyApps(Dataplane dp, String policy, Timeline timeline, Consumer<String> out, ChildJvm killed, ChildJvm stopped,
                       int flowsPerApp) {
        this.dp = dp;
        this.policy = policy;
        this.timeline = timeline;
        this.out = out;
        this.killed = killed;
        this.stopped = stopped;
        this.throwingOrder = new OrderChecker(flowsPerApp);
        this.stallingOrder = new OrderChecker(flowsPerApp);
    }

    /**
     * Registers the four apps on the ports {@code firstPort..firstPort+3}: the two in-process ones through
     * {@code appSystem}, the two remote ones from JVMs started here (returns once both are served).
     */
    static FaultyApps start(Dataplane dp, ActorSystem<?> appSystem, String policy, int firstPort, int flowsPerApp, Timeline timeline,
                            Consumer<String> out) throws Exception {
        long started = System.nanoTime();
        String address = Adapter.toClassic(dp.controlSystem()).provider().getDefaultAddress().toString();
        List<String> names = new ArrayList<>();
        for (String role : ROLES) names.add("fault-" + role + "-" + policy);
        ChildJvm killed = ChildJvm.start(SoakRemoteApp.class, address, names.get(0), Integer.toString(firstPort), Integer.toString(GUARANTEED),
            Integer.toString(BURSTABLE), Integer.toString(flowsPerApp));
        ChildJvm stopped = null;
        try {
            stopped = ChildJvm.start(SoakRemoteApp.class, address, names.get(1), Integer.toString(firstPort + 1), Integer.toString(GUARANTEED),
                Integer.toString(BURSTABLE), Integer.toString(flowsPerApp));
            FaultyApps f = new FaultyApps(dp, policy, timeline, out, killed, stopped, flowsPerApp);
            f.names.addAll(names);
            for (ChildJvm jvm : List.of(killed, stopped)) jvm.awaitRegistered(JVM_START);
            f.handles.add(f.handle(names.get(0)));
            f.handles.add(f.handle(names.get(1)));
            f.handles.add(dp.register(appSystem, new AppSpec(names.get(2), MatchRule.parse("dst-port=" + (firstPort + 2)), core -> f.throwing()),
                GUARANTEED, BURSTABLE));
            f.handles.add(dp.register(appSystem, new AppSpec(names.get(3), MatchRule.parse("dst-port=" + (firstPort + 3)), core -> f.stalling()),
                GUARANTEED, BURSTABLE));
            out.accept(String.format("  %s faults: %s (pid %d) and %s (pid %d) served from their own JVMs, %.1f s after their start;"
                    + " SIGSTOP at %.1f s, kill -9 at %.1f s, SIGCONT at %.1f s", policy, names.get(0), killed.pid(), names.get(1), stopped.pid(),
                (System.nanoTime() - started) / 1e9, timeline.stopAt / 1e9, timeline.killAt / 1e9, timeline.contAt / 1e9));
            return f;
        } catch (Exception | Error e) {
            killed.close();
            if (stopped != null) stopped.close();
            throw e;
        }
    }

    private AppHandle handle(String name) {
        for (AppHandle h : dp.apps()) if (h.name().equals(name)) return h;
        throw new IllegalStateException("remote app " + name + " said it registered but the dataplane does not serve it");
    }

    /** A handler per core-actor, so each counts its own packets (one thread each). */
    private PacketHandler throwing() {
        long[] seen = {0};
        return ctx -> {
            int token = throwingOrder.enter(ctx.rssHash(), OrderChecker.seqOf(ctx.buffer(), ctx.offset(), ctx.length()));
            PhasedLoad.burn(Soak.LOW_NANOS);
            throwingOrder.exit(token);
            // every THROW_EVERY-th packet this core-actor sees (order checked first: the throw must not hide a reorder)
            if (++seen[0] % THROW_EVERY == 0) {
                thrown.increment();
                throw new IllegalStateException("soak: a handler that throws");
            }
        };
    }

    private PacketHandler stalling() {
        long[] seen = {0};
        return ctx -> {
            int token = stallingOrder.enter(ctx.rssHash(), OrderChecker.seqOf(ctx.buffer(), ctx.offset(), ctx.length()));
            if (++seen[0] % STALL_EVERY == 0 && stalling) {
                stalls.increment();
                try {
                    Thread.sleep(STALL);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                PhasedLoad.burn(Soak.LOW_NANOS);
            }
            stallingOrder.exit(token);
        };
    }

    /** Strikes every fault whose moment has come ({@code sinceStart}: nanoseconds since traffic started) and notes apps that left. */
    void advance(long sinceStart) {
        if (stoppedAt < 0 && sinceStart >= timeline.stopAt) {
            stoppedAt = sinceStart;
            signal(stopped, "STOP");
            say(String.format("%s stopped (SIGSTOP, pid %d) at %.1f s", names.get(1), stopped.pid(), sinceStart / 1e9));
        }
        if (killedAt < 0 && sinceStart >= timeline.killAt) {
            killedAt = sinceStart;
            killed.kill();
            say(String.format("%s killed (kill -9, pid %d) at %.1f s", names.get(0), killed.pid(), sinceStart / 1e9));
        }
        if (resumedAt < 0 && sinceStart >= timeline.contAt) {
            resumedAt = sinceStart;
            signal(stopped, "CONT");
            say(String.format("%s resumed (SIGCONT) at %.1f s, after %.1f s stopped; %s", names.get(1), sinceStart / 1e9,
                (sinceStart - stoppedAt) / 1e9, leftAt[1] >= 0 ? "the dataplane had evicted it (missed heartbeats)" : "it is still registered"));
        }
        List<AppHandle> live = dp.apps();
        for (int i = 0; i < COUNT; i++) {
            if (leftAt[i] >= 0 || live.contains(handles.get(i))) continue;
            // delivered as the dataplane counted it when it left: a stopped app that resumes may still read its old stream
            leftAt[i] = sinceStart;
            deliveredWhenLeft[i] = handles.get(i).deliveredTotal();
            long since = i == 0 ? killedAt : i == 1 ? stoppedAt : -1;
            say(String.format("%s left the dataplane at %.1f s%s", names.get(i), sinceStart / 1e9,
                since >= 0 ? String.format(" (%.2f s after its %s)", (sinceStart - since) / 1e9, i == 0 ? "kill -9" : "SIGSTOP") : ""));
        }
    }

    private void signal(ChildJvm jvm, String signal) {
        String failed = jvm.signal(signal);
        if (failed != null) problems.add(failed);
    }

    /**
     * The run's time is up: waits, at most {@link #EVICTION_WAIT}, for the kill -9'd app to be evicted, so a failure
     * detector slowed by a starved machine is told apart from one that never fires.
     */
    void awaitKilledEvicted(long t0) throws InterruptedException {
        long start = System.nanoTime(), deadline = start + EVICTION_WAIT.toNanos();
        while (killedAt >= 0 && !left(0) && System.nanoTime() < deadline) {
            Thread.sleep(5);
            advance(System.nanoTime() - t0);
        }
        if (System.nanoTime() - start > 10_000_000) {
            say(String.format("waited %.1f s after the run for %s to be evicted%s", (System.nanoTime() - start) / 1e9, names.get(0),
                left(0) ? "" : ": it was not"));
        }
    }

    /** Longest wait for the killed app's eviction after the run: the failure detector's ~2 s, on a starved machine much more. */
    static final Duration EVICTION_WAIT = Duration.ofSeconds(20);

    /** Traffic stopped: no more stalls, so the stalled app's queue drains at the speed of its other packets. */
    void calm() { stalling = false; }

    List<String> names() { return names; }

    List<AppHandle> handles() { return handles; }

    /** Delivered as counted when app {@code i} left, or now if it is still served. */
    long delivered(int i) { return leftAt[i] >= 0 ? deliveredWhenLeft[i] : handles.get(i).deliveredTotal(); }

    boolean left(int i) { return leftAt[i] >= 0; }

    /** Handled, reordered, overlapped, unchecked as app {@code i}'s order checker last reported them. */
    long[] order(int i) {
        return switch (i) {
            case 0 -> killed.stats();
            case 1 -> stopped.stats();
            case 2 -> new long[] {throwingOrder.handled(), throwingOrder.reordered(), throwingOrder.overlapped(), throwingOrder.unchecked()};
            default -> new long[] {stallingOrder.handled(), stallingOrder.reordered(), stallingOrder.overlapped(), stallingOrder.unchecked()};
        };
    }

    long thrown() { return thrown.sum(); }

    long stalls() { return stalls.sum(); }

    /** What happened to app {@code i}, for its APP line. */
    String note(int i) {
        return switch (i) {
            case 0 -> (left(0) ? String.format("kill -9 at %.1f s, evicted %.2f s later (failure detector)", killedAt / 1e9, (leftAt[0] - killedAt) / 1e9)
                : String.format("kill -9 at %.1f s, NOT evicted", killedAt / 1e9)) + "; its last order report covered " + killed.stats()[0] + " packets";
            case 1 -> (left(1) ? String.format("SIGSTOP at %.1f s, evicted %.2f s later for missed heartbeats, SIGCONT at %.1f s (after it%s);"
                    + " its handler saw %d packets in all, %d after it was evicted", stoppedAt / 1e9, (leftAt[1] - stoppedAt) / 1e9, resumedAt / 1e9,
                stopped.evicted() == null ? ", never told" : ", told: " + stopped.evicted(), stopped.stats()[0], stopped.stats()[0] - deliveredWhenLeft[1])
                : String.format("SIGSTOP at %.1f s for %.1f s, survived (still registered after SIGCONT); its handler saw %d packets", stoppedAt / 1e9,
                    (resumedAt - stoppedAt) / 1e9, stopped.stats()[0]));
            case 2 -> "threw " + thrown() + " times (every " + THROW_EVERY + "th packet)";
            default -> "stalled " + stalls() + " times for " + STALL.toMillis() + " ms (every " + STALL_EVERY + "th packet)";
        };
    }

    /** Faults that did not happen as planned (a signal that failed, a kill the dataplane never noticed). */
    List<String> problems() {
        List<String> p = new ArrayList<>(problems);
        if (killedAt < 0 || stoppedAt < 0 || resumedAt < 0) p.add("the run ended before every fault struck");
        if (killedAt >= 0 && !left(0)) p.add(names.get(0) + " was killed with kill -9 but the dataplane never evicted it");
        if (thrown() == 0) p.add(names.get(2) + " never threw");
        if (stalls() == 0) p.add(names.get(3) + " never stalled");
        // its slots were marked retired before it was unlisted (docs/decisions.md 44): whatever it handled since was
        // counted app-gone too; its last report may lag, never lead
        long afterEviction = left(1) ? stopped.stats()[0] - deliveredWhenLeft[1] : 0;
        if (afterEviction > 0) p.add(names.get(1) + " handled " + afterEviction + " packets after its eviction (counted app-gone as well)");
        return p;
    }

    private void say(String what) { out.accept("  " + policy + " " + what); }

    /** Kills both JVMs (the stopped one too, if it was resumed and lives on). */
    @Override
    public void close() {
        killed.close();
        stopped.close();
    }
}
