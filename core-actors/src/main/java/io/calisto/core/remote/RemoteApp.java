package io.calisto.core.remote;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.aeron.Aeron;
import io.calisto.aeron.CoreSlot;
import io.calisto.aeron.Streams;
import io.calisto.core.AppRuntime;
import io.calisto.core.AppSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An application in its own JVM joining a running dataplane: control over Pekko remoting (Artery TCP, messages of
 * {@link AppProtocol}), packets over the dataplane's Aeron media driver and core slots in a shared file, as for a
 * local app. {@link #connect} registers, maps the slots, starts a parked core-actor per pool core (sleeping on a futex
 * the dataplane's grant wakes across the process boundary) and reports ready; the dataplane then classifies packets
 * for it. The dataplane watches this JVM: if it dies, its cores are reclaimed (Pekko's failure detector, about 1.5 s)
 * and the packets it never consumed are counted as {@code app-gone}.
 *
 * <p>Every call below blocks until the dataplane answers, at most the call timeout (the connect timeout unless
 * {@link #callTimeout} changes it). A refusal throws {@link RejectedException} with the dataplane's one-line reason;
 * no answer in time, or a dataplane that cannot be reached, throws {@link IllegalStateException}. An app acts only on
 * itself: every command goes to the session the dataplane created for it at registration, with the session's token.
 *
 * <p>Eviction: when the dataplane drops the app (the operator unregistered it, or it was not ready in time) it says
 * so ({@link AppProtocol.Evicted}); this app then stops its core-actors and its Aeron client, every further call
 * throws {@link IllegalStateException} naming the reason, and {@link #evicted()} completes with the reason, so the
 * application can stop or reconnect rather than run on unserved. An app the dataplane took for dead while it could
 * not answer (its JVM stopped past the failure detector's pause) cannot hear that notice, since Artery quarantined it:
 * the quarantine, or a loss seen while the dataplane has marked the app's core slots retired
 * ({@link DataplaneLoss#evictedUnheard()}), is taken as the eviction, logged in one line, with the same stop and an
 * {@link EvictedException} naming it; its core-actors handle no frame the dataplane counted
 * as {@code app-gone} (the dataplane marked their slots retired).
 *
 * <p>Loss: when the dataplane is gone without a word (killed, crashed, unreachable; {@link DataplaneLoss}: Pekko's
 * watch failure detector, or the app's Aeron client seeing the media driver's heartbeat stop) this app logs one line,
 * stops its core-actors and its Aeron client the same way, and {@link #terminated()} completes exceptionally with a
 * {@link DataplaneLostException} naming the dataplane and how the loss was seen ({@link #evicted()} completes too).
 * The client's buffers stay mapped {@code calisto.aeron.close-linger} after Aeron closes it by itself, so a
 * core-actor inside a poll finishes it instead of reading unmapped memory.
 *
 * <p>{@link #close()} is bounded: it returns within the call timeout (the unregistration) plus
 * {@code calisto.app.close-timeout} (core-actors, Aeron client and, if it made it, the actor system).
 *
 * <pre>{@code
 * try (RemoteApp app = RemoteApp.connect("pekko://calisto@127.0.0.1:25520", spec, 1, 4)) {
 *     app.subscribeEvents(e -> log.info("{} core {} ({})", e.type(), e.core(), e.reason()));
 *     app.setCoreLimits(1, 2);
 *     app.setPolicy("modulo");
 *     ...
 * }
 * }</pre>
 */
public final class RemoteApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteApp.class);
    /** Path of the dataplane's management actor under its actor system's address. */
    public static final String MANAGEMENT_PATH = "/system/management";

    /** The dataplane refused a call; {@link #getMessage()} is its one-line reason. */
    public static final class RejectedException extends RuntimeException {
        public RejectedException(String reason) { super(reason); }
    }

    /** {@link #terminated()}'s cause when the dataplane went away without a word; the message says how it was seen. */
    public static final class DataplaneLostException extends IllegalStateException {
        public DataplaneLostException(String line) { super(line); }
    }

    /** {@link #terminated()}'s cause when the dataplane evicted this app; the message is its reason. */
    public static final class EvictedException extends IllegalStateException {
        public EvictedException(String reason) { super(reason); }
    }

    private final ActorSystem<?> system;
    private final boolean ownsSystem;
    private final Aeron aeron;
    private final AppRuntime runtime;
    private final AppProtocol.Registered registered;
    private final ActorRef<AppProtocol.Notice> notices;
    private final String name;
    /** Where the listener actor hands this app's core events; null: dropped. */
    private final AtomicReference<Consumer<AppProtocol.CoreEvent>> events;
    /** Completed with the dataplane's reason when it evicts this app (by the listener actor), or with the loss line. */
    private final CompletableFuture<String> evicted;
    private final DataplaneLoss loss;
    /** Watches the app's session at the dataplane ({@link DataplaneLoss.Watcher}). */
    private final org.apache.pekko.actor.ActorRef watcher;
    /** Completes once this app stopped serving: normally after {@link #close()}, exceptionally after an eviction or a loss. */
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    /** Set once, by whichever of close, eviction and loss comes first: that one stops the app. */
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Duration closeTimeout;
    /** How the dataplane's loss was seen, once it was (before {@link #evicted} completes with it). */
    private volatile String lostLine;
    private volatile Duration timeout;

    private RemoteApp(ActorSystem<?> system, boolean ownsSystem, Aeron aeron, AppRuntime runtime, AppProtocol.Registered registered,
                      ActorRef<AppProtocol.Notice> notices, AtomicReference<Consumer<AppProtocol.CoreEvent>> events,
                      CompletableFuture<String> evicted, DataplaneLoss loss, org.apache.pekko.actor.ActorRef watcher, String name,
                      Duration timeout, Duration closeTimeout) {
        this.system = system;
        this.ownsSystem = ownsSystem;
        this.aeron = aeron;
        this.runtime = runtime;
        this.registered = registered;
        this.notices = notices;
        this.events = events;
        this.evicted = evicted;
        this.loss = loss;
        this.watcher = watcher;
        this.name = name;
        this.timeout = timeout;
        this.closeTimeout = closeTimeout;
    }

    /**
     * {@code config} with remoting turned on for an app process: {@code pekko.actor.provider = remote}, Artery TCP on
     * 127.0.0.1 and a free port (the dataplane replies to whatever address this system has). With
     * {@code calisto.app.tls.enabled = on} (core-actors reference.conf: {@code key-store}, {@code key-store-password},
     * {@code key-password}, {@code trust-store}, {@code trust-store-password}, {@code protocol},
     * {@code enabled-algorithms}) the transport is {@code tls-tcp} with mutual authentication, as a {@code calisto serve}
     * with {@code calisto.serve.tls} needs; the stores are checked here.
     *
     * @throws IllegalArgumentException one line naming the {@code calisto.app.tls} key that is wrong (a missing or
     *     unreadable store, a wrong password, no key or no trusted certificate in it)
     */
    public static Config remoteConfig(Config config) {
        Config remote = ConfigFactory.parseString("""
            pekko.actor.provider = remote
            pekko.remote.artery.transport = tcp
            pekko.remote.artery.canonical.hostname = "127.0.0.1"
            pekko.remote.artery.canonical.port = 0
            pekko.remote.warn-about-direct-use = off
            """);
        if (ArteryTls.enabled(config, TLS)) remote = ArteryTls.artery(config, TLS).withFallback(remote);
        return remote.withFallback(config);
    }

    /** The TLS block an app reads ({@link #remoteConfig}). */
    public static final String TLS = "calisto.app.tls";

    /**
     * Connects with an actor system of its own ({@link #remoteConfig} over {@code ConfigFactory.load()}, terminated by
     * {@link #close()}) and a 10 s timeout. {@code dataplane} is the address {@code calisto serve} prints after
     * {@code management=} (e.g. {@code pekko://calisto@127.0.0.1:25520}), or the management actor's full path.
     */
    public static RemoteApp connect(String dataplane, AppSpec spec, int guaranteed, int burstable) {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "calisto-app-" + spec.name(), remoteConfig(ConfigFactory.load()));
        try {
            return connect(system, true, dataplane, spec, guaranteed, burstable, Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            system.terminate();
            throw e;
        }
    }

    /**
     * Connects through {@code system}, which must have remoting on ({@link #remoteConfig}) and stays the caller's.
     * Returns once the dataplane has activated the app: from then on its handlers get their packets.
     *
     * @throws RejectedException if the dataplane refuses the registration (name in use, bad limits, ...)
     * @throws IllegalStateException if it does not answer within {@code timeout} or a core-actor does not start
     * @throws IllegalArgumentException if {@code system} has no remoting
     */
    public static RemoteApp connect(ActorSystem<?> system, String dataplane, AppSpec spec, int guaranteed, int burstable, Duration timeout) {
        return connect(system, false, dataplane, spec, guaranteed, burstable, timeout);
    }

    private static RemoteApp connect(ActorSystem<?> system, boolean ownsSystem, String dataplane, AppSpec spec, int guaranteed, int burstable,
                                     Duration timeout) {
        if (!system.address().hasGlobalScope()) {
            throw new IllegalArgumentException("actor system " + system.name() + " has no remoting: create it with RemoteApp.remoteConfig(config)"
                + " (pekko.actor.provider = remote)");
        }
        String path = dataplane.contains("/system/") ? dataplane : dataplane.replaceAll("/+$", "") + MANAGEMENT_PATH;
        ActorRef<AppProtocol.Command> management = ActorRefResolver.get(system).resolveActorRef(path);
        AtomicReference<Consumer<AppProtocol.CoreEvent>> events = new AtomicReference<>();
        CompletableFuture<String> evicted = new CompletableFuture<>();
        RemoteAppSettings settings = RemoteAppSettings.from(system.settings().config());
        String id = UUID.randomUUID().toString();
        ActorRef<AppProtocol.Notice> notices = system.systemActorOf(listener(events, evicted), "calisto-app-" + spec.name() + "-" + id, Props.empty());
        DataplaneLoss loss = new DataplaneLoss(path.replace(MANAGEMENT_PATH, ""));
        org.apache.pekko.actor.ActorRef watcher = null;
        Aeron aeron = null;
        AppRuntime runtime = null;
        boolean ok = false;
        try {
            AppProtocol.Reply answer = ask(system, management, r -> new AppProtocol.Register(spec.name(), spec.match().format(), guaranteed,
                burstable, notices, r), timeout, "register " + spec.name() + " at " + path);
            AppProtocol.Registered reg = switch (answer) {
                case AppProtocol.Registered r -> r;
                case AppProtocol.Rejected r -> throw new RejectedException(r.reason());
                default -> throw new IllegalStateException("unexpected answer to register " + spec.name() + ": " + answer);
            };
            checkRegistered(reg);
            // from here on a dataplane that dies is noticed: its actor system through the session's watch, its media
            // driver through the Aeron client (whose default error handler would end this JVM with System.exit)
            watcher = ((org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(system)).systemActorOf(
                DataplaneLoss.watcher(Adapter.toClassic(reg.session()), loss), "calisto-app-" + spec.name() + "-watch-" + id);
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(reg.aeronDir())
                .driverTimeoutMs(settings.driverTimeoutMs())
                .closeLingerDurationNs(settings.closeLingerNanos())
                .errorHandler(loss));
            aeron.addCloseHandler(loss::onAeronClose);
            int maxCore = 0;
            for (int core : reg.pool()) maxCore = Math.max(maxCore, core);
            CoreSlot[] slots = CoreSlot.mapped(Path.of(reg.slotsFile()), maxCore + 1, false);
            CoreSlot[] poolSlots = new CoreSlot[reg.pool().length];
            for (int i = 0; i < poolSlots.length; i++) poolSlots[i] = slots[reg.pool()[i]];
            loss.slots(poolSlots);
            runtime = AppRuntime.register(system, spec, aeron, new Streams(reg.channel()), reg.appId());
            for (int core : reg.pool()) {
                try {
                    runtime.start(core, slots[core], -1).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    throw new IllegalStateException("core-actor " + core + " of " + spec.name() + " did not start: " + e, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("connecting " + spec.name() + " interrupted");
                }
            }
            RemoteApp app = new RemoteApp(system, ownsSystem, aeron, runtime, reg, notices, events, evicted, loss, watcher, spec.name(),
                timeout, settings.closeTimeout());
            done(app.call("ready", AppProtocol.Ready::new));
            ok = true;
            // from here on an eviction or a loss stops this app (at once if it came while Ready was being answered), on
            // a thread of its own: never the listener's actor thread, nor Aeron's conductor, which runs the close handler
            // holding the client lock that the core-actors' stops take
            evicted.thenAccept(reason -> app.stopAsync(() -> app.onEvicted(reason)));
            loss.lost().thenAccept(line -> app.stopAsync(() -> app.onLost(line)));
            // evicted unheard (quarantined): the dataplane's Evicted notice cannot get through; one line,
            // then the same stop as an eviction (the dataplane also marked the core slots retired: decisions 44)
            loss.evictedUnheard().thenAccept(line -> {
                if (!app.stopping.get() && evicted.complete(line)) LOG.warn("{}: app {} stops serving", line, spec.name());
            });
            return app;
        } finally {
            if (!ok) {
                // the dataplane sees the listener stop (it watches it) and forgets the registration, if it made one
                Adapter.toClassic(system).stop(Adapter.toClassic(notices));
                if (watcher != null) Adapter.toClassic(system).stop(watcher);
                loss.closing();
                if (runtime != null) runtime.stopAll();
                // not here: a core-actor still inside addSubscription holds the client lock (a loaded machine), and
                // Aeron's close would retry for ever on this thread; the buffers linger for a core-actor still polling
                Aeron client = aeron;
                if (client != null) Thread.ofPlatform().daemon().name("calisto-app-aeron-close-" + spec.name()).start(client::close);
            }
        }
    }

    /**
     * A {@code Registered} answer must name this app's own slot file ({@code AERON_DIR/calisto-app-ID.slots}, which the
     * dataplane created with room for every pool core) before anything maps it: mapping a file read-write extends it,
     * so a forged answer could otherwise make this app grow or overwrite any file it can write.
     */
    static void checkRegistered(AppProtocol.Registered reg) {
        if (reg.token() == null || reg.session() == null || reg.pool() == null || reg.pool().length == 0 || reg.aeronDir() == null) {
            throw new IllegalStateException("the dataplane's registration answer is incomplete: " + reg);
        }
        Path expected = Path.of(reg.aeronDir(), "calisto-app-" + reg.appId() + ".slots");
        if (reg.slotsFile() == null || !Path.of(reg.slotsFile()).equals(expected)) {
            throw new IllegalStateException("the registration answer names slot file " + reg.slotsFile() + ", not " + expected + ": refused");
        }
        int maxCore = 0;
        for (int core : reg.pool()) {
            if (core < 0 || core >= io.calisto.aeron.Streams.MAX_CORES) throw new IllegalStateException("the registration answer names core " + core);
            maxCore = Math.max(maxCore, core);
        }
        try {
            if (!Files.isRegularFile(expected) || Files.size(expected) < (long) (maxCore + 1) * CoreSlot.BYTES) {
                throw new IllegalStateException("slot file " + expected + " is missing or too short for core " + maxCore + ": refused");
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read slot file " + expected + ": " + e.getMessage());
        }
    }

    private static Behavior<AppProtocol.Notice> listener(AtomicReference<Consumer<AppProtocol.CoreEvent>> events, CompletableFuture<String> evicted) {
        return Behaviors.receive(AppProtocol.Notice.class)
            .onMessage(AppProtocol.Evicted.class, e -> {
                LOG.warn("the dataplane evicted this app: {}", e.reason());
                evicted.complete(e.reason());
                return Behaviors.same();
            })
            .onMessage(AppProtocol.CoreEvent.class, e -> {
                Consumer<AppProtocol.CoreEvent> c = events.get();
                if (c == null) return Behaviors.same();
                try {
                    c.accept(e);
                } catch (RuntimeException x) {
                    LOG.warn("event consumer failed on {}: {}", e, x.toString());
                }
                return Behaviors.same();
            })
            .build();
    }

    /**
     * Completes with the dataplane's one-line reason if it evicts this app, or with the line saying how its loss was
     * seen ({@link DataplaneLoss}); by then the app's core-actors are stopping and every call throws. Never completes
     * for an app that closes itself.
     */
    public CompletionStage<String> evicted() { return evicted.copy(); }

    /**
     * Completes once this app has stopped serving, its core-actors stopped and its Aeron client closed (each bounded by
     * {@code calisto.app.close-timeout}): normally after {@link #close()}; exceptionally with an
     * {@link EvictedException} after an eviction, or a {@link DataplaneLostException} when the dataplane is gone.
     */
    public CompletionStage<Void> terminated() { return terminated.copy(); }

    /**
     * Runs a stop on a thread of its own: not a core-actor's pinned thread, which is interrupted as it ends (Aeron's
     * close then retries for ever), nor Aeron's conductor (the close handler holds the client lock).
     */
    private void stopAsync(Runnable stop) {
        Thread.ofPlatform().daemon().name("calisto-app-stop-" + name).start(stop);
    }

    /** The eviction: nothing is served any more, so stop serving (core-actors, then the Aeron client). */
    private void onEvicted(String reason) {
        if (!stopping.compareAndSet(false, true)) return;
        try {
            release(System.nanoTime() + closeTimeout.toNanos());
        } finally {
            terminated.completeExceptionally(new EvictedException(reason));
        }
    }

    /** The dataplane is gone: one line, then stop serving as on an eviction. */
    private void onLost(String line) {
        if (!stopping.compareAndSet(false, true)) return;
        LOG.error("{}: app {} stops serving", line, name);
        lostLine = line;
        evicted.complete(line);
        try {
            release(System.nanoTime() + closeTimeout.toNanos());
        } finally {
            terminated.completeExceptionally(new DataplaneLostException(line));
        }
    }

    /**
     * Stops the core-actors, then closes the Aeron client (no linger once they have stopped: nothing polls), then the
     * listener and the watcher; each wait ends at {@code deadline} ({@link System#nanoTime()}), logged, not thrown.
     */
    private void release(long deadline) {
        events.set(null);
        boolean coresStopped = await(runtime.stopAll(), deadline, "core-actors of " + name + " to stop");
        loss.closing();
        if (coresStopped) aeron.context().closeLingerDurationNs(0);
        // Aeron's close joins its conductor thread and retries for ever if that thread does not end: wait on another thread
        await(CompletableFuture.runAsync(aeron::close, r -> Thread.ofPlatform().daemon().name("calisto-app-aeron-close-" + name).start(r)),
            deadline, "the Aeron client of " + name + " to close");
        Adapter.toClassic(system).stop(Adapter.toClassic(notices));
        Adapter.toClassic(system).stop(watcher);
    }

    /** Waits for {@code f} until {@code deadline}; false (and one logged line) if it did not complete normally in time. */
    private boolean await(CompletableFuture<?> f, long deadline, String what) {
        try {
            f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            LOG.warn("gave up waiting for {} after calisto.app.close-timeout ({} ms)", what, closeTimeout.toMillis());
        } catch (ExecutionException e) {
            LOG.warn("waiting for {}: {}", what, e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("waiting for {}: interrupted", what);
        }
        return false;
    }

    /** The id the dataplane gave this app (its stream ids derive from it). */
    public int appId() { return registered.appId(); }

    /** The pool cores this app runs a (parked) core-actor for. */
    public int[] pool() { return registered.pool().clone(); }

    /** This app's core-actors (delivery counts, failures). */
    public AppRuntime runtime() { return runtime; }

    /** How long each call waits for the dataplane's answer. */
    public RemoteApp callTimeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /** Swaps this app's dispatch policy ({@code modulo}, {@code affinity}, ...); returns the dataplane's confirmation. */
    public String setPolicy(String policy) { return done(call("set-policy " + policy, r -> new AppProtocol.SetPolicy(policy, r))); }

    /** Sets this app's guaranteed and burstable core counts. */
    public String setCoreLimits(int guaranteed, int burstable) {
        return done(call("set-core-limits", r -> new AppProtocol.SetCoreLimits(guaranteed, burstable, r)));
    }

    /** Counters of every registered app (local or remote), as the management actor's GetStats. */
    public List<AppSummary> stats() {
        return switch (call("get-stats", AppProtocol.GetStats::new)) {
            case AppProtocol.Stats s -> List.of(s.apps());
            case AppProtocol.Rejected r -> throw new RejectedException(r.reason());
            case AppProtocol.Reply other -> throw new IllegalStateException("unexpected answer to get-stats: " + other);
        };
    }

    /**
     * From the answer on, each core event of this app goes to {@code consumer}, in order, on one actor thread of this
     * app's system (keep it short). Events published before the dataplane took the subscription are not replayed.
     */
    public void subscribeEvents(Consumer<AppProtocol.CoreEvent> consumer) {
        events.set(consumer);
        try {
            done(call("subscribe-events", AppProtocol.SubscribeEvents::new));
        } catch (RuntimeException e) {
            events.set(null);
            throw e;
        }
    }

    /** No event reaches the consumer once this returns. */
    public void unsubscribeEvents() {
        done(call("unsubscribe-events", AppProtocol.UnsubscribeEvents::new));
        events.set(null);
    }

    /**
     * Unregisters (the dataplane drains what is queued for this app, then frees its cores), stops the core-actors and
     * the Aeron client, and terminates the actor system if {@link #connect(String, AppSpec, int, int)} made it. A
     * dataplane that does not answer is logged, not thrown: it reclaims the app anyway once it sees it gone. Returns
     * within the call timeout (the unregistration) plus {@code calisto.app.close-timeout} (everything after it); what
     * did not stop by then is logged in one line each. After an eviction or a loss there is nothing to unregister.
     */
    @Override
    public void close() {
        long deadline;
        if (stopping.compareAndSet(false, true)) {
            events.set(null);
            try {
                LOG.info("{}", done(call("unregister", AppProtocol.Unregister::new)));
            } catch (RuntimeException e) {
                LOG.warn("unregistering {}: {}", name, e.getMessage());
            }
            deadline = System.nanoTime() + closeTimeout.toNanos();
            try {
                release(deadline);
            } finally {
                terminated.complete(null);
            }
        } else {
            // evicted or lost: that stop is under way (or done) on its own thread, bounded the same way
            deadline = System.nanoTime() + closeTimeout.toNanos();
            await(terminated.exceptionally(e -> null), deadline, "app " + name + " to stop");
        }
        if (ownsSystem) {
            system.terminate();
            await(system.getWhenTerminated().toCompletableFuture(), deadline, "actor system " + system.name() + " to terminate");
        }
    }

    private AppProtocol.Reply call(String what, Function<ActorRef<AppProtocol.Reply>, AppProtocol.Command> command) {
        String lost = lostLine;
        if (lost != null) throw new IllegalStateException("app " + name + " lost its dataplane: " + lost);
        if (evicted.isDone()) throw new IllegalStateException("app " + name + " was evicted by the dataplane: " + evicted.join());
        if (stopping.get() && !what.equals("unregister")) throw new IllegalStateException("app " + name + " is closed");
        String token = registered.token();
        return ask(system, registered.session(), r -> new AppProtocol.SessionCommand(token, command.apply(r)), timeout, what + " of " + name);
    }

    private static AppProtocol.Reply ask(ActorSystem<?> system, ActorRef<AppProtocol.Command> to,
                                         Function<ActorRef<AppProtocol.Reply>, AppProtocol.Command> command, Duration timeout, String what) {
        CompletableFuture<AppProtocol.Reply> answer = AskPattern.<AppProtocol.Command, AppProtocol.Reply>ask(to, command::apply, timeout,
            system.scheduler()).toCompletableFuture();
        try {
            return answer.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException) {
                throw new IllegalStateException("no answer from the dataplane to " + what + " within " + timeout.toMillis() + " ms");
            }
            throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from the dataplane to " + what + " within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " interrupted");
        }
    }

    private static String done(AppProtocol.Reply reply) {
        return switch (reply) {
            case AppProtocol.Done d -> d.text();
            case AppProtocol.Rejected r -> throw new RejectedException(r.reason());
            default -> throw new IllegalStateException("unexpected answer " + reply);
        };
    }
}
