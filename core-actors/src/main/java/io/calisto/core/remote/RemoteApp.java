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
 * application can stop or reconnect rather than run on unserved.
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

    private final ActorSystem<?> system;
    private final boolean ownsSystem;
    private final Aeron aeron;
    private final AppRuntime runtime;
    private final AppProtocol.Registered registered;
    private final ActorRef<AppProtocol.Notice> notices;
    private final String name;
    /** Where the listener actor hands this app's core events; null: dropped. */
    private final AtomicReference<Consumer<AppProtocol.CoreEvent>> events;
    /** Completed with the dataplane's reason when it evicts this app (by the listener actor). */
    private final CompletableFuture<String> evicted;
    private volatile Duration timeout;
    private volatile boolean closed;

    private RemoteApp(ActorSystem<?> system, boolean ownsSystem, Aeron aeron, AppRuntime runtime, AppProtocol.Registered registered,
                      ActorRef<AppProtocol.Notice> notices, AtomicReference<Consumer<AppProtocol.CoreEvent>> events,
                      CompletableFuture<String> evicted, String name, Duration timeout) {
        this.system = system;
        this.ownsSystem = ownsSystem;
        this.aeron = aeron;
        this.runtime = runtime;
        this.registered = registered;
        this.notices = notices;
        this.events = events;
        this.evicted = evicted;
        this.name = name;
        this.timeout = timeout;
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
        ActorRef<AppProtocol.Notice> notices = system.systemActorOf(listener(events, evicted), "calisto-app-" + spec.name() + "-" + UUID.randomUUID(), Props.empty());
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
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(reg.aeronDir()).errorHandler(aeronErrors(evicted)));
            int maxCore = 0;
            for (int core : reg.pool()) maxCore = Math.max(maxCore, core);
            CoreSlot[] slots = CoreSlot.mapped(Path.of(reg.slotsFile()), maxCore + 1, false);
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
            RemoteApp app = new RemoteApp(system, ownsSystem, aeron, runtime, reg, notices, events, evicted, spec.name(), timeout);
            done(app.call("ready", AppProtocol.Ready::new));
            ok = true;
            // from here on an eviction stops this app (at once if it came while Ready was being answered)
            evicted.thenAccept(app::onEvicted);
            return app;
        } finally {
            if (!ok) {
                // the dataplane sees the listener stop (it watches it) and forgets the registration, if it made one
                Adapter.toClassic(system).stop(Adapter.toClassic(notices));
                if (runtime != null) runtime.stopAll();
                if (aeron != null) aeron.close();
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

    /**
     * Aeron's default error handler ends the JVM ({@code System.exit}) when the media driver goes away, as it does when
     * the dataplane stops: here that is an eviction instead, which the application hears of ({@link #evicted()}).
     */
    private static org.agrona.ErrorHandler aeronErrors(CompletableFuture<String> evicted) {
        return t -> {
            if (t instanceof io.aeron.exceptions.DriverTimeoutException) {
                if (evicted.complete("the dataplane's media driver is gone")) LOG.warn("the dataplane's media driver is gone: {}", t.getMessage());
            } else if (!(t instanceof org.agrona.concurrent.AgentTerminationException)) {
                LOG.warn("Aeron client error: {}", t.toString());
            }
        };
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
     * Completes with the dataplane's one-line reason if it evicts this app; by then the app's core-actors are stopping
     * and every call throws. Never completes for an app that closes itself.
     */
    public CompletionStage<String> evicted() { return evicted.copy(); }

    /** The eviction: nothing is served any more, so stop serving (core-actors, then the Aeron client). On the listener's thread. */
    private void onEvicted(String reason) {
        if (closed) return;
        closed = true;
        events.set(null);
        // not on the thread that completes the stop: a core-actor's pinned thread is interrupted as it ends, and Aeron's
        // close retries for ever on an interrupted thread
        runtime.stopAll().whenCompleteAsync((v, e) -> aeron.close(), r -> Thread.ofPlatform().daemon().name("calisto-evicted-" + name).start(r));
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
     * dataplane that does not answer is logged, not thrown: it reclaims the app anyway once it sees it gone.
     */
    @Override
    public void close() {
        if (evicted.isDone()) {
            Adapter.toClassic(system).stop(Adapter.toClassic(notices));
            if (ownsSystem) system.terminate();
            return;
        }
        if (closed) return;
        closed = true;
        events.set(null);
        try {
            LOG.info("{}", done(call("unregister", AppProtocol.Unregister::new)));
        } catch (RuntimeException e) {
            LOG.warn("unregistering {}: {}", name, e.getMessage());
        }
        try {
            runtime.stopAll().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("core-actors of {} did not stop: {}", name, e.toString());
        }
        Adapter.toClassic(system).stop(Adapter.toClassic(notices));
        aeron.close();
        if (ownsSystem) system.terminate();
    }

    private AppProtocol.Reply call(String what, Function<ActorRef<AppProtocol.Reply>, AppProtocol.Command> command) {
        if (evicted.isDone()) throw new IllegalStateException("app " + name + " was evicted by the dataplane: " + evicted.join());
        if (closed && !what.equals("unregister")) throw new IllegalStateException("app " + name + " is closed");
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
