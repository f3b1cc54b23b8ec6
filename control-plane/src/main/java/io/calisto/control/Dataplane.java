package io.calisto.control;

import static io.calisto.control.Await.await;

import com.typesafe.config.Config;
import io.aeron.Aeron;
import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.DropReason;
import io.calisto.aeron.EmbeddedDriver;
import io.calisto.aeron.IdleStrategies;
import io.calisto.aeron.MatchRule;
import io.calisto.aeron.Streams;
import io.calisto.core.AppSpec;
import io.calisto.io.dispatch.DispatchPolicy;
import io.calisto.io.dispatch.Prefill;
import io.calisto.io.kernel.AppDispatch;
import io.calisto.io.kernel.IoKernel;
import io.calisto.io.kernel.IoKernelProxy;
import io.calisto.io.port.PacketPort;
import io.calisto.io.rss.Toeplitz;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.agrona.concurrent.AgentRunner;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: it starts, in order, the media driver, the Aeron client, the IO thread running
 * {@link IoKernel}, the control-plane actor system with its event pump, the {@link RemoteApps} and {@link Management}
 * actors; it stops them in reverse. Its configuration is {@link DataplaneSettings}, checked before anything starts.
 * Apps come and go through the {@link AppRegistrar} (one path for local apps and apps in other JVMs); every other
 * change of IO-side state goes through the {@link IoKernelProxy}.
 *
 * <p>Threads: no method holds a lock. Registration, unregistration and drainAndStop may run on the caller's thread,
 * the management actor's dispatcher and the {@link RemoteApps} actor at once; what they share is concurrent
 * ({@link RegisteredApps}), the IO-side state is changed only on the IO thread, and the state of apps in other JVMs
 * belongs to the {@link RemoteApps} actor. A thread that waits for another (the IO thread, the pump, a core-actor)
 * holds nothing that thread needs (docs/decisions.md, "No lock is held while waiting for another thread").
 */
public final class Dataplane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dataplane.class);

    private final DataplaneSettings settings;
    private final int[] pool;
    private final EmbeddedDriver driver;
    private final Aeron aeron;
    private final IoKernel kernel;
    /** The only way to change IO-side state from here: each command runs on the IO thread between bursts. */
    private final IoKernelProxy ioThread;
    private final AgentRunner ioRunner;
    private final RegisteredApps apps;
    private final AppRegistrar registrar;
    private final ActorSystem<ControlPlane.Command> controlSystem;
    private final EventPump events;
    /** Apps in other JVMs (Pekko remoting, when {@code pekko.actor.provider = remote}); the management actor forwards them. */
    private final ActorRef<RemoteApps.Command> remoteApps;
    private final ActorRef<Management.Command> management;
    private volatile Runnable shutdownHandler;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Completes, with one line saying why, when the Aeron client closed itself ({@link AeronLoss}). */
    private final java.util.concurrent.CompletableFuture<String> aeronLost = new java.util.concurrent.CompletableFuture<>();
    private final AeronLoss aeronLoss;

    private Dataplane(DataplaneSettings settings, Config config, PacketPort port) {
        this.settings = settings;
        this.pool = settings.cores().pool();
        this.apps = new RegisteredApps(settings.control().maxApps());
        String dir = settings.aeron().dir();
        // a start that fails half way stops what it started: no media driver (and its /dev/shm directory) or IO
        // thread outlives the failure
        EmbeddedDriver startedDriver = null;
        Aeron startedAeron = null;
        AgentRunner startedRunner = null;
        ActorSystem<ControlPlane.Command> startedSystem = null;
        try {
            DataplaneSettings.Aeron a = settings.aeron();
            startedDriver = a.embeddedDriver() ? EmbeddedDriver.launch(dir, a.access(), a.clientLivenessNanos()) : null;
            this.aeronLoss = new AeronLoss(aeronLost);
            startedAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir)
                .driverTimeoutMs(a.driverTimeoutMs())
                .closeLingerDurationNs(a.closeLingerNanos())
                .errorHandler(aeronLoss));
            startedAeron.addCloseHandler(aeronLoss::onClose);
            this.driver = startedDriver;
            this.aeron = startedAeron;
            DataplaneSettings.Io io = settings.io();
            this.kernel = new IoKernel(port, new Toeplitz(io.rssKey()), io.burst(), io.maxFrame(), pool, settings.scheduler().intervalNanos());
            kernel.cpu(io.cpu());
            this.ioThread = new IoKernelProxy(kernel);
            this.registrar = new AppRegistrar(settings, aeron, ioThread, apps, this::pumpPass);
            startedRunner = new AgentRunner(IdleStrategies.of("calisto.io.idle-strategy", io.idleStrategy()),
                t -> LOG.error("IO thread failed", t), null, kernel);
            this.ioRunner = startedRunner;
            AgentRunner.startOnThread(ioRunner);
            startedSystem = ActorSystem.create(ControlPlane.create(settings.control().eventHistory()), "calisto", config);
            this.controlSystem = startedSystem;
            this.events = new EventPump(kernel, apps::name, controlSystem, new CounterPublisher(aeron, kernel, apps::live));
            this.remoteApps = controlSystem.systemActorOf(RemoteApps.create(this, controlSystem, settings.control().pendingTimeout()), "remote-apps",
                Management.PROPS);
            this.management = controlSystem.systemActorOf(Management.create(this), "management", Management.PROPS);
        } catch (RuntimeException | Error e) {
            if (startedSystem != null) startedSystem.terminate();
            if (startedRunner != null) startedRunner.close();
            if (startedAeron != null) startedAeron.close();
            if (startedDriver != null) startedDriver.close();
            if (e instanceof io.aeron.exceptions.DriverTimeoutException) {
                throw new IllegalArgumentException("calisto.aeron.embedded-driver = false but the media driver of " + dir + " did not answer within "
                    + "calisto.aeron.driver-timeout (" + e.getMessage() + ")");
            }
            throw e;
        }
    }

    /**
     * Checks {@code config} ({@link DataplaneSettings}), then opens the port it names and starts everything but the
     * applications: a bad value stops it before the port (an EAL init) or the media driver.
     */
    public static Dataplane start(Config config) {
        DataplaneSettings settings = DataplaneSettings.from(config);
        return start(settings, config, Ports.create(config));
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
        return registrar.register(appSystem, spec, guaranteed, burstable);
    }

    /**
     * Unregisters {@code name}: stops classifying its packets, lets its core-actors consume what is queued (up to
     * {@code calisto.run.drain-timeout}), stops them, and counts whatever it never consumed as app-gone.
     * Returns that count.
     */
    public long unregister(String name) { return unregister(name, settings.run().drainTimeout()); }

    /**
     * As {@link #unregister(String)}, draining for at most {@code drain} (zero for an app that is already gone). An app
     * in another JVM is then told it was evicted ({@link RemoteApps}), so it stops its core-actors.
     */
    public long unregister(String name, Duration drain) {
        AppHandle h = apps.get(name);
        long gone = registrar.unregister(name, drain);
        if (h.remote()) remoteApps.tell(new RemoteApps.Evict(h, "unregistered by the dataplane's operator"));
        return gone;
    }

    /** {@link RemoteApps}' own unregistrations (the app asked, or its JVM died): nothing to tell it. */
    long unregisterRemote(String name, Duration drain) { return registrar.unregister(name, drain); }

    /** First half of registering an app in another JVM ({@link AppRegistrar#prepareRemote}); {@link RemoteApps} calls it. */
    AppHandle prepareRemote(String name, MatchRule rule, int guaranteed, int burstable) {
        return registrar.prepareRemote(name, rule, guaranteed, burstable);
    }

    /** Second half: its core-actors subscribed, the IO thread starts classifying for it. */
    void activateRemote(AppHandle h) { registrar.activate(h); }

    /** A prepared remote app that will never be activated (its activation failed): its name is free again. */
    void abandonRemote(AppHandle h) { registrar.abandon(h); }

    /** True while {@code h} itself (not just an app of its name) is registered and served. */
    boolean serves(AppHandle h) { return apps.live().contains(h); }

    Path slotsFile(int appId) { return registrar.slotsFile(appId); }

    int[] pool() { return pool.clone(); }

    /** True once the remote app's core-actors subscribed to every stream. */
    static boolean connected(AppHandle h, int[] pool) { return AppRegistrar.connected(h, pool); }

    /** Swaps {@code name}'s dispatch policy between two IO bursts; the new table is built off the IO thread. */
    public void setPolicy(String name, String policy) {
        AppDispatch d = apps.get(name).dispatch();
        DataplaneSettings.Dispatch s = settings.dispatch();
        DispatchPolicy next = DispatchPolicy.create(policy, d.cores(), s.options());
        await(ioThread.setPolicy(d, next), "set policy of " + name);
    }

    /**
     * Swaps {@code name}'s policy for {@code affinity-prefill} with the flows of {@code lines} (a prefill file's lines,
     * called {@code source} in errors) bound before its next packet; returns how many. Parsed here, off the IO thread.
     */
    public int prefill(String name, String source, List<String> lines) {
        AppDispatch d = apps.get(name).dispatch();
        Prefill flows = Prefill.parse(source, lines, new Toeplitz(settings.io().rssKey()), pool);
        DispatchPolicy.Options o = settings.dispatch().options();
        DispatchPolicy next = DispatchPolicy.create("affinity-prefill", d.cores(),
            new DispatchPolicy.Options(o.tableCapacity(), o.flowIdleTimeoutNanos(), o.buckets(), o.rebalanceNanos(), flows));
        await(ioThread.setPolicy(d, next), "prefill " + name);
        return flows.size();
    }

    public void setCoreLimits(String name, int guaranteed, int burstable) {
        await(ioThread.setLimits(apps.get(name).dispatch(), guaranteed, burstable), "set limits of " + name);
    }

    public void drainCore(int core, boolean restore) {
        await(restore ? ioThread.restoreCore(core) : ioThread.drainCore(core), (restore ? "restore" : "drain") + " core " + core);
    }

    public List<AppStats> stats() {
        List<AppStats> out = new ArrayList<>();
        for (AppHandle h : apps.live()) out.add(AppStats.of(h, pool));
        return out;
    }

    /**
     * The management actor: supervised (restarted on failure, so this ref stays valid) and running on
     * {@code calisto.management-dispatcher}, so its waits never block Pekko's default dispatcher.
     */
    public ActorRef<Management.Command> management() { return management; }

    /** The actor serving apps in other JVMs ({@link io.calisto.core.remote.AppProtocol}). */
    ActorRef<RemoteApps.Command> remoteApps() { return remoteApps; }

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

    /** Starts reading the port: call once the apps that should see the first packet are registered. */
    public void startRx() { await(ioThread.setRx(true), "start rx"); }

    /**
     * Stops reading the port, waits until every core-actor consumed everything published to it and the last replies
     * went out: afterwards every received packet is either delivered or counted as dropped. Last, the event-pump
     * thread makes one more full pass (events to the control plane, counters to the counters file) and this call
     * waits for it; it holds no lock meanwhile, so apps in other JVMs may register or unregister.
     */
    public void drainAndStop(Duration timeout) {
        await(ioThread.setRx(false), "stop rx");
        Map<AppDispatch, long[]> target = await(ioThread.snapshotPublished(), "snapshot positions");
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Map.Entry<AppDispatch, long[]> a : target.entrySet()) {
            for (int core : pool) {
                CoreSlot slot = a.getKey().slots[core];
                while (slot.completed() < a.getValue()[core] && System.nanoTime() < deadline) Await.sleep(1);
            }
        }
        // replies still in flight: wait until they stop arriving and every one of them left the port or was counted
        long last = -1;
        while (System.nanoTime() < deadline) {
            long replies = kernel.replies();
            boolean out = kernel.transmitted() + kernel.dropped(DropReason.TX_FULL) == replies;
            if (replies == last && out) break;
            last = replies;
            Await.sleep(50);
        }
        await(events.flush(), "flush the event pump");
    }

    public IoKernel kernel() { return kernel; }

    /** Packets handed to app handlers, including apps that have since unregistered. */
    public long deliveredTotal() { return apps.deliveredTotal(); }

    public List<AppHandle> apps() { return List.copyOf(apps.live()); }

    public ActorSystem<ControlPlane.Command> controlSystem() { return controlSystem; }

    public Aeron aeron() { return aeron; }

    /**
     * Completes with one line when the Aeron client closed itself (its conductor stalled past
     * {@code calisto.aeron.client-liveness-timeout}, or the media driver's heartbeat stopped for
     * {@code calisto.aeron.driver-timeout}): every stream is gone, core-actors stopped polling, nothing can be drained.
     * The owner stops with {@link #EXIT_AERON_LOST} after {@link #close}.
     */
    public java.util.concurrent.CompletableFuture<String> aeronLost() { return aeronLost; }

    /** Exit code of {@code run} and {@code serve} when the dataplane's Aeron client closed itself. */
    public static final int EXIT_AERON_LOST = 3;

    public Streams streams() { return settings.aeron().streams(); }

    /** The settings this dataplane was started with. */
    public DataplaneSettings settings() { return settings; }

    @Override
    public void close() { close(stage -> {}); }

    /** As {@link #close()}, telling {@code stage} what it stops next (a {@link ShutdownWatchdog} names it if it hangs). */
    public void close(java.util.function.Consumer<String> stage) {
        if (!closed.compareAndSet(false, true)) return;
        stage.accept("the event pump");
        events.close();
        stage.accept("the IO thread");
        ioRunner.close();
        for (AppHandle a : apps.live()) {
            if (a.remote()) continue;
            stage.accept("the core-actors of app " + a.name());
            try {
                a.runtime().stopAll().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("core-actors of {} did not stop: {}", a.name(), e.toString());
            }
        }
        stage.accept("the control-plane actor system");
        controlSystem.terminate();
        try {
            controlSystem.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("control-plane actor system did not terminate cleanly: {}", e.toString());
        }
        aeronLoss.closing();
        aeron.context().closeLingerDurationNs(0); // everything that polled or offered has stopped: no linger needed
        stage.accept("the Aeron client");
        aeron.close();
        stage.accept("the media driver");
        if (driver != null) driver.close();
    }

    /**
     * What a {@link ShutdownWatchdog} removes before it ends the process: the embedded driver's directory (an
     * external driver's is not ours).
     */
    public Runnable leftovers() {
        String dir = settings.aeron().dir();
        return () -> {
            if (driver != null) org.agrona.IoUtil.delete(new java.io.File(dir), true);
        };
    }

    String appName(int appId) { return apps.name(appId); }

    /** App ids held now: registered apps and registrations and unregistrations under way (never above max-apps). */
    int appIdsHeld() { return apps.idsHeld(); }

    /** A full pass of the event pump that began after this call ({@link AppRegistrar} frees an app id after one). */
    private java.util.concurrent.CompletableFuture<Void> pumpPass() { return events.flush(); }
}
