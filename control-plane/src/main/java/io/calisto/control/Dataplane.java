package io.calisto.control;

import com.typesafe.config.Config;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.ffm.CpuAffinity;
import io.calisto.aeron.EmbeddedDriver;
import io.calisto.aeron.FrameLayout;
import io.calisto.aeron.MatchRule;
import io.calisto.aeron.IdleStrategies;
import io.calisto.aeron.Streams;
import io.calisto.core.AppRuntime;
import io.calisto.core.AppSpec;
import io.calisto.io.dispatch.DispatchPolicy;
import io.calisto.io.dispatch.FlowTable;
import io.calisto.io.kernel.AppDispatch;
import io.calisto.io.sched.SchedulerListener;
import org.apache.pekko.actor.typed.ActorRef;
import io.calisto.io.kernel.IoKernelProxy;
import io.calisto.io.kernel.IoKernel;
import io.calisto.io.port.PacketPort;
import io.calisto.io.rss.Toeplitz;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.AgentRunner;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: media driver, Aeron client, the IO thread running {@link IoKernel}, the control-plane
 * actor system, and the applications. Every app gets a parked core-actor per pool core at registration; from then on
 * the {@link io.calisto.io.sched.CoreScheduler} on the IO thread grants and takes back cores on its own.
 *
 * <p>Threads: no method holds a lock. Registration, unregistration and drainAndStop may run on the caller's thread,
 * the management actor's dispatcher and the event-pump thread at once; what they share is concurrent (the app list,
 * the id counter, the set of names in use, claimed with one atomic add), the IO-side state is changed only on the IO
 * thread (through {@link IoKernelProxy}), and the state of apps in other JVMs belongs to the {@link RemoteApps} actor.
 * A thread that waits for another (the IO thread, the pump, a core-actor) holds nothing that thread needs
 * (docs/decisions.md, "No lock is held while waiting for another thread").
 */
public final class Dataplane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dataplane.class);

    private final DataplaneSettings settings;
    private final EmbeddedDriver driver;
    private final Aeron aeron;
    private final Streams streams;
    private final IoKernel kernel;
    /** The only way to change IO-side state from here: each command runs on the IO thread between bursts. */
    private final IoKernelProxy ioThread;
    private final AgentRunner ioRunner;
    private final ActorSystem<ControlPlane.Command> controlSystem;
    private final int[] pool;
    private final List<AppHandle> apps = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.Map<Integer, String> appNames = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger nextAppId = new java.util.concurrent.atomic.AtomicInteger();
    /** Names of registered apps and of apps being registered or unregistered: adding one is the claim on it. */
    private final java.util.Set<String> names = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Apps an unregister is under way for: a second unregister of the same app is rejected, not run twice. */
    private final java.util.Set<String> retiring = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong retiredDelivered = new java.util.concurrent.atomic.AtomicLong();
    private final ActorRef<Management.Command> management;
    private final EventPump events;
    /** Apps in other JVMs (Pekko remoting, when {@code pekko.actor.provider = remote}); the management actor forwards them. */
    private final ActorRef<RemoteApps.Command> remoteApps;

    private Dataplane(DataplaneSettings settings, Config config, PacketPort port) {
        this.settings = settings;
        this.pool = settings.cores().pool();
        this.streams = settings.aeron().streams();
        String dir = settings.aeron().dir();
        this.driver = settings.aeron().embeddedDriver() ? EmbeddedDriver.launch(dir) : null;
        this.aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
        DataplaneSettings.Io io = settings.io();
        this.kernel = new IoKernel(port, new Toeplitz(io.rssKey()), io.burst(), io.maxFrame(), pool, settings.scheduler().intervalNanos());
        kernel.cpu(io.cpu());
        this.ioThread = new IoKernelProxy(kernel);
        this.ioRunner = new AgentRunner(IdleStrategies.of("calisto.io.idle-strategy", io.idleStrategy()),
            t -> LOG.error("IO thread failed", t), null, kernel);
        AgentRunner.startOnThread(ioRunner);
        this.controlSystem = ActorSystem.create(ControlPlane.create(settings.control().eventHistory()), "calisto", config);
        this.events = new EventPump(kernel, this::appName, controlSystem, new CounterPublisher(aeron, kernel, () -> apps));
        this.remoteApps = controlSystem.systemActorOf(RemoteApps.create(this, controlSystem), "remote-apps", Management.PROPS);
        this.management = controlSystem.systemActorOf(Management.create(this), "management", Management.PROPS);
    }

    /** Starts everything but the applications; {@code config} is checked first ({@link DataplaneSettings}), before anything starts. */
    public static Dataplane start(Config config, PacketPort port) {
        return start(DataplaneSettings.from(config), config, port);
    }

    /** As {@link #start(Config, PacketPort)} with {@code settings} already read from {@code config}. */
    public static Dataplane start(DataplaneSettings settings, Config config, PacketPort port) {
        return new Dataplane(settings, config, port);
    }

    /**
     * Registers an application living in {@code appSystem} with its core limits: a parked core-actor and an RX
     * stream for every pool core (so a grant is a wake-up, not a start-up), then the IO core starts classifying
     * for it and the scheduler grants its guaranteed cores.
     */
    public AppHandle register(ActorSystem<?> appSystem, AppSpec spec, int guaranteed, int burstable) {
        checkLimits(spec.name(), guaranteed, burstable);
        claimName(spec.name());
        try {
            return registerClaimed(appSystem, spec, guaranteed, burstable);
        } catch (RuntimeException e) {
            names.remove(spec.name());
            throw e;
        }
    }

    private AppHandle registerClaimed(ActorSystem<?> appSystem, AppSpec spec, int guaranteed, int burstable) {
        int appId = nextAppId();
        AppDispatch d = newDispatch(appId, spec.name(), spec.match(), guaranteed, burstable);
        AppRuntime runtime = AppRuntime.register(appSystem, spec, aeron, streams, appId);
        for (int i = 0; i < pool.length; i++) {
            int core = pool[i];
            ExclusivePublication pub = aeron.addExclusivePublication(streams.channel(), Streams.rxStreamId(appId, core));
            CoreSlot slot = CoreSlot.onHeap();
            await(runtime.start(core, slot, settings.cores().cpuOf(i)), "start core-actor " + core + " of " + spec.name());
            awaitConnected(pub, "core-actor " + core + " of " + spec.name());
            d.attach(core, pub, slot);
        }
        AppHandle handle = new AppHandle(appId, spec.name(), d, runtime);
        appNames.put(appId, spec.name());
        try {
            await(ioThread.addApp(d), "register app " + spec.name());
        } catch (RuntimeException e) {
            runtime.stopAll();
            throw e;
        }
        apps.add(handle);
        return handle;
    }

    private void checkLimits(String name, int guaranteed, int burstable) {
        if (guaranteed < 0 || burstable < Math.max(1, guaranteed) || burstable > pool.length) {
            throw new IllegalArgumentException("core limits of app " + name + " must satisfy 0 <= guaranteed <= burstable <= "
                + pool.length + " (pool size) and burstable >= 1, were guaranteed=" + guaranteed + " burstable=" + burstable);
        }
    }

    /** Claims {@code name} for a registration (one atomic add: two registrations of one name cannot both pass). */
    private void claimName(String name) {
        if (!names.add(name)) throw new IllegalArgumentException("an app named " + name + " is already registered");
    }

    private int nextAppId() {
        int appId = nextAppId.getAndUpdate(n -> n < Streams.MAX_APPS ? n + 1 : n);
        if (appId >= Streams.MAX_APPS) throw new IllegalArgumentException("no app id left (max " + Streams.MAX_APPS + " registrations per run)");
        return appId;
    }

    private AppDispatch newDispatch(int appId, String name, MatchRule rule, int guaranteed, int burstable) {
        DataplaneSettings.Dispatch s = settings.dispatch();
        Subscription tx = aeron.addSubscription(streams.channel(), Streams.txStreamId(appId));
        AppDispatch d = new AppDispatch(appId, name, rule, s.policy(), s.flowTableCapacity(), s.flowIdleTimeoutNanos(), tx,
            s.migrationTableCapacity(), s.orderBuckets());
        d.guaranteed = guaranteed;
        d.burstable = burstable;
        return d;
    }

    private static void awaitConnected(ExclusivePublication pub, String who) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!pub.isConnected()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException(who + " did not subscribe within 5 s");
            Thread.onSpinWait();
        }
    }

    /**
     * Unregisters {@code name}: stops classifying its packets, lets its core-actors consume what is queued (up to
     * {@code calisto.run.drain-timeout}), stops them, and counts whatever it never consumed as app-gone.
     * Returns that count.
     */
    public long unregister(String name) { return unregister(name, settings.run().drainTimeout()); }

    /** As {@link #unregister(String)}, draining for at most {@code drain} (zero for an app that is already gone). */
    public long unregister(String name, Duration drain) {
        AppHandle h = app(name);
        if (!retiring.add(name)) throw new IllegalArgumentException("app " + name + " is already being unregistered");
        try {
            return unregisterClaimed(h, drain);
        } finally {
            retiring.remove(name);
        }
    }

    private long unregisterClaimed(AppHandle h, Duration drain) {
        String name = h.name();
        AppDispatch d = h.dispatch();
        long[] target = await(ioThread.stopClassifying(d), "stop classifying " + name);
        long deadline = System.nanoTime() + drain.toNanos();
        for (int core : pool) {
            while (d.slots[core].completed() < target[core] && System.nanoTime() < deadline) sleep(1);
        }
        // the IO core lets go of the app before its core-actors stop, so it never reads a stopped actor's slot
        await(ioThread.retire(d), "retire " + name);
        if (!h.remote()) await(h.runtime().stopAll(), "stop the core-actors of " + name);
        long undelivered = 0;
        for (int core : pool) undelivered += d.dispatched(core) - h.delivered(core) - d.appErrors(core);
        long gone = undelivered;
        await(ioThread.countGone(d, gone), "count what " + name + " left undelivered");
        for (int core : pool) d.rxByCore(core).close();
        retiredDelivered.addAndGet(h.deliveredTotal());
        apps.remove(h);
        names.remove(name);
        return gone;
    }

    /**
     * First half of registering an app that lives in another JVM: its id, IO-side state, one RX stream per pool core
     * and its core slots in a file under the Aeron directory that the app maps. The app subscribes next;
     * {@link #activateRemote} follows once every stream is connected.
     */
    AppHandle prepareRemote(String name, MatchRule rule, int guaranteed, int burstable) {
        checkLimits(name, guaranteed, burstable);
        claimName(name);
        try {
            int appId = nextAppId();
            AppDispatch d = newDispatch(appId, name, rule, guaranteed, burstable);
            int maxCore = java.util.Arrays.stream(pool).max().orElse(0);
            CoreSlot[] slots = CoreSlot.mapped(slotsFile(appId), maxCore + 1, true);
            for (CoreSlot slot : slots) slot.wakeAcrossProcesses(); // the parked remote core-actor sleeps on a futex
            for (int core : pool) d.attach(core, aeron.addExclusivePublication(streams.channel(), Streams.rxStreamId(appId, core)), slots[core]);
            appNames.put(appId, name);
            return new AppHandle(appId, name, d, null);
        } catch (RuntimeException e) {
            names.remove(name);
            throw e;
        }
    }

    /** A prepared remote app that will never be activated (its activation failed): its name is free again. */
    void abandonRemote(AppHandle h) {
        for (int core : pool) {
            var pub = h.dispatch().rxByCore(core);
            if (pub != null) pub.close();
        }
        names.remove(h.name());
    }

    java.nio.file.Path slotsFile(int appId) { return java.nio.file.Path.of(aeron.context().aeronDirectoryName(), "calisto-app-" + appId + ".slots"); }

    int[] pool() { return pool.clone(); }

    /** True once the remote app's core-actors subscribed to every stream. */
    static boolean connected(AppHandle h, int[] pool) {
        for (int core : pool) if (!h.dispatch().rxByCore(core).isConnected()) return false;
        return true;
    }

    void activateRemote(AppHandle h) {
        await(ioThread.addApp(h.dispatch()), "register app " + h.name());
        apps.add(h);
    }

    /** Swaps {@code name}'s dispatch policy between two IO bursts; the new table is built off the IO thread. */
    public void setPolicy(String name, String policy) {
        AppDispatch d = app(name).dispatch();
        DispatchPolicy next = DispatchPolicy.create(policy, d.cores(), settings.dispatch().flowTableCapacity(),
            settings.dispatch().flowIdleTimeoutNanos());
        await(ioThread.setPolicy(d, next), "set policy of " + name);
    }

    public void setCoreLimits(String name, int guaranteed, int burstable) {
        AppDispatch d = app(name).dispatch();
        await(ioThread.setLimits(d, guaranteed, burstable), "set limits of " + name);
    }

    public void drainCore(int core, boolean restore) {
        await(restore ? ioThread.restoreCore(core) : ioThread.drainCore(core), (restore ? "restore" : "drain") + " core " + core);
    }

    public List<AppStats> stats() {
        List<AppStats> out = new ArrayList<>();
        for (AppHandle h : apps) {
            AppDispatch d = h.dispatch();
            List<AppStats.CoreStats> cores = new ArrayList<>();
            for (int core : pool) {
                // from counters the IO thread and the core-actor publish, never the IO thread's plain fields
                long queued = Math.max(0, d.dispatched(core) - h.delivered(core) - d.appErrors(core));
                cores.add(new AppStats.CoreStats(core, d.dispatched(core), h.delivered(core), queued,
                    CoreSlot.name(d.slots[core].state())));
            }
            java.util.Map<String, Long> drops = new java.util.LinkedHashMap<>();
            for (io.calisto.aeron.DropReason r : io.calisto.aeron.DropReason.values()) drops.put(r.label(), d.dropped(r));
            out.add(new AppStats(h.name(), d.policy().name(), d.guaranteed, d.burstable,
                java.util.Arrays.stream(d.heldCoresPublished()).boxed().toList(), cores, drops,
                d.schedEvents.get(SchedulerListener.GRANTED), d.schedEvents.get(SchedulerListener.YIELDED),
                d.schedEvents.get(SchedulerListener.PREEMPTED), d.schedEvents.get(SchedulerListener.REVOKED),
                d.migratedFlows(), d.policy().tableFullFallbacks()));
        }
        return out;
    }

    /**
     * The management actor: supervised (restarted on failure, so this ref stays valid) and running on
     * {@code calisto.management-dispatcher}, so its waits never block Pekko's default dispatcher.
     */
    public ActorRef<Management.Command> management() { return management; }

    /** The actor serving apps in other JVMs ({@link io.calisto.core.remote.AppProtocol}). */
    ActorRef<RemoteApps.Command> remoteApps() { return remoteApps; }

    private volatile Runnable shutdownHandler;

    /**
     * What {@link Management.Shutdown} runs ({@code calisto serve}: wake its main thread, which drains, prints the
     * summary and exits). Without one the command is rejected.
     */
    public void onShutdownRequest(Runnable handler) { this.shutdownHandler = handler; }

    void requestShutdown() {
        Runnable h = shutdownHandler;
        if (h == null) throw new IllegalStateException("this dataplane takes no shutdown command (only calisto serve does)");
        h.run();
    }

    private AppHandle app(String name) {
        for (AppHandle h : apps) if (h.name().equals(name)) return h;
        throw new IllegalArgumentException("no app named '" + name + "'");
    }

    /** Starts reading the port: call once the apps that should see the first packet are registered. */
    public void startRx() {
        await(ioThread.setRx(true), "start rx");
    }

    /**
     * Stops reading the port, waits until every core-actor consumed everything published to it and the last replies
     * went out: afterwards every received packet is either delivered or counted as dropped. Last, the event-pump
     * thread makes one more full pass (events to the control plane, counters to the counters file) and this call
     * waits for it; it holds no lock meanwhile, so apps in other JVMs may register or unregister.
     */
    public void drainAndStop(Duration timeout) {
        await(ioThread.setRx(false), "stop rx");
        java.util.Map<AppDispatch, long[]> target = await(ioThread.snapshotPublished(), "snapshot positions");
        long deadline = System.nanoTime() + timeout.toNanos();
        for (var a : target.entrySet()) {
            for (int core : pool) {
                CoreSlot slot = a.getKey().slots[core];
                while (slot.completed() < a.getValue()[core] && System.nanoTime() < deadline) sleep(1);
            }
        }
        // replies still in flight: wait until they stop arriving and every one of them left the port or was counted
        long last = -1;
        while (System.nanoTime() < deadline) {
            long replies = kernel.replies();
            boolean out = kernel.transmitted() + kernel.dropped(io.calisto.aeron.DropReason.TX_FULL) == replies;
            if (replies == last && out) break;
            last = replies;
            sleep(50);
        }
        await(events.flush(), "flush the event pump");
    }

    public IoKernel kernel() { return kernel; }

    /** Packets handed to app handlers, including apps that have since unregistered. */
    public long deliveredTotal() {
        long sum = retiredDelivered.get();
        for (AppHandle a : apps) sum += a.deliveredTotal();
        return sum;
    }

    public List<AppHandle> apps() { return List.copyOf(apps); }

    public ActorSystem<ControlPlane.Command> controlSystem() { return controlSystem; }

    public Aeron aeron() { return aeron; }

    public Streams streams() { return streams; }

    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        events.close();
        ioRunner.close();
        for (AppHandle a : apps) {
            if (a.remote()) continue;
            try {
                a.runtime().stopAll().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("core-actors of {} did not stop: {}", a.name(), e.toString());
            }
        }
        controlSystem.terminate();
        try {
            controlSystem.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("control-plane actor system did not terminate cleanly: {}", e.toString());
        }
        aeron.close();
        if (driver != null) driver.close();
    }

    String appName(int appId) { return appNames.getOrDefault(appId, "app" + appId); }

    private static <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            throw new IllegalStateException(what + " failed: " + c, c);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(what + " timed out after 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted");
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
