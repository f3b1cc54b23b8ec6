package io.calisto.control;

import io.calisto.core.AppSpec;
import io.calisto.core.remote.AppProtocol;
import io.calisto.core.serial.CalistoMessage;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The dataplane's control surface (Shenango's iokerneld control socket): every command gets a reply, and one that
 * fails gets a {@link Rejected} with a one-line reason, never silence.
 *
 * <p>Threads: registration and unregistration wait for the IO thread and for core-actors (up to
 * {@code calisto.run.drain-timeout} for a drain), so the actor runs on its own dispatcher ({@link #PROPS},
 * {@code calisto.management-dispatcher}) and never blocks Pekko's default dispatcher. Commands are handled one at a
 * time, in arrival order. It is supervised with restart: a failure outside a command (which already turns any
 * RuntimeException into a Rejected) restarts it with no state lost, and the ref handed out stays valid.
 *
 * <p>Other JVMs: with remoting on ({@code calisto serve}) the actor is {@code pekko://calisto@HOST:PORT/system/management}
 * and every command and reply but {@link RegisterApp} crosses JVMs, Kryo-serialized ({@link CalistoMessage}, ids in
 * control-plane's reference.conf). {@link RegisterApp} carries a local {@link ActorSystem} and has no Kryo id: sent to
 * another JVM it is refused by the serializer, never delivered.
 */
public final class Management {
    /** Where the management actor runs: a dispatcher of its own (see control-plane's reference.conf). */
    public static final String DISPATCHER = "calisto.management-dispatcher";

    /** Props the management actor must be spawned with. */
    public static final Props PROPS = DispatcherSelector.fromConfig(DISPATCHER);

    public sealed interface Command extends CalistoMessage {}

    /** Register an application living in {@code appSystem} with its core limits. Local only: no Kryo id (see above). */
    public record RegisterApp(ActorSystem<?> appSystem, AppSpec spec, int guaranteed, int burstable, ActorRef<Reply> replyTo) implements Command {}

    /** Unregister: no new packets are classified for it, queued ones are drained, the rest counted as app-gone. */
    public record UnregisterApp(String app, ActorRef<Reply> replyTo) implements Command {}

    /** Swap the dispatch policy of a running app between two bursts: nothing queued is lost. */
    public record SetPolicy(String app, String policy, ActorRef<Reply> replyTo) implements Command {}

    /**
     * Swap {@code app}'s policy for {@code affinity-prefill} with these flows bound before its next packet: {@code lines}
     * as in a {@code calisto.dispatch.prefill-file} (parsed by the dataplane, with its RSS key and pool), {@code source}
     * names them in errors ({@code FILE:LINE: cause}).
     */
    public record PrefillFlows(String app, String source, List<String> lines, ActorRef<Reply> replyTo) implements Command {}

    public record SetCoreLimits(String app, int guaranteed, int burstable, ActorRef<Reply> replyTo) implements Command {}

    /** Take a core out of service (its owner's packets there are drained first); {@code restore} puts it back. */
    public record DrainCore(int core, boolean restore, ActorRef<Reply> replyTo) implements Command {}

    public record GetStats(ActorRef<Reply> replyTo) implements Command {}

    public record Subscribe(ActorRef<CoreEvent> subscriber, ActorRef<Reply> replyTo) implements Command {}

    public record Unsubscribe(ActorRef<CoreEvent> subscriber, ActorRef<Reply> replyTo) implements Command {}

    /** The control plane's retained core events ({@code calisto.control.event-history}), answered with {@link Events}. */
    public record GetEvents(ActorRef<Reply> replyTo) implements Command {}

    /**
     * Stop the dataplane as SIGTERM does (drain, summary, exit 0). Answered {@code Done} before the drain begins, or
     * Rejected when whoever started the dataplane takes no shutdown command ({@code run}, tests).
     */
    public record Shutdown(ActorRef<Reply> replyTo) implements Command {}

    public sealed interface Reply extends CalistoMessage {}

    public record Done(String what) implements Reply {}

    public record Registered(String app, int appId) implements Reply {}

    public record Rejected(String reason) implements Reply {}

    public record Stats(List<AppStats> apps) implements Reply {}

    /** The retained events, oldest first, and how many older ones the history no longer holds. */
    public record Events(List<CoreEvent> events, long forgotten) implements Reply {}

    /** What the management actor acts on: the {@link Dataplane}, or a stand-in in tests. */
    interface Target {
        AppHandle register(ActorSystem<?> appSystem, AppSpec spec, int guaranteed, int burstable);

        long unregister(String app);

        void setPolicy(String app, String policy);

        void setCoreLimits(String app, int guaranteed, int burstable);

        /** {@link PrefillFlows}: returns the number of flows bound. */
        default int prefill(String app, String source, List<String> lines) { throw new IllegalStateException("this dataplane takes no prefill"); }

        void drainCore(int core, boolean restore);

        List<AppStats> stats();

        void controlPlane(ControlPlane.Command c);

        /** A command of an app in another JVM ({@link AppProtocol}): the Dataplane hands it to {@link RemoteApps}. */
        default void fromApp(AppProtocol.Command c) { c.replyTo().tell(new AppProtocol.Rejected("this dataplane serves no apps from other JVMs")); }
        /** Starts the shutdown whoever started the dataplane registered; IllegalStateException if none. */
        default void shutdown() { throw new IllegalStateException("this dataplane takes no shutdown command"); }
    }

    private final ActorContext<Command> ctx;
    private final Target dp;

    private Management(ActorContext<Command> ctx, Target dp) {
        this.ctx = ctx;
        this.dp = dp;
    }

    /** The management behaviour of {@code dp}; spawn it with {@link #PROPS}. */
    public static Behavior<Command> create(Dataplane dp) {
        return create(new Target() {
            @Override public AppHandle register(ActorSystem<?> s, AppSpec spec, int g, int b) { return dp.register(s, spec, g, b); }
            @Override public long unregister(String app) { return dp.unregister(app); }
            @Override public void setPolicy(String app, String policy) { dp.setPolicy(app, policy); }
            @Override public void setCoreLimits(String app, int g, int b) { dp.setCoreLimits(app, g, b); }
            @Override public int prefill(String app, String source, List<String> lines) { return dp.prefill(app, source, lines); }
            @Override public void drainCore(int core, boolean restore) { dp.drainCore(core, restore); }
            @Override public List<AppStats> stats() { return dp.stats(); }
            @Override public void controlPlane(ControlPlane.Command c) { dp.controlSystem().tell(c); }
            @Override public void fromApp(AppProtocol.Command c) { dp.remoteApps().tell(new RemoteApps.Anonymous(c)); }

            @Override public void shutdown() { dp.requestShutdown(); }
        });
    }

    static Behavior<Command> create(Target target) {
        return Behaviors.supervise(Behaviors.<Command>setup(ctx -> new Management(ctx, target).running()))
            .onFailure(SupervisorStrategy.restart());
    }

    /**
     * Apps in other JVMs send {@link AppProtocol.Command}s here, the dataplane's one well-known path. core-actors cannot
     * see {@link Command}, so they are matched by their own runtime class and handed on as Objects (a handler typed
     * {@code Command} would cast them and fail).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final Class<Command> FROM_OTHER_JVMS = (Class) AppProtocol.Command.class;

    @SuppressWarnings({"unchecked", "rawtypes"})
    private org.apache.pekko.japi.function.Function<Command, Behavior<Command>> fromOtherJvms() {
        org.apache.pekko.japi.function.Function<Object, Behavior<Command>> forward = m -> {
            dp.fromApp((AppProtocol.Command) m);
            return Behaviors.same();
        };
        return (org.apache.pekko.japi.function.Function) forward;
    }

    private Behavior<Command> running() {
        return Behaviors.receive(Command.class)
            .onMessage(RegisterApp.class, c -> reply(c, c.replyTo(), () -> {
                AppHandle h = dp.register(c.appSystem(), c.spec(), c.guaranteed(), c.burstable());
                return new Registered(h.name(), h.appId());
            }))
            .onMessage(UnregisterApp.class, c -> reply(c, c.replyTo(), () -> {
                long gone = dp.unregister(c.app());
                return new Done("unregistered " + c.app() + ", " + gone + " packets counted as app-gone");
            }))
            .onMessage(SetPolicy.class, c -> reply(c, c.replyTo(), () -> {
                dp.setPolicy(c.app(), c.policy());
                return new Done(c.app() + " now dispatches with " + c.policy());
            }))
            .onMessage(PrefillFlows.class, c -> reply(c, c.replyTo(), () -> {
                int n = dp.prefill(c.app(), c.source(), c.lines());
                return new Done(c.app() + " now dispatches with affinity-prefill, " + n + " flows bound");
            }))
            .onMessage(SetCoreLimits.class, c -> reply(c, c.replyTo(), () -> {
                dp.setCoreLimits(c.app(), c.guaranteed(), c.burstable());
                return new Done(c.app() + " limits guaranteed=" + c.guaranteed() + " burstable=" + c.burstable());
            }))
            .onMessage(DrainCore.class, c -> reply(c, c.replyTo(), () -> {
                dp.drainCore(c.core(), c.restore());
                return new Done((c.restore() ? "restored core " : "drained core ") + c.core());
            }))
            .onMessage(GetStats.class, c -> reply(c, c.replyTo(), () -> new Stats(dp.stats())))
            .onMessage(Subscribe.class, c -> reply(c, c.replyTo(), () -> {
                dp.controlPlane(new ControlPlane.Subscribe(c.subscriber()));
                return new Done("subscribed");
            }))
            .onMessage(Unsubscribe.class, c -> reply(c, c.replyTo(), () -> {
                dp.controlPlane(new ControlPlane.Unsubscribe(c.subscriber()));
                return new Done("unsubscribed");
            }))
            .onMessage(FROM_OTHER_JVMS, fromOtherJvms())
            .onMessage(GetEvents.class, c -> {
                try {
                    // the control plane answers a History; a one-shot child turns it into the reply, so nothing blocks here
                    ActorRef<ControlPlane.History> relay = ctx.spawnAnonymous(Behaviors.<ControlPlane.History>receiveMessage(h -> {
                        c.replyTo().tell(new Events(h.events(), h.forgotten()));
                        return Behaviors.stopped();
                    }));
                    dp.controlPlane(new ControlPlane.GetEvents(relay));
                } catch (RuntimeException e) {
                    c.replyTo().tell(new Rejected(oneLine(e)));
                }
                return Behaviors.same();
            })
            .onMessage(Shutdown.class, c -> {
                // the handler only signals whoever waits for it (serve's main thread), which drains before it stops this
                // actor system: the Done below is sent long before that
                try {
                    dp.shutdown();
                } catch (RuntimeException e) {
                    c.replyTo().tell(new Rejected(oneLine(e)));
                    return Behaviors.same();
                }
                c.replyTo().tell(new Done("shutting down: draining, then the summary"));
                return Behaviors.same();
            })
            .build();
    }

    /** Runs {@code action} and answers with its reply, or with a Rejected for any RuntimeException it throws. */
    private Behavior<Command> reply(Command c, ActorRef<Reply> to, java.util.function.Supplier<Reply> action) {
        Reply r;
        try {
            r = action.get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            r = new Rejected(oneLine(e));
        } catch (RuntimeException e) {
            // not a refusal the dataplane meant to give: the caller still gets an answer, the log gets the stack
            ctx.getLog().error("management command {} failed", c.getClass().getSimpleName(), e);
            r = new Rejected(oneLine(e));
        }
        to.tell(r);
        return Behaviors.same();
    }

    /**
     * The reason given for {@code e}, on one line: an IllegalArgumentException's or IllegalStateException's message
     * as the dataplane wrote it, any other exception prefixed with its class name (an NPE or an AeronException is not
     * a refusal, and the reader should see which it was).
     */
    static String oneLine(RuntimeException e) {
        String m = e.getMessage();
        boolean refusal = e instanceof IllegalArgumentException || e instanceof IllegalStateException;
        String text = m == null || m.isBlank() ? e.getClass().getSimpleName()
            : refusal ? m : e.getClass().getSimpleName() + ": " + m;
        return text.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
