package io.calisto.control;

import static io.calisto.control.Await.await;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.CounterTypes;
import io.calisto.aeron.MatchRule;
import io.calisto.aeron.Streams;
import io.calisto.core.AppNames;
import io.calisto.core.AppRuntime;
import io.calisto.core.AppSpec;
import io.calisto.io.kernel.AppDispatch;
import io.calisto.io.kernel.IoKernelProxy;
import io.aeron.Subscription;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * e.g. in an app JVM that was stopped, handles nothing more), count what it never consumed as app-gone, close its
 * streams (RX publications and TX subscription) and remove its slot file, unlist it, and once a pass of the event
 * pump closed its counters and named its last events, free its name and app id for the next registration
 * (docs/decisions.md, "App ids are reused").
 *
 * <p>Threads: any thread, several at once; no lock (the shared state is {@link RegisteredApps}, IO-side state changes
 * only through the {@link IoKernelProxy}).
 */
final class AppRegistrar {
    private static final Logger LOG = LoggerFactory.getLogger(AppRegistrar.class);
    private final DataplaneSettings settings;
    private final Aeron aeron;
    private final Streams streams;
    private final IoKernelProxy ioThread;
    private final RegisteredApps apps;
    private final int[] pool;
    /** A full pass of the event pump that began after the call: an unlisted app's counters are closed, its events out. */
    private final Supplier<CompletableFuture<Void>> pumpPass;

    AppRegistrar(DataplaneSettings settings, Aeron aeron, IoKernelProxy ioThread, RegisteredApps apps, Supplier<CompletableFuture<Void>> pumpPass) {
        this.settings = settings;
        this.aeron = aeron;
        this.streams = settings.aeron().streams();
        this.ioThread = ioThread;
        this.apps = apps;
        this.pool = settings.cores().pool();
        this.pumpPass = pumpPass;
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
            if (runtime != null) {
                try {
                    await(runtime.stopAll(), "stop the core-actors of " + spec.name()); // their subscriptions closed before the id is free
                } catch (RuntimeException stopFailed) {
                    e.addSuppressed(stopFailed);
                }
            }
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
        Subscription tx = null;
        try {
            DataplaneSettings.Dispatch s = settings.dispatch();
            tx = aeron.addSubscription(streams.channel(), Streams.txStreamId(appId));
            d = new AppDispatch(appId, name, rule, s.policy(), s.options(), tx, s.migrationTableCapacity(), s.orderBuckets(), s.migrationSample());
            d.guaranteed = guaranteed;
            d.burstable = burstable;
            CoreSlot[] slots = slotsOf.apply(appId);
            for (int core : pool) {
                ExclusivePublication rx = aeron.addExclusivePublication(streams.channel(), Streams.rxStreamId(appId, core));
                d.attach(core, rx, slots[core]);
                // the core-actor subscribes to this publication's session only: a previous holder of the id may have
                // left a closed publication with unconsumed frames on the same stream (CoreSlot#rxSession)
                slots[core].rxSession(rx.sessionId());
            }
            return new AppHandle(appId, name, d, null);
        } catch (RuntimeException e) {
            if (d != null) d.closeStreams();
            else if (tx != null) tx.close();
            deleteSlotsFile(appId);
            apps.free(appId, name);
            throw e;
        }
    }

    /** The IO thread starts classifying for the prepared app {@code h} (its core-actors subscribed); then it is listed. */
    void activate(AppHandle h) {
        await(ioThread.addApp(h.dispatch()), "register app " + h.name());
        apps.add(h);
    }

    /**
     * A prepared app that will never be activated: its streams closed and its slot file removed, then its name and
     * id are free again (never listed nor added to the IO thread, it has no counters, events or IO-side state).
     */
    void abandon(AppHandle h) {
        h.dispatch().closeStreams();
        deleteSlotsFile(h.appId());
        apps.free(h.appId(), h.name());
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
            d.closeStreams();
            deleteSlotsFile(h.appId());
            apps.remove(h);
            freeOnceCountersAreGone(h);
            return gone;
        } finally {
            apps.doneRetiring(name);
        }
    }

    /**
     * The last things keyed by the id are the pump's: the app's counters (closed by the first pass that no longer
     * lists it) and its scheduler events (named by id until the pump turns them into events with names). After a
     * pass that began once it was unlisted, the id is free; without one (the pump is closed: the dataplane is
     * stopping) it stays held, which costs nothing then.
     */
    private void freeOnceCountersAreGone(AppHandle h) {
        try {
            await(pumpPass.get(), "a pass of the event pump after " + h.name() + " left");
        } catch (RuntimeException e) {
            LOG.debug("app id {} of {} not freed: {}", h.appId(), h.name(), e.toString());
            return;
        }
        // Aeron frees a closed counter asynchronously (the client only sends the driver the command): wait until the
        // counters file shows none of the app's, so a reader never sees the old and the new holder under one id. A
        // counter with the id that stays (only a process inside the trust boundary could add one) delays the id 5 s.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (countersLeft(h.appId())) {
            if (System.nanoTime() > deadline) {
                LOG.warn("app id {} of {}: the counters file still holds counters of it after 5 s; freed anyway", h.appId(), h.name());
                break;
            }
            Await.sleep(1);
        }
        apps.free(h.appId(), h.name());
    }

    /** True while the Aeron counters file holds a dataplane counter keyed by app {@code appId}. */
    private boolean countersLeft(int appId) {
        boolean[] left = {false};
        aeron.countersReader().forEach((counterId, type, key, label) -> {
            if (CounterTypes.isCalisto(type) && key.getInt(CounterTypes.APP_OFFSET) == appId) left[0] = true;
        });
        return left[0];
    }

    /**
     * The core slots of remote app {@code appId}: a file under the Aeron directory, made anew for each holder of the
     * id and removed when it is retired (a process still mapping it keeps its own copy).
     */
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

    private void deleteSlotsFile(int appId) {
        try {
            Files.deleteIfExists(slotsFile(appId));
        } catch (java.io.IOException e) {
            // the next holder's CoreSlot.mapped tries again, and refuses to register if it cannot
            LOG.warn("cannot remove {}: {}", slotsFile(appId), e.toString());
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
