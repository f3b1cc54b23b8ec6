package io.calisto.control;

import static io.calisto.control.Await.await;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.MatchRule;
import io.calisto.aeron.Streams;
import io.calisto.core.AppNames;
import io.calisto.core.AppRuntime;
import io.calisto.core.AppSpec;
import io.calisto.io.kernel.AppDispatch;
import io.calisto.io.kernel.IoKernelProxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Registers and unregisters apps, local and in other JVMs, by one path. Registering is: check the limits, claim the
 * name and an app id, build the IO-side state ({@link AppDispatch} and its TX subscription), one RX publication and
 * one core slot per pool core ({@link #prepare}); then the app's core-actors subscribe, and {@link #activate} has the
 * IO thread add the app. A local app and a remote one differ in two things only: where the slots live (on the heap,
 * or in a file under the Aeron directory that the app's JVM maps) and who starts the core-actors (here, through the
 * app's {@link AppRuntime}, or the app's JVM once it has the registration; {@link RemoteApps} activates it when every
 * stream is subscribed).
 *
 * <p>Unregistering is the reverse, in this order: stop classifying, let the core-actors complete what was published
 * (up to the drain time), retire the app on the IO thread <em>before</em> its core-actors stop (the IO core never
 * reads a stopped actor's slot), stop a local app's core-actors, mark the slots retired (a core-actor still running,
 * e.g. in an app JVM that was stopped, handles nothing more), count what it never consumed as app-gone.
 *
 * <p>Threads: any thread, several at once; no lock (the shared state is {@link RegisteredApps}, IO-side state changes
 * only through the {@link IoKernelProxy}).
 */
final class AppRegistrar {
    private final DataplaneSettings settings;
    private final Aeron aeron;
    private final Streams streams;
    private final IoKernelProxy ioThread;
    private final RegisteredApps apps;
    private final int[] pool;

    AppRegistrar(DataplaneSettings settings, Aeron aeron, IoKernelProxy ioThread, RegisteredApps apps) {
        this.settings = settings;
        this.aeron = aeron;
        this.streams = settings.aeron().streams();
        this.ioThread = ioThread;
        this.apps = apps;
        this.pool = settings.cores().pool();
    }

    /** A local app: prepared with slots on the heap, its parked core-actors started here, then activated. */
    AppHandle register(org.apache.pekko.actor.typed.ActorSystem<?> appSystem, AppSpec spec, int guaranteed, int burstable) {
        AppHandle prepared = prepare(spec.name(), spec.match(), guaranteed, burstable, this::heapSlots);
        AppDispatch d = prepared.dispatch();
        AppRuntime runtime = null;
        try {
            runtime = AppRuntime.register(appSystem, spec, aeron, streams, prepared.appId());
            for (int i = 0; i < pool.length; i++) {
                int core = pool[i];
                await(runtime.start(core, d.slots[core], settings.cores().cpuOf(i)), "start core-actor " + core + " of " + spec.name());
                awaitConnected(d.rxByCore(core), "core-actor " + core + " of " + spec.name());
            }
            AppHandle h = new AppHandle(prepared.appId(), spec.name(), d, runtime);
            activate(h);
            return h;
        } catch (RuntimeException e) {
            if (runtime != null) runtime.stopAll();
            abandon(prepared);
            throw e;
        }
    }

    /** An app in another JVM: prepared with its slots in {@link #slotsFile}; the app starts its core-actors next. */
    AppHandle prepareRemote(String name, MatchRule rule, int guaranteed, int burstable) {
        return prepare(name, rule, guaranteed, burstable, this::mappedSlots);
    }

    /**
     * The shared first half: limits, name, id, IO-side state, an RX publication and a slot per pool core. The app is
     * not served yet; {@link #activate} or {@link #abandon} follows.
     */
    private AppHandle prepare(String name, MatchRule rule, int guaranteed, int burstable, IntFunction<CoreSlot[]> slotsOf) {
        AppNames.check(name);
        checkLimits(name, guaranteed, burstable);
        int appId = apps.claim(name);
        AppDispatch d = null;
        try {
            DataplaneSettings.Dispatch s = settings.dispatch();
            d = new AppDispatch(appId, name, rule, s.policy(), s.options(),
                aeron.addSubscription(streams.channel(), Streams.txStreamId(appId)), s.migrationTableCapacity(), s.orderBuckets(), s.migrationSample());
            d.guaranteed = guaranteed;
            d.burstable = burstable;
            CoreSlot[] slots = slotsOf.apply(appId);
            for (int core : pool) d.attach(core, aeron.addExclusivePublication(streams.channel(), Streams.rxStreamId(appId, core)), slots[core]);
            return new AppHandle(appId, name, d, null);
        } catch (RuntimeException e) {
            if (d != null) closeStreams(d);
            apps.release(name);
            throw e;
        }
    }

    /** The IO thread starts classifying for the prepared app {@code h} (its core-actors subscribed); then it is listed. */
    void activate(AppHandle h) {
        await(ioThread.addApp(h.dispatch()), "register app " + h.name());
        apps.add(h);
    }

    /** A prepared app that will never be activated: its streams closed, its name free again. */
    void abandon(AppHandle h) {
        closeStreams(h.dispatch());
        apps.release(h.name());
    }

    /**
     * Unregisters {@code name} (see the class comment), draining for at most {@code drain} (zero for an app whose JVM
     * is gone). Returns the packets counted as app-gone.
     */
    long unregister(String name, Duration drain) {
        AppHandle h = apps.get(name);
        apps.startRetiring(name);
        try {
            AppDispatch d = h.dispatch();
            long[] target = await(ioThread.stopClassifying(d), "stop classifying " + name);
            long deadline = System.nanoTime() + drain.toNanos();
            for (int core : pool) {
                while (d.slots[core].completed() < target[core] && System.nanoTime() < deadline) Await.sleep(1);
            }
            await(ioThread.retire(d), "retire " + name);
            if (!h.remote()) await(h.runtime().stopAll(), "stop the core-actors of " + name);
            // freeze each slot's delivered count: a core-actor that runs on (a stopped JVM resumed) handles no frame
            // counted app-gone here (docs/decisions.md 44)
            for (int core : pool) d.slots[core].retire();
            long gone = 0;
            for (int core : pool) gone += d.dispatched(core) - h.delivered(core) - d.appErrors(core);
            await(ioThread.countGone(d, gone), "count what " + name + " left undelivered");
            closeStreams(d);
            apps.remove(h);
            return gone;
        } finally {
            apps.doneRetiring(name);
        }
    }

    /** The core slots of remote app {@code appId}: a file under the Aeron directory, deleted with it. */
    Path slotsFile(int appId) { return Path.of(aeron.context().aeronDirectoryName(), "calisto-app-" + appId + ".slots"); }

    /** True once the app's core-actors subscribed to every RX stream. */
    static boolean connected(AppHandle h, int[] pool) {
        for (int core : pool) if (!h.dispatch().rxByCore(core).isConnected()) return false;
        return true;
    }

    private CoreSlot[] heapSlots(int appId) {
        CoreSlot[] slots = new CoreSlot[settings.cores().maxCore() + 1];
        for (int core : pool) slots[core] = CoreSlot.onHeap();
        return slots;
    }

    private CoreSlot[] mappedSlots(int appId) {
        CoreSlot[] slots = CoreSlot.mapped(slotsFile(appId), settings.cores().maxCore() + 1, true);
        for (CoreSlot slot : slots) slot.wakeAcrossProcesses(); // the parked remote core-actor sleeps on a futex
        return slots;
    }

    private void checkLimits(String name, int guaranteed, int burstable) {
        if (guaranteed < 0 || burstable < Math.max(1, guaranteed) || burstable > pool.length) {
            throw new IllegalArgumentException("core limits of app " + name + " must satisfy 0 <= guaranteed <= burstable <= "
                + pool.length + " (pool size) and burstable >= 1, were guaranteed=" + guaranteed + " burstable=" + burstable);
        }
    }

    private void closeStreams(AppDispatch d) {
        for (int core : pool) {
            ExclusivePublication pub = d.rxByCore(core);
            if (pub != null) pub.close();
        }
    }

    private static void awaitConnected(ExclusivePublication pub, String who) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!pub.isConnected()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException(who + " did not subscribe within 5 s");
            Thread.onSpinWait();
        }
    }
}
